"""
Working through the queue: reading and deciding from the list, going on to the next, saved
reasons, the history as sentences, the sender's other contributions, and stale decisions.
"""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from debates.models import Contribution
from moderation import services
from moderation.admin import reading
from moderation.models import SavedReason, Viewing
from moderation.services import reports
from moderation.services.transitions import version_of
from tests.factories import PDF_BYTES, make_contribution, make_webmaster
from tests.mail import mails_to, text_of
from tests.moderation.desk import (
    CHANGELIST,
    QUEUE,
    change_url,
    decide_on_page,
    decide_url,
    edited_by,
    page_form,
)

Status = Contribution.Status
REASONS = reverse("admin:moderation_savedreason_changelist")


def version_on(page):
    return re.search(r'name="version" value="(\d+)"', page).group(1)


def waiting(question, *, hours, **fields):
    return make_contribution(
        question=question,
        status=Status.PENDING,
        confirmed_at=timezone.now() - timedelta(hours=hours),
        **fields,
    )


# The list -------------------------------------------------------------------------------------


def test_the_queue_is_under_moderation_in_the_index_with_a_heading_of_its_own(moderator):
    index = moderator.get(reverse("admin:index")).content.decode()
    assert re.search(
        rf'<th scope="row" id="moderation-queueentry">\s*<a href="{QUEUE}">Indlæg i køen</a>', index
    )
    assert index.index(">Moderering<") < index.index(QUEUE) < index.index(">Workshops og debat<")

    page = moderator.get(QUEUE).content.decode()
    assert "<h1>Indlæg, der venter på en beslutning</h1>" in page
    assert "Vælg indlæg, der skal ændres" not in page


def test_the_queue_lists_only_waiting_contributions_with_what_a_decision_needs(moderator, question):
    long_text = "Et ord mere. " * 40 + "\n\n- første punkt\n- andet punkt"
    waiting(
        question,
        hours=50,
        title="Lang tekst",
        body=long_text,
        author_name="Karen Blixen",
        author_title="Forfatter",
        author_organisation="Rungstedlund",
        attachment=PDF_BYTES,
    )
    make_contribution(question=question, status=Status.PUBLISHED, title="Allerede ude")

    page = moderator.get(QUEUE).content.decode()

    assert "Lang tekst" in page
    assert "Allerede ude" not in page
    assert "Karen Blixen" in page
    assert "Forfatter, Rungstedlund" in page
    assert question.title in page
    assert "2\xa0dage" in page
    assert '<th scope="col" class="column-has_paper">' in page
    assert ">PDF</" in page
    assert "Konklusionspapir" not in page
    # An excerpt in the row, and the whole text, lists and all, a click away.
    (whole,) = re.findall(r'<details class="mia-whole">(.*?)</details>', page, re.DOTALL)
    assert "Læs det hele" in whole
    assert "<li>første punkt</li>" in whole
    assert "Et ord mere. " * 39 not in page.replace(whole, "")


def test_each_row_offers_the_decisions_its_status_allows_as_a_form_of_its_own(moderator, question):
    pending = waiting(question, hours=1)
    published = make_contribution(question=question)
    picked = make_contribution(question=question, picked_at=timezone.now())

    page = moderator.get(CHANGELIST).content.decode()

    def buttons(contribution):
        return re.findall(
            rf'form="mia-decide-{contribution.pk}" name="decision" value="(\w+)"', page
        )

    assert buttons(pending) == [rule.action for rule in services.moderators_decisions("pending")]
    assert buttons(published) == ["unpublished", "picked"]
    assert buttons(picked) == ["unpublished", "unpicked"]
    form = re.search(rf'<form id="mia-decide-{pending.pk}" method="post" action="([^"]+)">', page)
    assert form.group(1) == decide_url(pending)
    # The row forms sit after the list's own form, never inside it.
    assert page.index(f'id="mia-decide-{pending.pk}"') > page.index("</form>")


def test_an_empty_queue_says_so(moderator, question):
    make_contribution(question=question, status=Status.PUBLISHED)
    for url in (QUEUE, f"{CHANGELIST}?status__exact=pending"):
        page = moderator.get(url).content.decode()
        assert "Køen er tom: ingen indlæg venter." in page
    waiting(question, hours=1)
    assert "Køen er tom" not in moderator.get(QUEUE).content.decode()


