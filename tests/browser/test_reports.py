"""
The desk's patterns in a real browser: a blocked sender's contribution lands in spam with the
reason shown; readers' reports reach the desk and are settled both ways; a question is closed
with a Markdown synthesis, its follower is mailed, and a visitor who was writing keeps the text.
"""

import pytest
from django.core import mail
from playwright.sync_api import expect

from debates.models import Contribution, Question
from moderation.models import Report, Subscription
from tests.browser.accessibility import wcag_violations
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_journey import confirm_from_mail, log_in, write
from tests.factories import make_contribution, make_webmaster
from tests.mail import text_of

pytestmark = pytest.mark.django_db(transaction=True)

QUESTION = "/debat/lederens-roller/"


@pytest.fixture
def two_tabs(browser, live_server):
    """A reader's tab and the webmaster's, each with its own cookies."""
    contexts = [
        browser.new_context(
            base_url=live_server.url, locale="da-DK", viewport={"width": 1280, "height": 900}
        )
        for _ in range(2)
    ]
    pages = [context.new_page() for context in contexts]
    for page in pages:
        page.set_default_timeout(10_000)
    yield pages
    for context in contexts:
        context.close()


def shoot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"reports-{name}.png", full_page=True)


def test_a_blocked_senders_contribution_lands_in_spam_with_the_reason_in_the_queue(
    two_tabs, seeded
):
    page, desk = two_tabs
    question = Question.objects.get(slug="lederens-roller")
    earlier = make_contribution(
        question=question,
        title="Billige ure",
        author_email="ole@reklame.example",
        status=Contribution.Status.SPAM,
    )

    # The webmaster blocks the whole domain from the earlier contribution's page.
    log_in(desk, make_webmaster())
    desk.goto(f"/admin/debates/contribution/{earlier.pk}/change/")
    desk.get_by_role("button", name="Bloker hele domænet reklame.example").click()
    expect(desk.get_by_text("Andre indlæg fra adresser på reklame.example: 0")).to_be_visible()
    desk.get_by_role("button", name="Bloker hele domænet reklame.example").click()
    expect(desk.locator(".messagelist")).to_contain_text("Blokeret: domæne reklame.example")

    # The sender writes again from another address on the domain; nothing looks different.
    page.goto(QUESTION)
    write(page, name="Ole Reklame", email="salg@reklame.example", body="Køb ure nu.")
    confirm_from_mail(page, "salg@reklame.example")

    desk.goto("/admin/debates/contribution/?status__exact=spam")
    row = desk.get_by_role("row", name="Køb ure nu.")
    expect(row).to_contain_text("Blokeret: domæne reklame.example")
    assert not [m for m in mail.outbox if m.subject.startswith("Nyt indlæg fra Ole Reklame")]


def test_readers_reports_reach_the_desk_and_are_dismissed_or_acted_on(two_tabs, seeded):
    page, desk = two_tabs
    question = Question.objects.get(slug="lederens-roller")
    fair = make_contribution(question=question, title="Et skarpt, men fair indlæg")
    unfair = make_contribution(
        question=question, title="Et angreb på en kollega", author_email="vred@example.dk"
    )

    # A reader reports the fair one; two readers report the unfair one.
    page.goto(QUESTION)
    page.locator("article.reply", has_text=fair.title).get_by_role("link", name="Anmeld").click()
    expect(page.get_by_role("heading", name="Anmeld et indlæg")).to_be_visible()
    page.get_by_label("uden for emnet").check()
    shoot(page, "form")
    assert wcag_violations(page) == []
    page.get_by_role("button", name="Send anmeldelsen").click()
    expect(page.get_by_role("heading", name="Tak for anmeldelsen")).to_be_visible()
    for words in ("Han hænger en navngiven kollega ud.", "Personangreb."):
        page.goto(QUESTION)
        page.locator("article.reply", has_text=unfair.title).get_by_role(
            "link", name="Anmeld"
        ).click()
        page.get_by_label("et personangreb").check()
        page.get_by_label("Er der noget, redaktionen bør vide?").fill(words)
        page.get_by_role("button", name="Send anmeldelsen").click()
        expect(page.get_by_role("heading", name="Tak for anmeldelsen")).to_be_visible()

    # The desk sees them beside the queue, the most reported first.
    log_in(desk, make_webmaster())
    summary = desk.locator("#mia-reports-summary")
    expect(summary).to_contain_text("3 åbne anmeldelser")
    expect(summary.locator("li").first).to_contain_text(unfair.title)

    # The unfair one is unpublished from its page, with a reason mailed to its author.
    summary.get_by_role("link", name=unfair.title).click()
    reports = desk.locator("#mia-reports")
    expect(reports).to_contain_text("Læseranmeldelser (2 åbne)")
    expect(reports).to_contain_text("Han hænger en navngiven kollega ud.")
    shoot(desk, "contribution-page")
    reports.get_by_label("Eller tag det af siden.").fill("Indlægget angriber en navngiven person.")
    reports.get_by_role("button", name="Tag af siden, og marker anmeldelserne").click()
    expect(desk.get_by_text("Taget af siden: “Et angreb på en kollega”.")).to_be_visible()

    # The fair one stays: its report is dismissed.
    desk.goto(f"/admin/debates/contribution/{fair.pk}/change/")
    desk.get_by_role("button", name="Afvis anmeldelserne: indlægget bliver").click()
    expect(desk.get_by_text("Anmeldelser afvist: 1.")).to_be_visible()
    desk.goto("/admin/")
    expect(desk.locator("#mia-reports-summary")).to_contain_text("Ingen åbne anmeldelser.")

    page.goto(QUESTION)
    expect(page.locator("article.reply", has_text=fair.title)).to_be_visible()
    expect(page.locator("article.reply", has_text=unfair.title)).to_have_count(0)
    statuses = dict(Report.objects.values_list("contribution__title", "status").distinct())
    assert statuses == {fair.title: "dismissed", unfair.title: "acted_on"}
    (told,) = [m for m in mail.outbox if "vred@example.dk" in m.to[0]]
    assert "Indlægget angriber en navngiven person." in text_of(told)


