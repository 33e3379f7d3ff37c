"""The webmaster's desk: the queue, decisions one by one and in bulk, and who may make them."""

import io
import json
import re
from datetime import timedelta
from html import unescape

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from debates.models import Contribution, Paper, Question, Workshop
from moderation import services
from moderation.models import Decision, OutgoingMail
from tests.factories import PDF_BYTES, make_contribution, make_user
from tests.moderation.desk import (
    CHANGELIST,
    QUEUE,
    change_url,
    decide_on_page,
    decide_url,
    run_action,
)

Status = Contribution.Status


# The queue ------------------------------------------------------------------------------------


def test_the_queue_shows_pending_contributions_first_longest_waiting_on_top(moderator, question):
    now = timezone.now()
    make_contribution(question=question, title="Allerede ude", status=Status.PUBLISHED)
    make_contribution(question=question, title="Ny i køen", status=Status.PENDING, confirmed_at=now)
    make_contribution(
        question=question,
        title="Har ventet længe",
        status=Status.PENDING,
        confirmed_at=now - timedelta(days=3),
    )

    html = moderator.get(CHANGELIST).content.decode()

    assert html.index("Har ventet længe") < html.index("Ny i køen") < html.index("Allerede ude")
    assert "3\xa0dage" in html


def test_the_queue_can_be_filtered_by_status_and_question_and_searched_by_address(
    moderator, question
):
    make_contribution(question=question, title="Afventer", status=Status.PENDING)
    make_contribution(question=question, title="Afvist", status=Status.REJECTED)
    findable = make_contribution(
        question=question, title="Find mig", author_email="unik@example.dk"
    )

    html = moderator.get(CHANGELIST, {"status__exact": "pending"}).content.decode()
    assert "Afventer" in html
    assert "Afvist" not in html

    html = moderator.get(CHANGELIST, {"question__id__exact": question.pk + 1}).content.decode()
    assert "Afventer" not in html

    html = moderator.get(CHANGELIST, {"q": "unik@example.dk"}).content.decode()
    assert findable.title in html
    assert "Afventer" not in html


def test_likely_spam_is_pointed_out(moderator, question):
    make_contribution(
        question=question,
        status=Status.PENDING,
        title="Billige lån",
        body="Se https://a.example https://b.example https://c.example",
    )
    html = moderator.get(CHANGELIST).content.decode()
    assert "3 links" in html
    assert "ord, der er almindelige i spam" in html


def test_the_admin_index_shows_how_many_wait_and_for_how_long(moderator, question):
    make_contribution(
        question=question, status=Status.PENDING, confirmed_at=timezone.now() - timedelta(hours=5)
    )
    make_contribution(question=question, status=Status.PENDING, confirmed_at=timezone.now())
    make_contribution(question=question, status=Status.UNCONFIRMED)

    html = moderator.get(reverse("admin:index")).content.decode()

    assert "2 indlæg venter" in html
    assert "Det ældste har ventet 5" in html
    assert f'href="{QUEUE}"' in html


def test_the_change_page_shows_the_rendered_text_the_original_and_the_history(
    moderator, question, webmaster
):
    contribution = services.confirm_contribution(
        contribution=make_contribution(
            question=question, status=Status.UNCONFIRMED, body="**Vigtigt**", attachment=PDF_BYTES
        )
    )
    html = moderator.get(change_url(contribution)).content.decode()
    (preview,) = re.findall(r'<iframe class="mia-preview"[^>]* srcdoc="([^"]*)"', html)
    preview = unescape(preview)
    assert '<div class="reply-body"><p><strong>Vigtigt</strong></p></div>' in preview
    assert 'href="/static/css/site.css"' in preview
    assert "Som bidragyderen sendte det" in html
    assert "indsenderen bekræftede sin adresse; indlægget kom i køen." in html
    pdf = moderator.get(reverse("admin:debates_contribution_attachment", args=[contribution.pk]))
    assert b"".join(pdf.streaming_content) == PDF_BYTES


# Decisions, one at a time ----------------------------------------------------------------------


def test_a_pending_contribution_is_published_from_its_page(moderator, question):
    contribution = make_contribution(question=question, status=Status.PENDING)
    html = moderator.get(change_url(contribution)).content.decode()
    assert 'value="published"' in html
    assert 'value="rejected"' in html
    assert 'value="marked_spam"' in html

    response = decide_on_page(moderator, contribution, "published")

    contribution.refresh_from_db()
    assert contribution.status == Status.PUBLISHED
    assert f"Offentliggjort: “{contribution.title}”." in response.content.decode()


