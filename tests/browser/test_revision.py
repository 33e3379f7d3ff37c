"""
Sending back for revision the whole way, in a real browser: the webmaster sends a contribution
back with a note from its page on the desk, the contributor opens the mail's link, finds their
text in the form, revises and sends it, and the desk has it waiting again with the changes shown.
"""

import html

import pytest
from django.core import mail
from playwright.sync_api import expect

from debates.models import Contribution
from tests.browser.accessibility import wcag_violations
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_desk import log_in
from tests.factories import make_contribution, make_webmaster
from tests.mail import html_of, links, mails_to, path_of, text_of

pytestmark = pytest.mark.django_db(transaction=True)

Status = Contribution.Status

PHONE = {"width": 390, "height": 844}


def test_a_contribution_sent_back_with_a_note_comes_back_revised(
    page, browser, live_server, question, screenshot
):
    contribution = make_contribution(
        question=question,
        status=Status.PENDING,
        author_name="Karen Blixen",
        author_email="karen@example.dk",
        title="Roller i praksis",
        body="Lederen skifter mellem rollerne.\n\nDet gør hun hele tiden, hver dag, altid.",
    )
    webmaster = make_webmaster(username="redaktoer")

    # The webmaster sends it back with a note from its page.
    log_in(page, webmaster)
    page.goto(f"/admin/debates/contribution/{contribution.pk}/change/")
    page.locator("#mia-reason").fill("Skriv et eksempel fra din egen kommune.")
    page.get_by_role("button", name="Send tilbage til revision").click()
    expect(page.get_by_text("Sendt tilbage til revision: “Roller i praksis”.")).to_be_visible()

    (message,) = mails_to(mail.outbox, "karen@example.dk")
    assert "> Skriv et eksempel fra din egen kommune." in text_of(message)
    (link,) = [url for url in links(message) if "/indlaeg/ret/" in url]
    show_mail(page, message, screenshot)

    # The contributor opens the link in a browser of their own: the note, and their text.
    contributor = browser.new_context(base_url=live_server.url, locale="da-DK")
    form = contributor.new_page()
    form.goto(path_of(link))
    expect(form.get_by_role("heading", name="Revidér dit indlæg")).to_be_visible()
    expect(form.get_by_text("Skriv et eksempel fra din egen kommune.")).to_be_visible()
    expect(form.get_by_label("Overskrift på dit indlæg")).to_have_value("Roller i praksis")
    body = form.locator("textarea[name=body]")
    expect(body).to_have_value(contribution.body)
    assert wcag_violations(form) == []
    for size, name in ((None, "form"), (PHONE, "form-phone")):
        if size:
            form.set_viewport_size(size)
        shot(form, name)
    form.set_viewport_size({"width": 1280, "height": 800})

    body.fill(
        "Lederen skifter mellem rollerne.\n\nI Roskilde Kommune gør hun det på hvert morgenmøde."
    )
    form.get_by_role("button", name="Send det reviderede indlæg").click()
    expect(form.get_by_role("heading", name="Dit reviderede indlæg er sendt")).to_be_visible()
    contributor.close()

    # The desk has the same contribution waiting again, with the note and the changes.
    page.goto("/admin/moderation/queueentry/")
    page.get_by_role("link", name="Roller i praksis").first.click()
    revision = page.locator(".mia-revision")
    expect(
        revision.get_by_role("heading", name="Revideret efter at være sendt tilbage")
    ).to_be_visible()
    expect(revision).to_contain_text("Skriv et eksempel fra din egen kommune.")
    expect(revision.locator(".mia-diff-removed del").first).to_contain_text("Det")
    expect(revision.locator(".mia-diff-added ins").first).to_contain_text("I")
    expect(page.get_by_role("button", name="Offentliggør")).to_be_visible()
    assert Contribution.objects.get().status == Status.PENDING
    screenshot("desk")


def shot(tab, name):
    """A full-page screenshot of another tab than the test's own, beside the fixture's."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=SCREENSHOTS / f"revision-{name}.png", full_page=True)


def show_mail(page, message, screenshot):
    """The mail as a mail program shows it: its HTML part, and its text part as plain text."""
    # A blank page first, so that the site's content security policy does not hold the mail.
    page.goto("about:blank")
    page.set_content(html_of(message))
    screenshot("mail-html")
    page.set_content(
        f"<pre style='font: 15px/1.5 monospace; white-space: pre-wrap; max-width: 46em'>"
        f"Subject: {html.escape(message.subject)}\n\n{html.escape(text_of(message))}</pre>"
    )
    screenshot("mail-text")
