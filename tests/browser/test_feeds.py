"""A reader who opens a feed's link in a browser gets a page that says what a feed is."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.accessibility import wcag_violations
from tests.factories import make_contribution

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_feed_link_opens_a_page_about_feeds_under_the_sites_security_policy(
    page, question, live_server, screenshot
):
    make_contribution(question=question, title="Om ledelse", author_name="Anna Lund")
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto(question.get_absolute_url())

    with page.expect_response(re.compile(r"/feed/$")) as opened:
        page.get_by_role("link", name="spørgsmålets feed").click()

    policy = opened.value.headers["content-security-policy"]
    assert "default-src 'self'" in policy
    assert "unsafe" not in policy
    expect(page.get_by_role("heading", level=1)).to_have_text(f"MIA-debatten: {question.title}")
    expect(page.get_by_text("Denne adresse er et feed")).to_be_visible()
    address = f"{live_server.url}/debat/{question.slug}/feed/"
    expect(page.locator(".feed-address")).to_have_text(address)
    expect(page.get_by_role("link", name="Om ledelse")).to_be_visible()
    assert wcag_violations(page) == []
    screenshot()
    assert errors == []
    assert page.outside_requests == []