def test_a_question_closed_with_a_markdown_synthesis_tells_its_follower_and_keeps_a_writers_text(
    two_tabs, seeded
):
    page, desk = two_tabs
    question = Question.objects.get(slug="lederens-roller")
    Subscription.objects.create(email="foelger@example.dk", question=question, status="active")

    # A visitor starts writing before the question closes.
    page.goto(QUESTION)
    form = page.locator("form.contribution-form")
    form.get_by_role("textbox", name="Navn").fill("Karen Blixen")
    form.get_by_role("textbox", name="E-mail").fill("karen@example.dk")
    form.get_by_role("textbox", name="Dit indlæg*", exact=True).fill("Et sent, men godt bud.")
    form.get_by_role("checkbox", name="Jeg giver samtykke").check()

    # The webmaster closes it with a synthesis, from the list of questions.
    log_in(desk, make_webmaster())
    desk.goto("/admin/debates/question/")
    desk.get_by_role("row", name=question.title).get_by_role("checkbox").check()
    desk.get_by_role("combobox", name="Handling").select_option(
        label="Luk med en opsamling (mailes til følgerne)"
    )
    desk.get_by_role("button", name="Udfør").click()
    desk.get_by_label("Opsamling (Markdown)").fill(
        "Debatten viste **to linjer**:\n\n- lederen som facilitator\n- lederen som katalysator"
    )
    desk.get_by_role("button", name="Luk spørgsmålet").click()
    expect(desk.get_by_text(f"Lukket: “{question.title}”.")).to_be_visible()

    (closed,) = [m for m in mail.outbox if m.subject.endswith("er lukket")]
    assert closed.to == ["foelger@example.dk"]
    assert "- lederen som facilitator\n- lederen som katalysator" in text_of(closed)

    # The visitor sends: the text comes back, and goes to the general debate instead.
    form.get_by_role("button", name="Send indlæg").click()
    expect(page.get_by_role("heading", name="Spørgsmålet er lukket")).to_be_visible()
    kept = page.locator("form.contribution-form").get_by_role("textbox", name="Dit indlæg*")
    expect(kept).to_have_value("Et sent, men godt bud.")
    shoot(page, "closed-meanwhile")
    page.locator("form.contribution-form").get_by_role("button", name="Send indlæg").click()
    expect(page.get_by_role("heading", name="Tak. Tjek nu din e-mail")).to_be_visible()
    assert Contribution.objects.get().question.slug == "generel-debat"

    page.goto(QUESTION)
    expect(page.get_by_text(f"Lukket spørgsmål {question.position}")).to_be_visible()
    synthesis = page.locator("section.synthesis")
    expect(synthesis.locator("strong")).to_have_text("to linjer")
    expect(synthesis.locator("li")).to_have_count(2)
    page.goto("/")
    expect(
        page.locator("li.list-group-item", has_text=question.title).get_by_text("Lukket spørgsmål")
    ).to_be_visible()
