"""On a phone the main menu folds behind its button, which a reader opens and closes."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


def test_the_menu_button_opens_and_closes_the_menu_with_the_mouse(page, seeded):
    page.set_viewport_size(PHONE)
    page.goto("/debat/lederens-roller/")
    toggler = page.get_by_role("button", name="Vis eller skjul menuen")
    workshops = page.get_by_role("link", name="Workshops", exact=True)
    expect(workshops).to_be_hidden()
    expect(toggler).to_have_attribute("aria-expanded", "false")

    toggler.click()
    expect(workshops).to_be_visible()
    expect(toggler).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("searchbox", name="Søg i debatten")).to_be_visible()

    toggler.click()
    expect(workshops).to_be_hidden()
    expect(toggler).to_have_attribute("aria-expanded", "false")

    toggler.click()
    workshops.click()
    expect(page).to_have_url("/workshops/")


def test_the_menu_button_opens_and_closes_the_menu_from_the_keyboard(page, seeded):
    page.set_viewport_size(PHONE)
    page.goto("/")
    toggler = page.get_by_role("button", name="Vis eller skjul menuen")
    home = page.get_by_role("link", name="Forside", exact=True)

    toggler.focus()
    page.keyboard.press("Enter")
    expect(home).to_be_visible()
    expect(toggler).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("Tab")
    expect(home).to_be_focused()

    page.keyboard.press("Escape")
    expect(home).to_be_hidden()
    expect(toggler).to_have_attribute("aria-expanded", "false")
    expect(toggler).to_be_focused()

    page.keyboard.press("Space")
    expect(home).to_be_visible()
    expect(toggler).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("Space")
    expect(home).to_be_hidden()
    expect(toggler).to_have_attribute("aria-expanded", "false")


def test_without_javascript_a_phone_shows_the_menu_open(browser, live_server, seeded):
    context = browser.new_context(
        base_url=live_server.url, locale="da-DK", viewport=PHONE, java_script_enabled=False
    )
    page = context.new_page()
    page.goto("/")
    expect(page.get_by_role("link", name="Workshops", exact=True)).to_be_visible()
    expect(page.get_by_role("searchbox", name="Søg i debatten")).to_be_visible()
    expect(page.get_by_role("button", name="Vis eller skjul menuen")).to_be_hidden()
    context.close()


def test_on_a_desktop_the_menu_is_open_and_has_no_button(page, seeded):
    page.goto("/")
    expect(page.get_by_role("link", name="Workshops", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Vis eller skjul menuen")).to_be_hidden()
