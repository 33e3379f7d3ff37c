"""
The webmaster works through a queue in a real browser: reads and decides from the list, going on
to the next each time, uses a saved reason, and has a decision on a page that changed refused.
On a contribution's page the text comes first, beside the decision, and a decision pressed with
unsaved changes takes them along; blocking a sender asks first, with the earlier contributions
counted.
"""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from debates.models import Contribution, Question, Workshop
from moderation.models import BlockRule, SavedReason
from tests.factories import PDF_BYTES, make_contribution, make_webmaster
from tests.mail import text_of
from tests.moderation.desk import edited_by

pytestmark = pytest.mark.django_db(transaction=True)

Status = Contribution.Status


def log_in(page, user):
    page.goto("/admin/")
    page.get_by_label("Brugernavn").fill(user.username)
    page.get_by_label("Adgangskode").fill(user.raw_password)
    page.get_by_role("button", name="Log ind").click()


def row_of(page, contribution):
    return page.locator("#result_list tr").filter(
        has=page.locator(f"#mia-contribution-{contribution.pk}")
    )


def sizes_of(buttons):
    return buttons.evaluate_all(
        "bs => bs.map(b => { const r = b.getBoundingClientRect(); return [r.width, r.height]; })"
    )


def background_of(button):
    colour = button.evaluate("b => getComputedStyle(b).backgroundColor")
    return tuple(int(n) for n in re.findall(r"\d+", colour)[:3])


def fits_sideways(page):
    """Nothing scrolls sideways at the window's width: not the page, not the list inside it."""
    return page.evaluate(
        "(() => { const r = document.querySelector('.results');"
        " return document.documentElement.scrollWidth <= window.innerWidth"
        " && (!r || r.scrollWidth <= r.clientWidth); })()"
    )


