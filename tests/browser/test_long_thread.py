"""
A long thread on a phone: the way to the form is in the first screen, a sub-thread folds away
without JavaScript, and the first page stays a few screens long however many contributions the
thread has.
"""

import pytest
from playwright.sync_api import expect

from tests.factories import make_early_thread, make_thread

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
MOST_SCREENS = 15


@pytest.fixture
def phone_without_javascript(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, locale="da-DK", viewport=PHONE, java_script_enabled=False
    )
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def test_the_way_to_the_form_is_in_the_first_screen_and_works_without_javascript(
    phone_without_javascript, question
):
    page = phone_without_javascript
    make_thread(question, top_level=8, replies_each=3)
    page.goto(question.get_absolute_url())

    link = page.get_by_role("link", name="Skriv et indlæg", exact=True)
    box = link.bounding_box()
    assert box["y"] >= 0
    assert box["y"] + box["height"] <= PHONE["height"]
    assert box["height"] >= 24
    assert box["width"] >= 24
    form_heading = page.get_by_role("heading", name="Deltag i debatten")
    expect(form_heading).not_to_be_in_viewport()

    link.click()

    expect(form_heading).to_be_in_viewport()
    expect(page.locator("#id_author_name")).to_be_visible()


def test_a_reader_folds_a_sub_thread_and_opens_it_again_without_javascript(
    phone_without_javascript, question
):
    page = phone_without_javascript
    (top,) = make_thread(question, top_level=1, replies_each=3)
    page.goto(question.get_absolute_url())
    summary = page.locator("summary", has_text=f"3 svar til {top.author_name}")
    deepest = page.get_by_text("Bidragyder 0-4", exact=True)
    expect(deepest).to_be_visible()

    box = summary.bounding_box()
    assert box["height"] >= 24
    assert box["width"] >= 24
    summary.click()

    expect(deepest).to_be_hidden()
    expect(page.get_by_text(top.author_name, exact=True)).to_be_visible()
    summary.click()
    expect(deepest).to_be_visible()


def test_the_fold_shows_where_the_keyboard_is(page, question):
    make_thread(question, top_level=1, replies_each=1)
    page.set_viewport_size(PHONE)
    page.goto(question.get_absolute_url())
    summary = page.locator("summary").first

    page.keyboard.press("Tab")
    summary.focus()
    style, width = summary.evaluate(
        "s => [getComputedStyle(s).outlineStyle, parseFloat(getComputedStyle(s).outlineWidth)]"
    )

    assert style == "solid"
    assert width >= 3
    page.keyboard.press("Enter")
    expect(page.locator("details.thread-fold").first).not_to_have_attribute("open", "")


def test_the_first_page_of_a_thousand_contributions_is_a_few_phone_screens(page, question):
    make_early_thread(question, 1000)
    page.set_viewport_size(PHONE)

    page.goto(question.get_absolute_url())

    height = page.evaluate("document.documentElement.scrollHeight")
    assert height <= MOST_SCREENS * PHONE["height"], f"{height / PHONE['height']:.1f} screens"
    expect(page.get_by_role("link", name="Skriv et indlæg", exact=True)).to_be_in_viewport()
