"""
The whole journey in a real browser: a contributor writes on a question page and confirms by the
mailed link; the webmaster publishes in the admin; the reply appears, a reply to it nests under
it, and a rejected contribution never appears while its author is told why.
"""

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.browser.accessibility import wcag_violations
from tests.browser.conftest import SCREENSHOTS
from tests.factories import make_webmaster
from tests.mail import links, path_of, text_of

pytestmark = pytest.mark.django_db(transaction=True)

QUESTION = "/debat/lederens-roller/"


def write(page, *, name, email, body, title=""):
    """Fill in the contribution form on the current page, preview it, and send it."""
    form = page.locator("form.contribution-form")
    form.get_by_role("textbox", name="Navn").fill(name)
    form.get_by_role("textbox", name="E-mail").fill(email)
    form.get_by_role("textbox", name="Organisation").fill("Roskilde Universitet")
    if title:
        form.get_by_role("textbox", name="Overskrift på dit indlæg").fill(title)
    form.get_by_role("textbox", name="Dit indlæg*", exact=True).fill(body)
    form.get_by_role("checkbox", name="Jeg giver samtykke").check()
    form.get_by_role("button", name="Forhåndsvis").click()
    expect(page.get_by_role("heading", name="Forhåndsvisning")).to_be_visible()
    # The focus moves to the preview, and the send button sits right by it: one Tab away.
    expect(page.locator("section.preview")).to_be_focused()
    page.keyboard.press("Tab")
    send = page.locator("section.preview").get_by_role("button", name="Send indlæg")
    expect(send).to_be_focused()
    send.click()
    expect(page.get_by_role("heading", name="Tak. Tjek nu din e-mail")).to_be_visible()


def confirm_from_mail(page, email):
    (message,) = [m for m in mail.outbox if email in m.to[0] and "Bekræft" in m.subject]
    (link,) = [url for url in links(message) if "/bekraeft/" in url]
    page.goto(path_of(link))
    page.get_by_role("button", name="Bekræft og send til redaktionen").click()
    expect(
        page.get_by_role("heading", name="Tak, dit indlæg er sendt til redaktionen")
    ).to_be_visible()


def log_in(page, user):
    page.goto("/admin/")
    page.get_by_label("Brugernavn").fill(user.username)
    page.get_by_label("Adgangskode").fill(user.raw_password)
    page.get_by_role("button", name="Log ind").click()