def test_rejecting_from_its_page_needs_a_reason(moderator, question):
    contribution = make_contribution(question=question, status=Status.PENDING)

    response = decide_on_page(moderator, contribution, "rejected", reason="")
    assert "Skriv en begrundelse" in response.content.decode()
    contribution.refresh_from_db()
    assert contribution.status == Status.PENDING

    decide_on_page(moderator, contribution, "rejected", reason="Off topic.")
    contribution.refresh_from_db()
    assert (contribution.status, contribution.rejection_reason) == (Status.REJECTED, "Off topic.")


def test_a_published_contribution_offers_only_unpublishing(moderator, question):
    contribution = make_contribution(question=question)
    html = moderator.get(change_url(contribution)).content.decode()
    assert 'value="unpublished"' in html
    assert 'value="published"' not in html


def test_a_decision_that_is_no_longer_possible_is_refused_clearly(moderator, question):
    contribution = make_contribution(question=question, status=Status.PUBLISHED)
    response = decide_on_page(moderator, contribution, "published")
    assert (
        "Kan ikke offentliggøre: indlægget har status “offentliggjort”."
        in response.content.decode()
    )


# Decisions in bulk ----------------------------------------------------------------------------


def test_several_contributions_are_published_at_once(
    moderator, question, django_capture_on_commit_callbacks
):
    pending = [make_contribution(question=question, status=Status.PENDING) for _ in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        response = run_action(moderator, "decide_published", pending)
    assert "Offentliggjort: 3 indlæg." in response.content.decode()
    assert Contribution.objects.published().count() == 3
    assert len(mail.outbox) == 3


def test_a_bulk_action_reports_what_it_could_not_do(moderator, question):
    pending = make_contribution(question=question, status=Status.PENDING)
    published = make_contribution(question=question, title="Allerede ude")
    response = run_action(moderator, "decide_published", [pending, published])
    html = response.content.decode()
    assert "Offentliggjort: 1 indlæg." in html
    assert "Allerede ude: Kan ikke offentliggøre" in html


def test_bulk_rejection_asks_for_a_reason_first_and_sends_it(
    moderator, question, django_capture_on_commit_callbacks
):
    pending = [make_contribution(question=question, status=Status.PENDING) for _ in range(2)]

    page = run_action(moderator, "decide_rejected", pending)
    assert "Begrundelse, som sendes til hver bidragyder" in page.content.decode()
    assert Contribution.objects.filter(status=Status.PENDING).count() == 2

    missing = run_action(moderator, "decide_rejected", pending, apply="1", reason=" ")
    assert "Skriv en begrundelse" in missing.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        run_action(moderator, "decide_rejected", pending, apply="1", reason="Dobbeltindlæg.")
    assert (
        Contribution.objects.filter(
            status=Status.REJECTED, rejection_reason="Dobbeltindlæg."
        ).count()
        == 2
    )
    assert all("Dobbeltindlæg." in m.body for m in mail.outbox)


def test_bulk_spam_reopen_and_unpublish(moderator, question):
    pending = make_contribution(question=question, status=Status.PENDING)
    published = make_contribution(question=question)

    run_action(moderator, "decide_marked_spam", [pending])
    pending.refresh_from_db()
    assert pending.status == Status.SPAM

    run_action(moderator, "decide_reopened", [pending])
    pending.refresh_from_db()
    assert pending.status == Status.PENDING

    run_action(moderator, "decide_unpublished", [published], apply="1", reason="Personfølsomt.")
    published.refresh_from_db()
    assert (published.status, published.rejection_reason) == (Status.REJECTED, "Personfølsomt.")


# Editing --------------------------------------------------------------------------------------


def edit(client, contribution, **changes):
    data = {
        "question": contribution.question_id,
        "title": contribution.title,
        "body": contribution.body,
        "decisions-TOTAL_FORMS": "0",
        "decisions-INITIAL_FORMS": "0",
        "decisions-MIN_NUM_FORMS": "0",
        "decisions-MAX_NUM_FORMS": "1000",
        **changes,
    }
    return client.post(change_url(contribution), data, follow=True)


def test_the_webmaster_corrects_a_text_and_the_reply_says_it_was_edited(
    moderator, client, question, webmaster
):
    contribution = make_contribution(question=question, body="Stavfejl i teksten.")

    edit(moderator, contribution, body="Stavefejl i teksten.")

    contribution.refresh_from_db()
    assert contribution.body == "Stavefejl i teksten."
    assert contribution.original_body == "Stavfejl i teksten."
    assert contribution.decisions.get().actor == webmaster
    html = moderator.get(change_url(contribution)).content.decode()
    assert "Stavfejl i teksten." in html  # the original, still shown to the editors
    public = client.get(question.get_absolute_url()).content.decode()
    assert "redigeret af redaktionen" in public
    assert "Stavefejl i teksten." in public


def test_the_webmaster_moves_a_contribution_to_the_general_debate(moderator, question):
    general = Question.objects.general().get()
    contribution = make_contribution(question=question, status=Status.PENDING)
    edit(moderator, contribution, question=general.pk)
    contribution.refresh_from_db()
    assert contribution.question == general


def test_a_move_the_rules_refuse_is_shown_on_the_form(moderator, question):
    contribution = make_contribution(question=question)
    make_contribution(question=question, parent=contribution)
    response = edit(moderator, contribution, question=Question.objects.general().get().pk)
    assert "kan ikke flyttes" in response.content.decode()
    contribution.refresh_from_db()
    assert contribution.question == question


def test_status_cannot_be_changed_through_the_form(moderator, question):
    contribution = make_contribution(question=question, status=Status.PENDING)
    edit(moderator, contribution, status="published")
    contribution.refresh_from_db()
    assert contribution.status == Status.PENDING


# Who may --------------------------------------------------------------------------------------


def test_staff_without_the_moderation_permission_see_no_decisions(
    staff_without_moderation, question
):
    contribution = make_contribution(question=question, status=Status.PENDING)

    changelist = staff_without_moderation.get(CHANGELIST).content.decode()
    assert "decide_" not in changelist
    assert "export_csv" in changelist
    page = staff_without_moderation.get(change_url(contribution)).content.decode()
    assert 'name="decision"' not in page
    assert contribution.title in page
    index = staff_without_moderation.get(reverse("admin:index")).content.decode()
    assert "Moderationskø" not in index


def test_staff_without_the_moderation_permission_cannot_decide_or_edit(
    staff_without_moderation, question
):
    contribution = make_contribution(question=question, status=Status.PENDING, body="Original.")

    assert (
        staff_without_moderation.post(
            decide_url(contribution), {"decision": "published"}
        ).status_code
        == 403
    )
    run_action(staff_without_moderation, "decide_published", [contribution])
    edit(staff_without_moderation, contribution, body="Ændret.")

    contribution.refresh_from_db()
    assert (contribution.status, contribution.body) == (Status.PENDING, "Original.")


def test_anonymous_visitors_are_sent_to_the_login(client, question):
    contribution = make_contribution(question=question, status=Status.PENDING)
    response = client.post(decide_url(contribution), {"decision": "published"})
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_the_decisions_have_a_list_of_their_own(moderator, question, webmaster):
    contribution = make_contribution(question=question, status=Status.PENDING, title="Revideret")
    decide_on_page(moderator, contribution, "published")
    html = moderator.get(reverse("admin:moderation_decision_changelist")).content.decode()
    assert "Revideret" in html
    assert webmaster.username in html


@pytest.mark.parametrize("model", ["decision", "outgoingmail"])
def test_the_records_of_decisions_and_mail_cannot_be_added_changed_or_deleted(
    moderator, question, webmaster, model
):
    contribution = make_contribution(question=question, status=Status.PENDING)
    services.publish(contribution=contribution, actor=webmaster)
    record = {"decision": Decision, "outgoingmail": OutgoingMail}[model].objects.get()
    admin_url = f"admin:moderation_{model}"

    assert moderator.get(reverse(f"{admin_url}_changelist")).status_code == 200
    assert moderator.get(reverse(f"{admin_url}_add")).status_code == 403
    assert moderator.post(reverse(f"{admin_url}_delete", args=[record.pk])).status_code == 403
    page = moderator.get(reverse(f"{admin_url}_change", args=[record.pk])).content.decode()
    assert 'name="_save"' not in page
    assert type(record).objects.filter(pk=record.pk).exists()


def test_only_moderators_may_send_queued_mail_from_the_admin(moderator, question, webmaster):
    contribution = make_contribution(question=question, status=Status.PENDING)
    services.publish(contribution=contribution, actor=webmaster)
    mail_list = reverse("admin:moderation_outgoingmail_changelist")
    reader = make_user()
    reader.user_permissions.add(Permission.objects.get(codename="view_outgoingmail"))
    other = Client()
    other.force_login(reader)

    assert "send_now" in moderator.get(mail_list).content.decode()
    page = other.get(mail_list).content.decode()
    assert OutgoingMail.objects.get().subject in page
    assert "send_now" not in page


# The desk in Danish -----------------------------------------------------------------------------


def inline_add_text(page):
    """The text of an inline's "add another" link, which the admin's script writes from JSON."""
    data = re.search(r'data-inline-formset="([^"]*)"', page).group(1)
    return json.loads(unescape(data))["options"]["addText"]


def test_saving_a_contribution_reads_as_danish(moderator, question):
    contribution = make_contribution(question=question, title="Om ledelse")
    response = edit(moderator, contribution, title="Om god ledelse", _continue="1")
    html = response.content.decode()
    assert "blev ændret. Du kan redigere videre herunder." in html
    assert "den/det" not in html


def test_the_admin_adds_talks_paragraphs_and_questions_in_danish(moderator, question):
    workshop, paper = Workshop.objects.first(), Paper.objects.first()
    workshop_page = moderator.get(reverse("admin:debates_workshop_change", args=[workshop.pk]))
    paper_page = moderator.get(reverse("admin:debates_paper_change", args=[paper.pk]))
    contribution_page = moderator.get(change_url(make_contribution(question=question)))

    assert inline_add_text(workshop_page.content.decode()) == "Tilføj endnu et oplæg"
    assert inline_add_text(paper_page.content.decode()) == "Tilføj endnu et afsnit"
    assert 'title="Tilføj åbent spørgsmål"' in contribution_page.content.decode()
    assert 'title="Redigér åbent spørgsmål"' in contribution_page.content.decode()
    assert "Gem og tilføj flere" in workshop_page.content.decode()


def test_the_pdf_column_marks_a_missing_paper_quietly_and_links_a_paper(moderator, question):
    with_paper = make_contribution(question=question, status=Status.PENDING, attachment=PDF_BYTES)
    make_contribution(question=question, status=Status.PENDING)
    html = moderator.get(QUEUE).content.decode()
    assert "icon-no" not in html
    assert "icon-yes" not in html
    assert '<span class="mia-hidden">intet papir</span>' in html
    attachment = reverse("admin:debates_contribution_attachment", args=[with_paper.pk])
    assert f'<a href="{attachment}" title="paper.pdf">PDF</a>' in html


# Accounts -------------------------------------------------------------------------------------


def test_the_webmaster_group_carries_the_moderation_permission(db):
    group = Group.objects.get(name="Webmaster")
    assert group.permissions.filter(codename="moderate_contributions").exists()


def test_createwebmaster_makes_a_staff_account_in_the_webmaster_group(db, monkeypatch):
    monkeypatch.setenv("WEBMASTER_PASSWORD", "et-langt-og-sikkert-kodeord-42")
    out = io.StringIO()
    call_command(
        "createwebmaster",
        username="redaktoer",
        email="redaktoer@ruc.example",
        password_env="WEBMASTER_PASSWORD",
        stdout=out,
    )
    user = get_user_model().objects.get(username="redaktoer")
    assert user.is_staff
    assert not user.is_superuser
    assert user.has_perm("moderation.moderate_contributions")
    assert user.check_password("et-langt-og-sikkert-kodeord-42")


# Research export ------------------------------------------------------------------------------


def test_the_export_action_gives_the_published_ones_without_addresses(moderator, question):
    published = make_contribution(
        question=question,
        title="Til forskning",
        author_email="skjult@example.dk",
        submitter_ip="198.51.100.3",
    )
    pending = make_contribution(question=question, status=Status.PENDING, title="Ikke endnu")

    response = moderator.post(
        CHANGELIST, {"action": "export_csv", "_selected_action": [published.pk, pending.pk]}
    )

    assert response["Content-Disposition"] == 'attachment; filename="mia-debat.csv"'
    text = response.content.decode("utf-8-sig")
    assert "Til forskning" in text
    assert "Ikke endnu" not in text
    assert "skjult" not in text
    assert "@" not in text
    assert "198.51.100.3" not in text


def test_the_json_export_action(moderator, question):
    import json

    make_contribution(question=question, title="Som JSON")
    contributions = Contribution.objects.all()
    response = run_action(moderator, "export_json", contributions)
    data = json.loads(response.content)
    assert [c["title"] for c in data["contributions"]] == ["Som JSON"]


def test_the_desk_names_the_sites_own_icon_so_no_browser_asks_for_a_missing_one(client):
    page = client.get(reverse("admin:login")).content.decode()

    assert '<link rel="icon" href="/static/img/favicon.svg"' in page
