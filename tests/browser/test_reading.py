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
        # Bootstrap's stylesheet is served from the site itself.
        assert page.evaluate("getComputedStyle(document.body).display") == "flex"
    assert page.outside_requests == []


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


def thread_with_depth(question, settings):
    """A thread nested to the depth cap, and a reply to its deepest contribution."""
    from tests.factories import make_contribution

    parent = None
    names = ["Anne Lund", "Bo Friis", "Carl Dahl", "Karen Holm"]
    for level, name in enumerate(names[: settings.MIA_MAX_REPLY_DEPTH], start=1):
        parent = make_contribution(
            question=question,
            parent=parent,
            author_name=name,
            title=f"Niveau {level}: medarbejderne og ledelsen",
            body="Medarbejderne skal have rum til at prøve noget nyt. " * 3,
        )
    deepest = parent
    return make_contribution(
        question=question,
        parent=deepest.parent,
        in_reply_to=deepest,
        author_name="Lars Bak",
        title="Niveau 5",
        body="Et svar til det dybeste indlæg.",
    ), deepest


def test_a_reader_searches_and_lands_on_the_contribution(
    page, seeded, question, settings, screenshot
):
    reply, _deepest = thread_with_depth(question, settings)
    page.goto("/")
    page.get_by_role("searchbox", name="Søg i debatten").fill("Medarbejdere")
    page.keyboard.press("Enter")

    expect(page).to_have_url("/soeg/?q=Medarbejdere")
    expect(page.get_by_role("searchbox", name="Ord, du søger efter")).to_have_value("Medarbejdere")
    contributions = page.get_by_role("region", name="4 indlæg")
    expect(contributions.locator(".search-snippet mark").first).to_have_text("Medarbejderne")
    expect(contributions.locator(".search-hit-title mark").first).to_have_text("medarbejderne")
    expect(
        page.get_by_role("region", name="3 spørgsmål og afsnit i konklusionerne")
    ).to_be_visible()
    screenshot("1280")
    page.set_viewport_size({"width": 375, "height": 800})
    screenshot("375")

    contributions.get_by_role("link", name="Niveau 3: medarbejderne og ledelsen").click()
    expect(page).to_have_url(f"{question.get_absolute_url()}#{reply.parent.anchor}")
    assert page.outside_requests == []


def test_a_flattened_reply_links_to_what_it_answers(page, seeded, question, settings, screenshot):
    reply, deepest = thread_with_depth(question, settings)
    page.goto(question.get_absolute_url())

    answer = page.locator(f"#{reply.anchor}")
    answer.get_by_role("link", name="Karen Holm").click()
    expect(page).to_have_url(f"{question.get_absolute_url()}#{deepest.anchor}")
    page.locator(f"#{deepest.anchor}").scroll_into_view_if_needed()
    screenshot("1280")
    page.set_viewport_size({"width": 375, "height": 800})
    screenshot("375")


def test_focus_is_as_visible_on_fields_checkboxes_and_buttons_as_on_links(page, seeded, question):
    page.goto(question.get_absolute_url())
    form = page.locator("form.contribution-form")
    controls = {
        "link": page.get_by_role("link", name="Oplæg ved Jacob Torfing"),
        "field": form.get_by_role("textbox").first,
        "checkbox": form.get_by_role("checkbox").first,
        "button": form.get_by_role("button").last,
    }
    rings = {}
    for name, control in controls.items():
        control.focus()
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Tab")
        expect(control).to_be_focused()
        rings[name] = control.evaluate(
            "e => { const s = getComputedStyle(e); return [s.outlineStyle, s.outlineWidth]; }"
        )
    assert rings == {name: ["solid", "3px"] for name in controls}


def test_a_phone_shows_the_header_on_one_row_and_nothing_wider_than_the_screen(page, seeded):
    page.set_viewport_size({"width": 375, "height": 800})
    for path in ("/", "/workshops/", "/workshops/5/konklusioner/", "/debat/lederens-roller/"):
        page.goto(path)
        brand = page.locator(".navbar-brand").bounding_box()
        toggler = page.get_by_role("button", name="Vis eller skjul menuen").bounding_box()
        assert toggler["y"] < brand["y"] + brand["height"], f"the menu button wraps on {path}"
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, path
        cvr = page.locator("address span", has_text="SE/CVR-nr.")
        assert cvr.evaluate("e => e.getClientRects().length") == 1


def test_english_readers_are_told_the_debate_is_in_danish(page, seeded):
    note = "The debate itself is in Danish"
    page.goto("/en/workshops/5/konklusioner/")
    expect(page.get_by_text(note)).to_have_count(1)
    expect(page.get_by_text("0 contributions").first).to_be_visible()
    page.goto("/en/debat/lederens-roller/")
    expect(page.get_by_text(note)).to_have_count(1)
    page.goto("/debat/lederens-roller/")
    expect(page.get_by_text(note)).to_have_count(0)