def test_the_webmaster_works_through_the_queue(page, seeded, screenshot):
    question = Question.objects.get(slug="lederens-roller")
    webmaster = make_webmaster(username="redaktoer")
    colleague = make_webmaster(username="kollega")
    SavedReason.objects.create(
        title="Uden for spørgsmålet",
        text_da="Dit indlæg handler ikke om spørgsmålet.",
        text_en="Your contribution is not about the question.",
        position=0,
    )
    now = timezone.now()
    first, second, third, fourth = [
        make_contribution(
            question=question,
            status=Status.PENDING,
            confirmed_at=now - timedelta(hours=hours),
            title=title,
            body=body,
            **extra,
        )
        for hours, title, body, extra in [
            (
                30,
                "Roller i praksis",
                "Lederen skifter bevidst mellem rollerne. " * 12 + "\n\n- første\n- anden",
                {"author_name": "Karen Blixen", "attachment": PDF_BYTES},
            ),
            (20, "Om noget andet", "Om vejret i weekenden.", {"language": "en"}),
            (10, "Facilitering", "Facilitatoren lytter mest.", {}),
            (2, "Katalysator", "Katalysatoren sætter i gang.", {}),
        ]
    ]

    log_in(page, webmaster)
    page.get_by_role("link", name="Indlæg i køen").click()
    expect(page.get_by_role("heading", name="Indlæg, der venter på en beslutning")).to_be_visible()
    # The whole list fits a 1280 px screen: no sideways scroll, inside the list or outside it.
    assert fits_sideways(page)
    expect(page.get_by_role("columnheader", name="Har ventet")).to_be_visible()
    expect(page.get_by_role("columnheader", name="Spamtegn")).to_be_visible()
    expect(page.get_by_role("columnheader", name="PDF")).to_be_visible()
    expect(page.get_by_role("columnheader", name="Beslutning")).to_be_visible()
    screenshot("queue")

    # Each decision looks like what it does: publish stands out, spam is the danger colour,
    # reject is plain; every button is a target of at least 24 x 24 px.
    row = row_of(page, first)
    publish, reject, spam = (
        row.get_by_role("button", name=name, exact=True)
        for name in ("Offentliggør", "Afvis", "Markér som spam")
    )
    assert len({background_of(publish), background_of(reject), background_of(spam)}) == 3
    red, green, blue = background_of(spam)
    assert red > 150
    assert max(green, blue) < 80
    assert all(w >= 24 and h >= 24 for w, h in sizes_of(page.locator("#result_list button")))
    # No paper is not an error: a quiet mark, and a link where there is one.
    expect(page.locator("#result_list img[src*='icon-no']")).to_have_count(0)
    expect(row.get_by_role("link", name="PDF")).to_be_visible()

    # The whole text opens in the list, lists with their bullets.
    row.get_by_text("Læs det hele").click()
    bullet = row.locator(".mia-prose li").first
    expect(bullet).to_be_visible()
    assert bullet.evaluate("li => getComputedStyle(li).listStyleType") == "disc"

    # Published from the list: the confirmation stands where the eye is, above the rows with
    # the next one waiting on top, and names the contribution as its row did.
    row.get_by_role("button", name="Offentliggør").click()
    confirmation = page.locator("#mia-decided")
    expect(confirmation).to_have_text("Offentliggjort: “Roller i praksis”.")
    expect(confirmation).to_be_in_viewport()
    expect(row_of(page, second)).to_be_in_viewport()
    expect(page.locator(f"#mia-contribution-{first.pk}")).to_have_count(0)

    # Rejected from the list with a saved reason, in the contributor's language, adjusted.
    row_of(page, second).get_by_role("button", name="Afvis").click()
    # The saved reasons fill the field by script, which runs once the page has loaded.
    page.wait_for_load_state("load")
    page.get_by_label("Gemt begrundelse").select_option(label="Uden for spørgsmålet")
    reason = page.get_by_label("Begrundelse, som sendes til hver bidragyder")
    expect(reason).to_have_value("Your contribution is not about the question.")
    reason.press("End")
    reason.type(" Try the general debate.")
    page.get_by_role("button", name="Afvis").click()
    expect(page.get_by_text("Afvist: “Om noget andet”.")).to_be_visible()
    second.refresh_from_db()
    assert second.status == Status.REJECTED
    assert second.rejection_reason == (
        "Your contribution is not about the question. Try the general debate."
    )

    # A page opened before a colleague changed the contribution: its decision is refused.
    # On a laptop's screen the text and its decision are there together, without scrolling.
    page.set_viewport_size({"width": 1280, "height": 800})
    row_of(page, third).get_by_role("link", name="Facilitering").click()
    expect(page.get_by_role("heading", name="Beslutning")).to_be_visible()
    preview = page.frame_locator("iframe.mia-preview")
    expect(preview.get_by_text("Facilitatoren lytter mest.")).to_be_visible()
    expect(page.locator("iframe.mia-preview")).to_be_in_viewport()
    expect(page.get_by_role("button", name="Offentliggør")).to_be_in_viewport()
    assert fits_sideways(page)
    assert all(w >= 24 and h >= 24 for w, h in sizes_of(page.locator(".mia-desk button")))
    screenshot("contribution")
    edited_by(colleague, third, title="Facilitering i praksis")
    page.get_by_role("button", name="Markér som spam").click()
    refusal = page.locator(".errorlist")
    expect(refusal).to_contain_text("Ikke besluttet: det er ændret, siden du åbnede det")
    expect(refusal).to_contain_text("kollega redigerede indlægget")
    third.refresh_from_db()
    assert third.status == Status.PENDING

    # Looked at again, it is published, and the page goes on to the last one waiting.
    page.get_by_role("button", name="Offentliggør").click()
    expect(page.get_by_text("Offentliggjort: “Facilitering i praksis”.")).to_be_visible()
    expect(page.get_by_role("heading", name="Katalysator")).to_be_visible()
    page.get_by_role("button", name="Offentliggør").click()
    expect(page.get_by_text("Køen er tom: ingen indlæg venter.").first).to_be_visible()
    screenshot("empty")
    assert [c.status for c in Contribution.objects.filter(pk__in=[third.pk, fourth.pk])] == [
        Status.PUBLISHED,
        Status.PUBLISHED,
    ]