def test_staff_without_the_moderation_permission_have_no_queue_and_no_row_buttons(
    staff_without_moderation, question
):
    waiting(question, hours=1)
    assert staff_without_moderation.get(QUEUE).status_code == 403
    page = staff_without_moderation.get(CHANGELIST).content.decode()
    assert 'name="decision"' not in page
    assert "mia-decide-" not in page


def test_anonymous_visitors_are_sent_to_the_login_from_the_queue_and_the_reasons(client, db):
    for url in (QUEUE, REASONS):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


# Deciding and going on -------------------------------------------------------------------------


def decided_area(page):
    """The confirmations above the list's rows, where a decision taken in a row is confirmed."""
    return re.search(r'<ul class="messagelist mia-decided" id="mia-decided".*?</ul>', page, re.S)


def test_a_decision_from_the_list_is_confirmed_above_the_rows_by_the_rows_own_title(
    moderator, question
):
    untitled = waiting(question, hours=5, title="", body="Lederen skal *lytte* før hun taler.")
    second = waiting(question, hours=3)
    page = moderator.get(QUEUE).content.decode()
    assert "<strong>Lederen skal lytte før hun taler.</strong>" in page
    version = re.search(
        rf'id="mia-decide-{untitled.pk}".*?name="version" value="(\d+)"', page, re.S
    ).group(1)

    response = moderator.post(
        decide_url(untitled),
        {"decision": "published", "from": "list", "list": QUEUE, "version": version},
    )

    assert response["Location"] == f"{QUEUE}#mia-decided"
    untitled.refresh_from_db()
    assert untitled.status == Status.PUBLISHED
    after = moderator.get(response["Location"]).content.decode()
    confirmation = decided_area(after)
    assert "Offentliggjort: “Lederen skal lytte før hun taler.”." in confirmation.group(0)
    # Right above the rows, the next one waiting first; not at the top of the page.
    assert confirmation.start() < after.index(f"mia-contribution-{second.pk}")
    assert after.count("Offentliggjort:") == 1
    assert f"mia-contribution-{untitled.pk}" not in after


def test_a_decision_from_a_filtered_list_returns_to_that_list(moderator, question):
    contribution = waiting(question, hours=2)
    filtered = f"{CHANGELIST}?status__exact=pending&question__id__exact={question.pk}"

    response = moderator.post(
        decide_url(contribution),
        {"decision": "marked_spam", "from": "list", "list": filtered, "version": "0"},
    )
    assert response["Location"] == f"{filtered}#mia-decided"

    elsewhere = moderator.post(
        decide_url(waiting(question, hours=1)),
        {"decision": "marked_spam", "from": "list", "list": "https://example.com/", "version": "0"},
    )
    assert elsewhere["Location"] == f"{QUEUE}#mia-decided"


def test_a_decision_from_a_page_goes_on_to_the_next_waiting_page(moderator, question):
    older = waiting(question, hours=9)
    this = waiting(question, hours=5)
    waiting(question, hours=1)

    response = decide_on_page(moderator, this, "marked_spam", follow=False)

    assert response["Location"] == change_url(older)


def test_the_last_decision_lands_on_the_empty_queue(moderator, question):
    last = waiting(question, hours=1)
    response = decide_on_page(moderator, last, "published")
    assert response.redirect_chain[-1][0] == QUEUE
    html = response.content.decode()
    assert f"Offentliggjort: “{last.title}”." in html
    assert "Køen er tom: ingen indlæg venter." in html


def test_rejecting_from_the_list_asks_for_the_reason_first(moderator, question):
    contribution = waiting(question, hours=1)
    SavedReason.objects.create(title="Uden for emnet", text_da="Ikke om emnet.", position=1)

    page = moderator.post(
        decide_url(contribution), {"decision": "rejected", "from": "list", "version": "0"}
    ).content.decode()

    assert "Begrundelse, som sendes til hver bidragyder" in page
    assert "Skriv en begrundelse" not in page
    assert 'data-text="Ikke om emnet."' in page
    contribution.refresh_from_db()
    assert contribution.status == Status.PENDING


