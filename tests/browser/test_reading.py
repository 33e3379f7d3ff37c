"""A reader finds their way from the home page to an open question, in a real browser."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_reader_goes_from_the_home_page_to_an_open_question(page, seeded, screenshot):
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "MIA – Ministeriernes Innovationsakademi"
    )
    workshops = page.get_by_role("region", name="De fem MIA-workshops")
    for number in range(1, 6):
        expect(workshops.get_by_role("link", name=f"MIA-workshop {number}")).to_be_visible()
    screenshot("home")

    page.get_by_role("link", name="Læs konklusionerne og deltag i debatten").click()
    expect(page).to_have_url("/workshops/5/konklusioner/")
    questions = page.locator("aside.open-question")
    expect(questions).to_have_count(7)
    links = page.get_by_role("link", name="Læs og deltag i debatten om spørgsmålet")
    expect(links).to_have_count(6)
    screenshot("paper")

    links.nth(1).click()
    expect(page).to_have_url("/debat/lederens-roller/")
    expect(page.get_by_text("Hvordan håndteres dette dilemma i praksis?")).to_be_visible()
    assert page.outside_requests == []


def test_the_site_loads_nothing_from_other_hosts(page, seeded):
    for path in ("/", "/workshops/", "/workshops/5/", "/workshops/5/konklusioner/"):
        page.goto(path)
        # Bootstrap's own stylesheet and script are served from the site itself.
        assert page.evaluate("getComputedStyle(document.body).display") == "flex"
        assert page.evaluate("typeof window.bootstrap") == "object"
    assert page.outside_requests == []


def test_the_menu_folds_on_a_phone_and_opens_from_the_keyboard(page, seeded):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/")
    menu_link = page.get_by_role("link", name="Workshops", exact=True)
    expect(menu_link).to_be_hidden()
    page.get_by_role("button", name="Vis eller skjul menuen").focus()
    page.keyboard.press("Enter")
    expect(menu_link).to_be_visible()


def test_keyboard_users_can_skip_to_the_content(page, seeded):
    page.goto("/workshops/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Gå til indholdet")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


def test_english_readers_switch_language_on_the_same_page(page, seeded):
    page.goto("/debat/motivation/")
    page.get_by_role("link", name="English").click()
    expect(page).to_have_url("/en/debat/motivation/")
    expect(page.get_by_role("link", name="Skip to content")).to_be_attached()
    page.get_by_role("link", name="Dansk").click()
    expect(page).to_have_url("/debat/motivation/")
