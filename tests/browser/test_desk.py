"""
The webmaster works through a queue in a real browser: reads and decides from the list, going on
to the next each time, uses a saved reason, and has a decision on a page that changed refused.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from debates.models import Contribution, Question
from moderation.models import SavedReason
from tests.factories import PDF_BYTES, make_contribution, make_webmaster
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
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    assert page.evaluate(
        "(() => { const r = document.querySelector('.results');"
        " return r.scrollWidth <= r.clientWidth; })()"
    )
    expect(page.get_by_role("columnheader", name="Har ventet")).to_be_visible()
    expect(page.get_by_role("columnheader", name="Spamtegn")).to_be_visible()
    expect(page.get_by_role("columnheader", name="PDF")).to_be_visible()
    expect(page.get_by_role("columnheader", name="Beslutning")).to_be_visible()
    screenshot("queue")

    # The whole text opens in the list, lists with their bullets.
    row = row_of(page, first)
    row.get_by_text("Læs det hele").click()
    bullet = row.locator(".mia-prose li").first
    expect(bullet).to_be_visible()
    assert bullet.evaluate("li => getComputedStyle(li).listStyleType") == "disc"

    # Published from the list: back in the queue, the next one on top.
    row.get_by_role("button", name="Offentliggør").click()
    expect(page.get_by_text("Offentliggjort: “Roller i praksis”.")).to_be_visible()
    assert page.url.endswith(f"#mia-contribution-{second.pk}")
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
    row_of(page, third).get_by_role("link", name="Facilitering").click()
    expect(page.get_by_role("heading", name="Beslutning")).to_be_visible()
    preview = page.frame_locator("iframe.mia-preview")
    expect(preview.get_by_text("Facilitatoren lytter mest.")).to_be_visible()
    screenshot("contribution")
    edited_by(colleague, third, title="Facilitering i praksis")
    page.get_by_role("button", name="Markér som spam").click()
    refusal = page.locator(".messagelist .error")
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
