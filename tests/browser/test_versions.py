"""
The webmaster edits a paragraph of the paper in a real browser, finds the edit in the paper's
history as a diff, restores the earlier version, and readers see the earlier text again.
"""

import pytest
from playwright.sync_api import expect

from debates.models import Paper
from tests.browser.accessibility import wcag_violations
from tests.browser.conftest import SCREENSHOTS
from tests.factories import make_webmaster

pytestmark = pytest.mark.django_db(transaction=True)

OLD = "kreative innovationsprocesser kan være svære at lede"
NEW = "kreative fornyelsesprocesser kan være svære at lede"


def log_in(page, user):
    page.goto("/admin/")
    page.get_by_label("Brugernavn").fill(user.username)
    page.get_by_label("Adgangskode").fill(user.raw_password)
    page.get_by_role("button", name="Log ind").click()


def test_the_webmaster_restores_an_earlier_version_of_a_paragraph(
    page, seeded, browser, live_server
):
    paper = Paper.objects.get()
    paragraph = paper.paragraphs.get(text__contains=OLD)
    webmaster = make_webmaster(username="redaktoer")
    # A reader of their own, with no session: the page cache serves them.
    reader = browser.new_context(base_url=live_server.url, locale="da-DK").new_page()

    log_in(page, webmaster)
    page.goto(f"/admin/debates/paper/{paper.pk}/change/")
    text = page.locator("textarea").filter(has_text=OLD)
    text.fill(paragraph.text.replace(OLD, NEW) + "\n\nEt nyt afsluttende punkt.")
    page.get_by_role("button", name="Gem", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("blev ændret")
    reader.goto(paper.get_absolute_url())
    expect(reader.locator("main")).to_contain_text(NEW)

    page.goto(f"/admin/debates/paper/{paper.pk}/change/")
    page.get_by_role("link", name="Historik").click()
    expect(page.get_by_role("heading", name="Historik: MIA 5 konklusioner")).to_be_visible()
    edit = page.locator(".mia-version").first
    expect(edit).to_contain_text("Ændret af redaktoer")
    expect(edit.locator("del")).to_have_text("innovationsprocesser")
    expect(edit.locator("ins").first).to_have_text("fornyelsesprocesser")
    assert wcag_violations(page) == []
    page.set_viewport_size({"width": 1280, "height": 800})
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "history-diff.png")
    page.screenshot(path=SCREENSHOTS / "history-diff-full.png", full_page=True)

    earlier = page.locator(".mia-version").filter(has_text="Indlæst med sidens indhold")
    earlier = earlier.filter(has_text=f"Afsnit {paragraph.position}")
    earlier.scroll_into_view_if_needed()
    page.screenshot(path=SCREENSHOTS / "history-earlier-version.png")
    earlier.get_by_role("button", name="Gendan denne version").click()
    expect(page.locator(".messagelist")).to_contain_text("er gendannet som en ny version")
    expect(page.locator(".mia-version").first).to_contain_text("gendannet af redaktoer")
    page.screenshot(path=SCREENSHOTS / "history-restored.png")

    reader.goto(paper.get_absolute_url())
    expect(reader.locator("main")).to_contain_text(OLD)
    expect(reader.locator("main")).not_to_contain_text(NEW)
    expect(reader.locator("main")).not_to_contain_text("Et nyt afsluttende punkt.")
    reader.context.close()