def test_staff_without_the_moderation_permission_cannot_decide_from_the_list(
    staff_without_moderation, question
):
    contribution = waiting(question, hours=1)
    response = staff_without_moderation.post(
        decide_url(contribution), {"decision": "published", "from": "list"}
    )
    assert response.status_code == 403
    contribution.refresh_from_db()
    assert contribution.status == Status.PENDING


# Unsaved changes on a contribution's page -------------------------------------------------------


def test_a_decision_pressed_with_unsaved_changes_saves_them_first_as_an_edit(
    moderator, question, webmaster, mails_sent_by
):
    contribution = waiting(question, hours=1, title="Stavfejl", body="Lederen lytter.")

    mails = mails_sent_by(
        lambda: decide_on_page(
            moderator, contribution, "published", title="Stavefejl", body="Lederen lytter godt."
        )
    )

    contribution.refresh_from_db()
    assert (contribution.status, contribution.title, contribution.body) == (
        Status.PUBLISHED,
        "Stavefejl",
        "Lederen lytter godt.",
    )
    assert (contribution.original_title, contribution.original_body) == (
        "Stavfejl",
        "Lederen lytter.",
    )
    assert [(d.action, d.actor) for d in contribution.decisions.order_by("pk")] == [
        ("edited", webmaster),
        ("published", webmaster),
    ]
    (published,) = mails_to(mails, contribution.author_email)
    assert "Redaktionen har redigeret dit indlæg, før det blev offentliggjort" in text_of(published)


def test_the_page_says_that_the_changes_were_saved_before_the_decision(moderator, question):
    contribution = waiting(question, hours=2, title="Stavfejl")
    waiting(question, hours=1)

    response = decide_on_page(moderator, contribution, "marked_spam", title="Stavefejl")

    html = response.content.decode()
    assert "Dine ændringer (titel) blev gemt først, som en redigering." in html
    assert "Markeret som spam: “Stavefejl”." in html