def test_a_contribution_goes_from_the_form_through_the_admin_to_the_thread(
    browser, live_server, seeded
):
    webmaster = make_webmaster(email="redaktion@ruc.example")
    contributor = browser.new_context(base_url=live_server.url, locale="da-DK")
    editor = browser.new_context(base_url=live_server.url, locale="da-DK")
    page, desk = contributor.new_page(), editor.new_page()
    page.set_default_timeout(10_000)
    desk.set_default_timeout(10_000)

    # A contributor writes on the question's page, previews, sends and confirms.
    page.goto(QUESTION)
    write(
        page,
        name="Karen Blixen",
        email="karen@example.dk",
        title="Roller i praksis",
        body="Rollerne kan *forenes*, hvis lederen skifter bevidst mellem dem.",
    )
    screenshot_of(page, "sent")
    confirm_from_mail(page, "karen@example.dk")
    page.goto(QUESTION)
    expect(page.get_by_text("Roller i praksis")).to_have_count(0)

    # The webmaster is told, logs in, and publishes it from its page.
    (notice,) = [m for m in mail.outbox if "Nyt indlæg fra Karen Blixen" in m.subject]
    assert "redaktion@ruc.example" in notice.to
    log_in(desk, webmaster)
    expect(desk.get_by_text("1 indlæg venter")).to_be_visible()
    desk.get_by_role("link", name="1 indlæg venter").click()
    desk.get_by_role("link", name="Roller i praksis").click()
    screenshot_of(desk, "admin-contribution")
    desk.get_by_role("button", name="Offentliggør").click()
    expect(desk.get_by_text("Offentliggjort: “Roller i praksis”.")).to_be_visible()

    page.goto(QUESTION)
    first = page.locator("article.reply", has_text="Roller i praksis")
    expect(first).to_be_visible()
    expect(first.locator("em")).to_have_text("forenes")
    expect(first).to_contain_text("Karen Blixen")
    published = [m for m in mail.outbox if m.subject.endswith("er offentliggjort")]
    assert [m.to for m in published] == [["Karen Blixen <karen@example.dk>"]]

    # Someone replies to it; the reply nests under it once published (in bulk from the list).
    first.get_by_role("link", name="Svar til Karen Blixen").click()
    expect(page.get_by_text("Du svarer Karen Blixen:")).to_be_visible()
    write(page, name="Niels Bohr", email="niels@example.dk", body="Enig, men det kræver tid.")
    confirm_from_mail(page, "niels@example.dk")
    desk.goto("/admin/debates/contribution/?status__exact=pending")
    desk.get_by_role("row", name="Enig").get_by_role("checkbox").check()
    desk.get_by_role("combobox", name="Handling").select_option(
        label="Offentliggør de valgte indlæg"
    )
    desk.get_by_role("button", name="Udfør").click()
    expect(desk.get_by_text("Offentliggjort: 1 indlæg.")).to_be_visible()

    page.goto(QUESTION)
    nested = page.locator("li.reply-item", has=first).locator("ol.thread article.reply")
    expect(nested).to_have_count(1)
    expect(nested).to_contain_text("Enig, men det kræver tid.")
    screenshot_of(page, "thread")
    assert wcag_violations(page) == []

    # A third contribution is rejected: it never appears, and its author is told why.
    page.goto(QUESTION)
    write(page, name="Spam Sørensen", email="spam@example.dk", body="Køb billige ure her.")
    confirm_from_mail(page, "spam@example.dk")
    desk.goto("/admin/debates/contribution/?status__exact=pending")
    desk.get_by_role("link", name="Køb billige ure her.").click()
    desk.get_by_role("textbox", name="Begrundelse").fill("Reklame hører ikke hjemme i debatten.")
    desk.get_by_role("button", name="Afvis").click()
    expect(desk.get_by_text("Afvist: “")).to_be_visible()

    page.goto(QUESTION)
    expect(page.get_by_text("Køb billige ure her.")).to_have_count(0)
    (rejection,) = [m for m in mail.outbox if "ikke offentliggjort" in m.subject]
    assert rejection.to == ["Spam Sørensen <spam@example.dk>"]
    assert "Reklame hører ikke hjemme i debatten." in text_of(rejection)

    contributor.close()
    editor.close()


def test_the_form_page_with_errors_and_a_preview_meets_wcag_21_aa(page, seeded):
    page.goto(QUESTION)
    page.locator("form.contribution-form").get_by_role("button", name="Send indlæg").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Der er problemer med 4 felter")
    expect(summary).to_be_focused()
    assert page.title().startswith("Fejl: Skriv et indlæg")
    assert wcag_violations(page) == []
    page.get_by_role("link", name="E-mail: Dette felt er påkrævet.").click()
    expect(page.get_by_role("textbox", name="E-mail")).to_be_focused()

    write_without_sending(page)
    preview = page.locator("section.preview")
    expect(preview).to_be_focused()
    expect(preview.locator(".reply-body strong")).to_have_text("fed")
    assert wcag_violations(page) == []


def write_without_sending(page):
    form = page.locator("form.contribution-form")
    form.get_by_role("textbox", name="Navn").fill("Karen Blixen")
    form.get_by_role("textbox", name="E-mail").fill("karen@example.dk")
    form.get_by_role("textbox", name="Dit indlæg*", exact=True).fill("En **fed** pointe.")
    form.get_by_role("checkbox", name="Jeg giver samtykke").check()
    form.get_by_role("button", name="Forhåndsvis").click()


def screenshot_of(page, name):
    """The screenshot fixture follows the default page; this one takes any page."""

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"journey-{name}.png", full_page=True)
