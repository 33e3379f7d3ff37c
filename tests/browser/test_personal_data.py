"""A person opens the link in their data mail and reads what the forum holds, in a real browser."""

import json
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from moderation.tokens import make_token
from tests.browser.accessibility import target_sizes, wcag_violations
from tests.factories import make_contribution

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("language", ["", "/en"])
def test_the_data_link_opens_a_readable_page_with_the_file_beside_it(
    page, question, language, screenshot
):
    make_contribution(
        question=question,
        author_email="ida@example.dk",
        author_name="Ida Holm",
        title="Om ledelse",
        body="Ledere skal give plads.\n\nOgså til fejl.",
    )
    token = make_token("ida@example.dk", "personal-data")

    page.goto(language + reverse("moderation:personal-data-download", args=[token]))

    expect(page.get_by_role("heading", level=3, name="Om ledelse")).to_be_visible()
    expect(page.get_by_text("Ledere skal give plads.")).to_be_visible()
    expect(page.get_by_text("Ida Holm", exact=True)).to_be_visible()
    assert wcag_violations(page) == []
    screenshot(language.strip("/") or "da")
    page.set_viewport_size({"width": 390, "height": 844})
    assert target_sizes(page)["small"] == []
    screenshot(f"{language.strip('/') or 'da'}-phone")

    name = "Download it all as a file (JSON)" if language else "Hent det hele som fil (JSON)"
    with page.expect_download() as download:
        page.get_by_role("link", name=name).click()
    assert download.value.suggested_filename == "mia-debat-mine-data.json"
    data = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    contributions = data["contributions" if language else "indlæg"]
    assert [c["title" if language else "titel"] for c in contributions] == ["Om ledelse"]
