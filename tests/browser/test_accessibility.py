"""Every kind of public page passes axe-core's WCAG 2.1 AA checks, in Danish and in English."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.accessibility import wcag_violations
from tests.browser.test_reading import thread_with_depth
from tests.factories import make_thread

pytestmark = pytest.mark.django_db(transaction=True)

PAGES = [
    "/",
    "/workshops/",
    "/workshops/5/",
    "/workshops/2/",
    "/workshops/5/konklusioner/",
    "/debat/motivation/",
    "/debat/generel-debat/",
    "/debat/lederens-roller/skriv/",
    "/privatliv/",
    "/retningslinjer/",
    "/tilgaengelighed/",
    "/mine-data/",
    "/soeg/",
    "/soeg/?q=medarbejdere",
    "/soeg/?q=medarbejdere&kind=paper",
    "/soeg/?q=zebrafinke",
    "/findes-ikke/",
]


@pytest.mark.parametrize("language", ["", "/en"])
def test_public_pages_meet_wcag_21_aa(page, seeded, language):
    problems = {}
    for path in PAGES:
        page.goto(language + path)
        if found := wcag_violations(page):
            problems[language + path] = found
    assert problems == {}


@pytest.mark.parametrize("language", ["", "/en"])
def test_search_results_and_a_thread_past_the_depth_cap_meet_wcag_21_aa(
    page, seeded, question, settings, language
):
    thread_with_depth(question, settings)
    problems = {}
    for path in [
        "/soeg/?q=medarbejdere",
        "/soeg/?q=medarbejdere&kind=contributions",
        "/soeg/?q=og",
    ]:
        page.goto(language + path)
        expect(page.locator("#soeg-q")).to_be_visible()
        if found := wcag_violations(page):
            problems[language + path] = found
    page.goto(language + question.get_absolute_url())
    expect(page.locator(".reply-to")).to_be_visible()
    if found := wcag_violations(page):
        problems["thread"] = found
    assert problems == {}


@pytest.mark.parametrize("language", ["", "/en"])
def test_a_page_of_a_long_thread_meets_wcag_21_aa(page, seeded, question, settings, language):
    settings.MIA_THREAD_PAGE_SIZE = 3
    make_thread(question, top_level=8, replies_each=3)

    page.goto(f"{language}{question.get_absolute_url()}?side=2")

    current = page.locator(".thread-pages").first.locator("[aria-current=page]")
    expect(current).to_have_text(re.compile(r"\b2$"))
    assert wcag_violations(page) == []
    page.locator(".thread-pages").first.get_by_role("link", name=re.compile(r"\b3$")).click()
    expect(page).to_have_url(re.compile(r"\?side=3$"))
