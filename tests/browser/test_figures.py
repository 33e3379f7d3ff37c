"""
The debate in figures in a real browser: its charts are images with a name, drawn with text, beside
tables of their numbers; the page passes axe-core in Danish and English, loads nothing from
elsewhere, and fits a phone's screen and a desktop zoomed to 200 and 400 %. The webmaster's panel
on the admin index draws its charts too.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from debates.models import Contribution, Question
from tests.browser.accessibility import wcag_violations
from tests.browser.test_desk import log_in
from tests.factories import make_contribution, make_webmaster

pytestmark = pytest.mark.django_db(transaction=True)

Status = Contribution.Status


@pytest.fixture
def debate(seeded):
    """Six weeks of a small debate, with a few contributors writing more than once."""
    questions = list(Question.objects.order_by("position")[:3])
    start = timezone.now() - timedelta(weeks=6)
    for n in range(30):
        moment = start + timedelta(days=n * 1.4)
        make_contribution(
            question=questions[n % 3 if n % 4 else 0],
            author_email=f"deltager{n % 11}@example.dk",
            confirmed_at=moment - timedelta(hours=3 + n % 5),
            published_at=moment,
        )
    make_contribution(question=questions[1], status=Status.PENDING)


def page_width(page):
    return page.evaluate("document.documentElement.scrollWidth")


@pytest.mark.parametrize(
    ("language", "charts"),
    [
        (
            "",
            [
                "Offentliggjorte indlæg og deres bidragydere, uge for uge",
                "Offentliggjorte indlæg pr. spørgsmål",
            ],
        ),
        (
            "/en",
            [
                "Contributions published per week, and their contributors",
                "Contributions published per question",
            ],
        ),
    ],
    ids=["da", "en"],
)
def test_the_page_draws_its_charts_beside_their_tables_and_meets_wcag_21_aa(
    page, debate, screenshot, language, charts
):
    page.goto(f"{language}/debatten-i-tal/")

    for name in charts:
        chart = page.get_by_role("img", name=name)
        expect(chart).to_be_visible()
        expect(chart.locator("text").first).to_be_visible()
        expect(page.get_by_role("table", name=name)).to_be_visible()
    expect(page.locator("table.chart-table th[scope=col]").first).to_be_visible()
    assert page.locator("table.chart-table").count() == len(charts)
    assert wcag_violations(page) == []
    assert page.outside_requests == []
    assert page.evaluate("[...document.scripts].map(s => new URL(s.src).pathname)") == [
        "/static/js/site.js"
    ]
    screenshot("desktop")


@pytest.mark.parametrize(
    ("width", "height", "name"),
    [(390, 844, "phone"), (640, 400, "zoomed-200"), (320, 256, "zoomed-400")],
)
def test_the_page_fits_a_phone_and_a_zoomed_desktop_without_scrolling_sideways(
    page, debate, screenshot, width, height, name
):
    page.set_viewport_size({"width": width, "height": height})
    page.goto("/debatten-i-tal/")

    chart = page.get_by_role("img", name="Offentliggjorte indlæg pr. spørgsmål")
    expect(chart).to_be_visible()
    assert page_width(page) <= width
    assert chart.bounding_box()["width"] <= width
    # The chart's text is set at the page's own size, however narrow the screen.
    size = chart.locator("text").first.evaluate("t => t.getBoundingClientRect().height")
    assert size >= 12
    screenshot(name)


def test_the_webmaster_sees_the_queue_in_figures_on_the_admin_index(page, debate, screenshot):
    log_in(page, make_webmaster())

    panel = page.locator("#mia-figures")
    expect(
        panel.get_by_role("img", name="Indlæg, der venter i køen, ved slutningen af hver dag")
    ).to_be_visible()
    expect(
        panel.get_by_role("img", name="Tid fra bekræftelse til beslutning, pr. uge")
    ).to_be_visible()
    expect(
        panel.get_by_role("table", name="Tid fra bekræftelse til beslutning, pr. uge")
    ).to_be_visible()
    expect(panel.get_by_role("columnheader", name="man")).to_be_visible()
    assert wcag_violations(page, within="#mia-figures") == []
    screenshot("admin")