def test_a_refused_decision_saves_nothing_and_keeps_the_changes_on_the_page(moderator, question):
    contribution = waiting(question, hours=1, title="Stavfejl", body="Lederen lytter.")

    response = decide_on_page(
        moderator, contribution, "rejected", title="Stavefejl", body="Lederen lytter godt."
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Skriv en begrundelse; den sendes til bidragyderen." in html
    assert 'name="title" value="Stavefejl"' in html
    assert "Lederen lytter godt.</textarea>" in html
    contribution.refresh_from_db()
    assert (contribution.status, contribution.title) == (Status.PENDING, "Stavfejl")
    assert not contribution.decisions.exists()


def fields_on(html):
    """The values the page's title and text fields show."""
    title = re.search(r'name="title" value="([^"]*)"', html).group(1)
    body = re.search(r'<textarea name="body"[^>]*>\n?(.*?)</textarea>', html, re.S).group(1)
    return unescape(title), unescape(body)


@pytest.mark.parametrize("button", [{"decision": "published"}, {"_continue": "1"}])
def test_changes_to_a_page_a_colleague_changed_meanwhile_are_kept_and_not_saved(
    moderator, question, button
):
    contribution = waiting(question, hours=1, title="Om ledelse", body="Min tekst.")
    opened = page_form(moderator, contribution)
    edited_by(make_webmaster(username="kollega"), contribution, body="Kollegaens tekst.")

    html = moderator.post(
        change_url(contribution), {**opened, "title": "Om god ledelse", **button}
    ).content.decode()

    assert "kollega redigerede indlægget" in html
    assert ("Ikke besluttet" if "decision" in button else "Ikke gemt") in html
    # My change stays in its field; the field I left alone now shows the colleague's text.
    assert fields_on(html) == ("Om god ledelse", "Kollegaens tekst.")
    contribution.refresh_from_db()
    assert (contribution.status, contribution.title) == (Status.PENDING, "Om ledelse")

    # Pressed again, the page saves my change on top of the colleague's, and nothing of theirs.
    shown = r'name="((?:initial-)?(?:title|body|question)|version)" value="([^"]*)"'
    again = {**opened, **dict(re.findall(shown, html))}
    moderator.post(
        change_url(contribution),
        {**again, "title": "Om god ledelse", "body": "Kollegaens tekst.", **button},
    )
    contribution.refresh_from_db()
    assert (contribution.title, contribution.body) == ("Om god ledelse", "Kollegaens tekst.")
    expected = Status.PUBLISHED if "decision" in button else Status.PENDING
    assert contribution.status == expected


def test_the_first_button_of_the_page_saves_so_that_enter_never_decides(moderator, question):
    contribution = waiting(question, hours=1)
    html = moderator.get(change_url(contribution)).content.decode()
    form = html[html.index('id="contribution_form"') :]
    first = re.search(r'<(?:button|input) type="submit"[^>]*>', form).group(0)
    assert 'name="_continue"' in first


def test_saving_a_page_whose_text_may_not_change_saves_nothing_and_fails_nothing(
    moderator, question
):
    contribution = make_contribution(question=question, status=Status.REJECTED)
    response = moderator.post(change_url(contribution), {"_continue": "1"}, follow=True)
    assert response.status_code == 200
    assert not contribution.decisions.exists()


def test_staff_without_the_moderation_permission_cannot_decide_on_the_page(
    staff_without_moderation, question
):
    contribution = waiting(question, hours=1)
    response = staff_without_moderation.post(
        change_url(contribution),
        {
            "question": question.pk,
            "title": "Ændret",
            "body": contribution.body,
            "decision": "published",
        },
    )
    assert response.status_code == 403
    contribution.refresh_from_db()
    assert (contribution.status, contribution.title) == (Status.PENDING, contribution.title)
    assert contribution.title != "Ændret"


# Saved reasons --------------------------------------------------------------------------------


@pytest.fixture
def off_topic(db):
    return SavedReason.objects.create(
        title="Ikke om spørgsmålet",
        text_da="Indlægget handler ikke om spørgsmålet.",
        text_en="The contribution is not about the question.",
        position=1,
    )


def test_a_saved_reason_alone_is_sent_in_the_contributors_language(
    moderator, question, off_topic, mails_sent_by
):
    english = waiting(question, hours=2, language="en")

    sent = mails_sent_by(
        lambda: moderator.post(
            decide_url(english),
            {"decision": "rejected", "reason": "", "saved_reason": off_topic.pk},
        )
    )

    english.refresh_from_db()
    assert english.status == Status.REJECTED
    assert english.rejection_reason == "The contribution is not about the question."
    assert "The contribution is not about the question." in sent[0].body


def test_the_written_reason_wins_over_the_saved_one(moderator, question, off_topic):
    contribution = waiting(question, hours=2)
    moderator.post(
        decide_url(contribution),
        {"decision": "rejected", "reason": "Min egen.", "saved_reason": off_topic.pk},
    )
    contribution.refresh_from_db()
    assert contribution.rejection_reason == "Min egen."


def test_a_saved_reason_is_offered_when_unpublishing_and_in_bulk(moderator, question, off_topic):
    published = make_contribution(question=question)
    page = moderator.get(change_url(published)).content.decode()
    assert 'data-text="Indlægget handler ikke om spørgsmålet."' in page

    selected = [waiting(question, hours=1), waiting(question, hours=2, language="en")]
    moderator.post(
        CHANGELIST,
        {
            "action": "decide_rejected",
            "_selected_action": [c.pk for c in selected],
            "apply": "1",
            "reason": "",
            "saved_reason": off_topic.pk,
        },
    )
    reasons = {
        c.language: c.rejection_reason for c in Contribution.objects.filter(status="rejected")
    }
    assert reasons == {
        "da": "Indlægget handler ikke om spørgsmålet.",
        "en": "The contribution is not about the question.",
    }


def test_a_retired_saved_reason_is_neither_offered_nor_used(moderator, question, off_topic):
    off_topic.is_active = False
    off_topic.save()
    contribution = waiting(question, hours=1)
    assert "Ikke om spørgsmålet" not in moderator.get(change_url(contribution)).content.decode()
    moderator.post(decide_url(contribution), {"decision": "rejected", "saved_reason": off_topic.pk})
    contribution.refresh_from_db()
    assert contribution.status == Status.PENDING


def test_moderators_keep_the_saved_reasons_and_other_staff_do_not_see_them(
    moderator, staff_without_moderation, client, webmaster
):
    assert staff_without_moderation.get(REASONS).status_code == 403
    client.force_login(webmaster)
    response = moderator.post(
        reverse("admin:moderation_savedreason_add"),
        {"title": "Tone", "text_da": "For skarp.", "text_en": "", "is_active": "on", "position": 3},
    )
    assert response.status_code == 302
    assert SavedReason.objects.filter(title="Tone").exists()


def test_the_site_starts_with_a_few_saved_reasons_in_both_languages(db):
    # Seeded by a data migration; the test database is built by the migrations.
    reasons = list(SavedReason.objects.all())
    assert len(reasons) >= 2
    assert all(r.text_da and r.text_en for r in reasons)


# History as sentences -------------------------------------------------------------------------


def test_the_history_reads_as_sentences_in_danish_and_english(question, webmaster):
    contribution = services.submit_contribution(
        question=question, author_name="Karen", author_email="k@example.dk", body="Tekst."
    )
    contribution.title = contribution.original_title = "Om ledelse"
    contribution.save()
    services.confirm_contribution(contribution=contribution)
    services.reject(contribution=contribution, actor=webmaster, reason="Uden for emnet.")

    lines = reading.history(contribution)
    assert [line.split(" — ", 1)[1] for line in lines] == [
        "indsenderen indsendte “Om ledelse”.",
        "indsenderen bekræftede sin adresse; indlægget kom i køen.",
        f"{webmaster.username} afviste indlægget. Begrundelse: “Uden for emnet.”",
    ]
    assert re.fullmatch(r"\d{1,2}\. \w+\.? \d{4} \d\d:\d\d", lines[0].split(" — ")[0])
    assert "()" not in "".join(lines)
    with translation.override("en"):
        assert reading.history(contribution)[2].endswith(
            f"{webmaster.username} rejected the contribution. Reason: “Uden for emnet.”"
        )


def test_the_page_shows_the_history_one_sentence_per_decision(moderator, question, webmaster):
    contribution = waiting(question, hours=1, title="Om ledelse")
    services.publish(contribution=contribution, actor=webmaster)
    page = moderator.get(change_url(contribution)).content.decode()
    (history,) = re.findall(r'<ol class="mia-history">(.*?)</ol>', page, re.DOTALL)
    assert [unescape(line) for line in re.findall(r"<li>(.*?)</li>", history)] == (
        reading.history(contribution)
    )
    assert f"{webmaster.username} offentliggjorde indlægget." in history


# The sender's other contributions -------------------------------------------------------------


def test_the_page_shows_the_senders_other_contributions_by_the_whole_address(moderator, question):
    this = waiting(question, hours=1, author_email="karen@example.dk")
    make_contribution(
        question=question,
        title="Afvist før",
        status=Status.REJECTED,
        author_email="Karen@Example.DK",
    )
    make_contribution(
        question=question, title="Spam før", status=Status.SPAM, author_email=" karen@example.dk"
    )
    make_contribution(question=question, title="Ude før", author_email="karen@example.dk")
    make_contribution(question=question, title="Ligner", author_email="xkaren@example.dk")
    make_contribution(question=question, title="Ligner mere", author_email="karen@example.dk.evil")

    page = moderator.get(change_url(this)).content.decode()

    assert "3 andre indlæg fra denne adresse: 1 afvist, 1 markeret som spam." in page
    for title in ("Afvist før", "Spam før", "Ude før"):
        assert title in page
    assert "Ligner" not in page


def test_the_senders_history_is_one_bounded_query(question, django_assert_num_queries):
    this = waiting(question, hours=1, author_email="mange@example.dk")
    for _ in range(reading.SENDER_HISTORY_LIMIT + 5):
        make_contribution(question=question, status=Status.SPAM, author_email="mange@example.dk")

    with django_assert_num_queries(1):
        found = reading.sender_history(this)
        titles = [c.question.title for c in found.contributions]

    assert len(titles) == reading.SENDER_HISTORY_LIMIT
    assert (found.total, found.spam, found.rejected) == (reading.SENDER_HISTORY_LIMIT + 5, 25, 0)


def test_a_sender_without_an_address_has_no_history(question):
    this = waiting(question, hours=1, author_email="")
    make_contribution(question=question, author_email="")
    assert reading.sender_history(this).total == 0


# Two editors ----------------------------------------------------------------------------------


def test_the_page_shows_who_last_opened_it(client, question):
    contribution = waiting(question, hours=1)
    anna, bo = make_webmaster(username="anna"), make_webmaster(username="bo")

    client.force_login(anna)
    first = client.get(change_url(contribution)).content.decode()
    assert "mia-last-viewed" not in first
    client.force_login(bo)
    second = client.get(change_url(contribution)).content.decode()

    assert "<strong>anna</strong> åbnede dette indlæg" in second
    viewing = Viewing.objects.get(contribution=contribution)
    assert viewing.viewed_by == bo


def test_a_decision_on_a_page_opened_before_a_change_is_refused(moderator, question):
    contribution = waiting(question, hours=1, title="Om ledelse")
    page = moderator.get(change_url(contribution)).content.decode()
    edited_by(make_webmaster(username="kollega"), contribution, title="Om ledelse i praksis")
    contribution.refresh_from_db()

    response = moderator.post(
        change_url(contribution),
        {
            "question": question.pk,
            "title": contribution.title,
            "body": contribution.body,
            "decision": "published",
            "version": version_on(page),
        },
    )

    html = response.content.decode()
    assert "Ikke besluttet: det er ændret, siden du åbnede det" in html
    assert "kollega redigerede indlægget" in html
    contribution.refresh_from_db()
    assert contribution.status == Status.PENDING

    decide_on_page(moderator, contribution, "published")
    contribution.refresh_from_db()
    assert contribution.status == Status.PUBLISHED


def test_a_decision_from_a_list_rendered_before_another_decision_is_refused(
    moderator, question, webmaster
):
    contribution = waiting(question, hours=1)
    page = moderator.get(QUEUE).content.decode()
    version = re.search(
        rf'id="mia-decide-{contribution.pk}".*?name="version" value="(\d+)"', page, re.DOTALL
    ).group(1)
    services.mark_spam(contribution=contribution, actor=make_webmaster())
    services.reopen(contribution=contribution, actor=webmaster)

    response = moderator.post(
        decide_url(contribution),
        {"decision": "published", "from": "list", "list": QUEUE, "version": version},
        follow=True,
    )

    assert "er ændret, siden du åbnede det" in decided_area(response.content.decode()).group(0)
    assert response.redirect_chain[-1][0] == f"{QUEUE}#mia-decided"
    contribution.refresh_from_db()
    assert contribution.status == Status.PENDING


def test_decide_many_refuses_a_contribution_that_changed_since_the_version_given(
    question, webmaster
):
    contribution = waiting(question, hours=1)
    seen = version_of(contribution)
    edited_by(make_webmaster(username="kollega"), contribution, body="Ændret.")
    done, refusals = services.decide_many(
        contributions=[contribution],
        action="published",
        actor=webmaster,
        versions={contribution.pk: seen},
    )
    assert (done, len(refusals)) == (0, 1)
    assert "kollega redigerede indlægget" in refusals[0]


def test_contributions_with_more_open_reports_rise_among_the_published(moderator, question):
    quiet = make_contribution(question=question, title="Uden anmeldelser")
    reported = make_contribution(question=question, title="Anmeldt to gange")
    once = make_contribution(question=question, title="Anmeldt en gang")
    for contribution, count in ((reported, 2), (once, 1)):
        for _ in range(count):
            reports.report_contribution(contribution=contribution, reason="spam")
    dismissed = make_contribution(question=question, title="Afvist anmeldelse")
    reports.report_contribution(contribution=dismissed, reason="spam")
    dismissed.reports.update(status="dismissed")

    page = moderator.get(CHANGELIST).content.decode()

    order = [page.index(c.title) for c in (reported, once)]
    assert order == sorted(order)
    assert page.index(once.title) < page.index(quiet.title)
    assert page.index(once.title) < page.index(dismissed.title)
