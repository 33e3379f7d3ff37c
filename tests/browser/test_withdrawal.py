"""A contributor withdraws a published contribution from the link in our mail, in a real browser."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from debates.models import Contribution
from moderation import services
from tests.browser.accessibility import wcag_violations
from tests.factories import make_contribution, make_webmaster
from tests.mail import links, path_of

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_contributor_withdraws_a_contribution_and_the_replies_stay(page, question, screenshot):
    mine = make_contribution(
        question=question,
        status=Contribution.Status.PENDING,
        author_name="Inger Støjberg",
        author_email="inger@example.dk",
        title="Et indlæg jeg fortryder",
        body="Det her mener jeg ikke længere.",
    )
    services.publish(contribution=mine, actor=make_webmaster())
    make_contribution(
        question=question, parent=mine, author_name="Svend Auken", body="Jeg er uenig med Inger."
    )
    (published,) = [m for m in mail.outbox if m.to == ["Inger Støjberg <inger@example.dk>"]]
    (link,) = [url for url in links(published) if "/tilbagetraek/" in url]

    page.goto(path_of(link))
    expect(page.get_by_role("heading", name="Træk dit indlæg tilbage")).to_be_visible()
    expect(page.get_by_text("Det her mener jeg ikke længere.")).to_be_visible()
    assert wcag_violations(page) == []
    screenshot("confirm")
    page.get_by_role("button", name="Træk mit indlæg tilbage og slet det").click()
    expect(page.get_by_role("heading", name="Dit indlæg er trukket tilbage")).to_be_visible()

    page.get_by_role("link", name=f"Tilbage til “{question.title}”").click()
    expect(page.get_by_text("Dette indlæg er trukket tilbage af forfatteren.")).to_be_visible()
    expect(page.get_by_text("Det her mener jeg ikke længere.")).to_have_count(0)
    expect(page.get_by_text("Inger Støjberg")).to_have_count(0)
    reply = page.locator("li.reply-item li.reply-item article.reply")
    expect(reply).to_contain_text("Jeg er uenig med Inger.")
    screenshot("thread")
