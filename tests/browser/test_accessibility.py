"""Every kind of public page passes axe-core's WCAG 2.1 AA checks, in Danish and in English."""

import pytest

from tests.browser.accessibility import wcag_violations

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
