"""
The webmaster makes a contribution an editors' pick from its page on the desk; readers then find
it first on the question's page, follow the list to its place in the thread, and see its badge.
"""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from debates.models import Contribution, Question
from tests.browser.accessibility import target_sizes, wcag_violations
from tests.factories import make_contribution, make_webmaster

pytestmark = pytest.mark.django_db(transaction=True)


def log_in(page, user):
    page.goto("/admin/")
    page.get_by_label("Brugernavn").fill(user.username)
    page.get_by_label("Adgangskode").fill(user.raw_password)
    page.get_by_role("button", name="Log ind").click()


def test_the_webmaster_picks_from_the_desk_and_readers_find_it_first(page, seeded, screenshot):
    question = Question.objects.get(slug="lederens-roller")
    webmaster = make_webmaster(username="redaktoer")
    start = timezone.now() - timedelta(days=3)
    opening, chosen, _later = (
        make_contribution(
            question=question,
            title=title,
            body=body,
            author_name=name,
            author_email=f"{name.split()[0].lower()}@example.dk",
            published_at=start + timedelta(hours=hours),
        )
        for hours, title, body, name in [
            (1, "Tre roller, én leder", "Lederen skifter mellem rollerne.", "Anna Holm"),
            (
                5,
                "Rollerne kræver tid",
                "Den, der faciliterer, må have tid til at lytte. " * 6,
                "Bo Jensen",
            ),
            (9, "Katalysatoren", "Nogen skal sætte i gang.", "Carl Berg"),
        ]
    )
    make_contribution(
        question=question, parent=opening, title="", body="Enig, og tilføjer et eksempel."
    )
    mail.outbox.clear()

    log_in(page, webmaster)
    page.goto(f"/admin/debates/contribution/{chosen.pk}/change/")
    decide = page.get_by_role("button", name="Fremhæv", exact=True)
    expect(decide).to_be_visible()
    decide.click()

    expect(page.get_by_text("Fremhævet: “Rollerne kræver tid”.")).to_be_visible()
    chosen.refresh_from_db()
    assert chosen.is_picked
    (told,) = [m for m in mail.outbox if "bo@example.dk" in m.to[0]]
    assert told.subject == "Redaktionen har fremhævet dit indlæg i MIA-debatten"
    # Back on its page the decision now offered is the one that takes it back.
    page.goto(f"/admin/debates/contribution/{chosen.pk}/change/")
    expect(page.get_by_text("Fremhævet af redaktionen siden")).to_be_visible()
    expect(page.get_by_role("button", name="Fjern fremhævningen")).to_be_visible()
    expect(page.get_by_role("button", name="Fremhæv", exact=True)).to_have_count(0)
    page.context.clear_cookies()

    page.goto(question.get_absolute_url())
    picks = page.get_by_role("region", name="Redaktionen fremhæver")
    expect(picks).to_be_visible()
    thread = page.get_by_role("heading", name="Indlæg", exact=True)
    assert picks.bounding_box()["y"] < thread.bounding_box()["y"]
    assert wcag_violations(page, within=".picks") == []
    assert wcag_violations(page, within=f"#{chosen.anchor}") == []
    screenshot("question")

    picks.get_by_role("link", name="Rollerne kræver tid").click()
    expect(page).to_have_url(f"{page.url.split('#')[0]}#{chosen.anchor}")
    article = page.locator(f"#{chosen.anchor}")
    expect(article).to_be_in_viewport()
    expect(article.get_by_text("Fremhævet af redaktionen")).to_be_visible()
    expect(
        page.locator(f"#{opening.anchor}").get_by_text("Fremhævet af redaktionen")
    ).to_have_count(0)
    assert target_sizes(page)["crowded"] == []

    page.goto("/")
    home = page.get_by_role("region", name="Redaktionen fremhæver")
    expect(home.get_by_role("link", name="Rollerne kræver tid")).to_be_visible()
    expect(home.get_by_text(question.title)).to_be_visible()

    # On a phone the list stands above the thread too, and nothing is wider than the screen.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(question.get_absolute_url())
    expect(page.get_by_role("region", name="Redaktionen fremhæver")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot("question-phone")
    assert Contribution.objects.picks().get() == chosen
