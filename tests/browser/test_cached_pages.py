"""A page from the cache, compressed around its tokens, is one Chromium reads and posts."""

import pytest
from playwright.sync_api import expect

from debates.models import Contribution

pytestmark = pytest.mark.django_db(transaction=True)

QUESTION = "/debat/lederens-roller/"


def test_a_first_time_visitor_sends_the_form_of_a_page_from_the_cache(browser, live_server, seeded):
    # Someone else's visit puts the page in the cache.
    warm = browser.new_context(base_url=live_server.url)
    warm.new_page().goto(QUESTION)
    warm.close()

    context = browser.new_context(base_url=live_server.url, locale="da-DK")
    page = context.new_page()
    response = page.goto(QUESTION)
    assert response.headers["content-encoding"] == "gzip"
    page.wait_for_load_state("load")
    form = page.locator("form.contribution-form")
    form.get_by_role("textbox", name="Navn").fill("Bo Holm")
    form.get_by_role("textbox", name="E-mail").fill("bo@example.dk")
    form.get_by_role("textbox", name="Dit indlæg*", exact=True).fill("Et svar fra cachen.")
    form.get_by_role("checkbox", name="Jeg giver samtykke").check()
    form.get_by_role("button", name="Send indlæg").click()

    expect(page.get_by_role("heading", name="Tak. Tjek nu din e-mail")).to_be_visible()
    assert Contribution.objects.filter(author_email="bo@example.dk").exists()
    context.close()