def test_a_decision_pressed_with_unsaved_changes_takes_them_along(page, seeded, screenshot):
    question = Question.objects.get(slug="lederens-roller")
    typo, other = (
        make_contribution(
            question=question,
            status=Status.PENDING,
            confirmed_at=timezone.now() - timedelta(hours=hours),
            title=title,
            author_email=f"{name}@example.dk",
        )
        for hours, title, name in [(5, "Ledelse i praksiss", "karen"), (3, "Roller", "bo")]
    )
    log_in(page, make_webmaster())

    # The title is corrected, and "Offentliggør" pressed at the top without saving first.
    page.goto(f"/admin/debates/contribution/{typo.pk}/change/")
    page.get_by_label("Titel").fill("Ledelse i praksis")
    page.get_by_role("button", name="Offentliggør").click()

    expect(
        page.get_by_text("Dine ændringer (titel) blev gemt først, som en redigering.")
    ).to_be_visible()
    expect(page.get_by_text("Offentliggjort: “Ledelse i praksis”.")).to_be_visible()
    typo.refresh_from_db()
    assert (typo.status, typo.title, typo.original_title) == (
        Status.PUBLISHED,
        "Ledelse i praksis",
        "Ledelse i praksiss",
    )
    (published,) = [m for m in mail.outbox if "karen@example.dk" in m.to[0]]
    assert "Redaktionen har redigeret dit indlæg" in text_of(published)

    # On the next one, Enter in the title saves the change and decides nothing.
    expect(page.get_by_role("heading", name="Roller")).to_be_visible()
    title = page.get_by_label("Titel")
    title.fill("Roller i praksis")
    title.press("Enter")
    expect(page.get_by_text("blev ændret. Du kan redigere videre herunder.")).to_be_visible()
    other.refresh_from_db()
    assert (other.status, other.title) == (Status.PENDING, "Roller i praksis")

    # Leaving by a link with a change unsaved asks first; staying keeps it.
    page.get_by_label("Titel").fill("Roller, igen")
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))
    page.get_by_role("link", name="Tilbage til køen").click()
    expect(page.get_by_label("Titel")).to_have_value("Roller, igen")
    assert asked == ["beforeunload"]
    screenshot("unsaved")


def test_blocking_a_sender_says_how_many_earlier_contributions_it_concerns_and_asks(page, seeded):
    question = Question.objects.get(slug="lederens-roller")
    contribution = make_contribution(
        question=question, status=Status.PENDING, author_email="ole@reklame.example"
    )
    make_contribution(question=question, author_email="kim@reklame.example")
    make_contribution(question=question, author_email="ole@reklame.example", status=Status.SPAM)
    log_in(page, make_webmaster())
    page.goto(f"/admin/debates/contribution/{contribution.pk}/change/")

    page.get_by_role("button", name="Bloker hele domænet reklame.example").click()
    expect(
        page.get_by_text("Andre indlæg fra adresser på reklame.example: 2, heraf 1 offentliggjort.")
    ).to_be_visible()
    page.get_by_role("link", name="Annullér").click()
    expect(page.get_by_role("heading", name="Beslutning")).to_be_visible()
    assert not BlockRule.objects.exists()

    page.get_by_role("button", name="Bloker adressen ole@reklame.example").click()
    expect(
        page.get_by_text("Andre indlæg fra denne adresse: 1, heraf 0 offentliggjort.")
    ).to_be_visible()
    confirm = page.get_by_role("button", name="Bloker adressen ole@reklame.example")
    red, green, blue = background_of(confirm)
    assert red > 150
    assert max(green, blue) < 80
    confirm.click()
    expect(page.locator(".messagelist")).to_contain_text(
        "Blokeret: e-mailadresse ole@reklame.example"
    )
    assert BlockRule.objects.get().value == "ole@reklame.example"


def test_every_list_of_contributions_fits_a_laptop_and_the_content_desk_speaks_danish(page, seeded):
    question = Question.objects.get(slug="lederens-roller")
    make_contribution(
        question=question,
        status=Status.PENDING,
        author_name="Tilbudsafdelingen Billige Ure og Smykker",
        body="Se https://billige-ure-og-smykker.example/tilbud/ugens-bedste-tilbud-paa-ure-2026",
    )
    make_contribution(question=Question.objects.get(slug="generel-debat"), status=Status.SPAM)
    log_in(page, make_webmaster())
    page.set_viewport_size({"width": 1280, "height": 800})
    for url in (
        "/admin/moderation/queueentry/",
        "/admin/debates/contribution/",
        "/admin/debates/contribution/?status__exact=pending",
    ):
        page.goto(url)
        assert fits_sideways(page), url

    page.goto(f"/admin/debates/workshop/{Workshop.objects.first().pk}/change/")
    expect(page.get_by_role("button", name="Tilføj endnu et oplæg")).to_be_visible()
