"""
Sending a contribution back for revision: the note in the contributor's mail, the link to the
form with their text, the revised version back in the queue as the same contribution, and what
the desk, the retention job, withdrawal and the data page make of it.
"""

import contextlib
import json
import re
import time
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from debates.models import Contribution
from moderation import services
from moderation.models import Decision, SavedReason
from moderation.tokens import make_token
from tests.factories import PDF_BYTES, make_contribution
from tests.mail import html_of, links, mails_to, path_of, text_of
from tests.moderation.desk import change_url, decide_on_page, decide_url

Status = Contribution.Status
Action = Decision.Action

NOTE = "Gør det kortere, og nævn\nhvilken kommune I arbejder i."


@pytest.fixture
def pending(question):
    return make_contribution(
        question=question,
        status=Status.PENDING,
        title="Mit første bud",
        body="Første linje.\n\nAnden linje, som er for lang og for løs.",
        author_email="bidrag@example.dk",
        author_name="Ida Bidrag",
    )


def send_back(contribution, actor, mails_sent_by, note=NOTE):
    sent = mails_sent_by(
        lambda: services.send_back(contribution=contribution, actor=actor, reason=note)
    )
    (message,) = mails_to(sent, contribution.author_email)
    return message


def revise_link(message):
    (link,) = [u for u in links(message) if "/indlaeg/ret/" in u]
    return path_of(link)


def form_values(html):
    title = re.search(r'name="title"[^>]*value="([^"]*)"', html)
    body = re.search(r'<textarea name="body"[^>]*>(.*?)</textarea>', html, re.DOTALL)
    return (title.group(1) if title else ""), body.group(1).strip()


@contextlib.contextmanager
def days_later(monkeypatch, days):
    """The signing clock moved forward, as if the link were opened days later."""
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + timedelta(days=days).total_seconds())
    try:
        yield
    finally:
        monkeypatch.setattr(time, "time", real)


# Sending back -----------------------------------------------------------------------------------


def test_sending_back_keeps_the_contribution_unseen_and_mails_the_note_with_a_link(
    client, pending, webmaster, mails_sent_by
):
    message = send_back(pending, webmaster, mails_sent_by)

    pending.refresh_from_db()
    assert pending.status == Status.SENT_BACK
    decision = pending.decisions.get(action=Action.SENT_BACK)
    assert (decision.actor, decision.reason) == (webmaster, NOTE)
    assert message.subject == "Redaktionen beder dig revidere dit indlæg til MIA-debatten"
    text = text_of(message)
    assert "> Gør det kortere, og nævn\n> hvilken kommune I arbejder i." in text
    assert "Linket virker i 14 dage." in " ".join(text.split())
    assert "Gør det kortere, og nævn<br>hvilken kommune I arbejder i." in html_of(message)
    assert revise_link(message) in html_of(message)
    # Never public: not in the queryset every public page uses, not on its thread's page.
    assert not Contribution.objects.published().filter(pk=pending.pk).exists()
    thread = client.get(pending.question.get_absolute_url()).content.decode()
    assert "Mit første bud" not in thread
    assert client.get(pending.get_absolute_url()).status_code == 404


def test_sending_back_needs_a_note(pending, webmaster):
    with pytest.raises(services.ModerationError, match="Skriv en begrundelse"):
        services.send_back(contribution=pending, actor=webmaster, reason="  ")
    pending.refresh_from_db()
    assert pending.status == Status.PENDING


def test_a_saved_reason_sends_back_in_the_contributors_language(moderator, question, mails_sent_by):
    saved = SavedReason.objects.create(
        title="For lang", text_da="Skriv det kortere.", text_en="Please make it shorter."
    )
    english = make_contribution(question=question, status=Status.PENDING, language="en")

    sent = mails_sent_by(
        lambda: moderator.post(
            decide_url(english), {"decision": "sent_back", "reason": "", "saved_reason": saved.pk}
        )
    )

    english.refresh_from_db()
    assert english.status == Status.SENT_BACK
    (message,) = mails_to(sent, english.author_email)
    assert message.subject == "The editors ask you to revise your contribution to the MIA debate"
    assert "> Please make it shorter." in text_of(message)
    assert "/en/indlaeg/ret/" in revise_link(message)


# Revising by the link ---------------------------------------------------------------------------


def test_the_link_opens_a_form_with_the_text_and_the_note(
    client, pending, webmaster, mails_sent_by
):
    link = revise_link(send_back(pending, webmaster, mails_sent_by))

    response = client.get(link)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Revidér dit indlæg" in html
    assert "Gør det kortere, og nævn<br>hvilken kommune I arbejder i." in html
    assert form_values(html) == (
        "Mit første bud",
        "Første linje.\n\nAnden linje, som er for lang og for løs.",
    )


def test_a_revised_version_returns_to_the_queue_as_the_same_contribution(
    client, pending, webmaster, mails_sent_by, settings
):
    settings.MIA_WEBMASTER_EMAIL = "redaktion@ruc.example"
    link = revise_link(send_back(pending, webmaster, mails_sent_by))

    sent = mails_sent_by(
        lambda: client.post(
            link, {"title": "Mit bud", "body": "Første linje.\n\nAnden linje, strammet op."}
        )
    )

    assert Contribution.objects.count() == 1
    pending.refresh_from_db()
    assert pending.status == Status.PENDING
    assert pending.title == "Mit bud"
    assert pending.body == "Første linje.\n\nAnden linje, strammet op."
    assert "strammet op" in pending.body_html
    assert pending.rejection_reason == ""
    assert pending in Contribution.objects.awaiting_moderation()
    # The history keeps the version sent back, and the note it was sent back with.
    revised = pending.decisions.get(action=Action.RESUBMITTED)
    assert (revised.from_status, revised.to_status) == (Status.SENT_BACK, Status.PENDING)
    assert revised.earlier_title == "Mit første bud"
    assert revised.earlier_body == "Første linje.\n\nAnden linje, som er for lang og for løs."
    assert revised.reason == "Ændret: titel, tekst."
    assert pending.decisions.get(action=Action.SENT_BACK).reason == NOTE
    # The editors are told that it waits again.
    assert mails_to(sent, "redaktion@ruc.example")
    page = client.get(link)
    assert "Dit reviderede indlæg er sendt" not in page.content.decode()
    assert "Der er intet at revidere" in page.content.decode()


def test_the_revised_page_thanks_the_contributor(client, pending, webmaster, mails_sent_by):
    link = revise_link(send_back(pending, webmaster, mails_sent_by))

    response = client.post(link, {"title": "Mit bud", "body": "Kortere."}, follow=True)

    assert response.redirect_chain == [(link + "sendt/", 302)]
    assert "Dit reviderede indlæg er sendt" in response.content.decode()


def test_the_paper_stays_unless_a_new_one_is_attached(
    client, question, webmaster, mails_sent_by, django_capture_on_commit_callbacks
):
    with_paper = make_contribution(question=question, status=Status.PENDING, attachment=PDF_BYTES)
    first_file = with_paper.attachment.name
    link = revise_link(send_back(with_paper, webmaster, mails_sent_by))

    html = client.get(link).content.decode()
    assert "Dit paper “paper.pdf” følger med indlægget" in html
    client.post(link, {"title": with_paper.title, "body": "Ny tekst."})
    with_paper.refresh_from_db()
    assert with_paper.attachment.name == first_file

    services.send_back(contribution=with_paper, actor=webmaster, reason="Og papiret.")
    new_paper = SimpleUploadedFile("ny rapport.pdf", PDF_BYTES, "application/pdf")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("moderation:contribution-revise", args=[make_token(with_paper.pk, "revise")]),
            {"title": with_paper.title, "body": "Ny tekst.", "attachment": new_paper},
        )
    with_paper.refresh_from_db()
    assert with_paper.status == Status.PENDING
    assert with_paper.attachment_name == "ny rapport.pdf"
    assert with_paper.attachment.name != first_file
    assert not storages["contributions"].exists(first_file)
    assert with_paper.decisions.filter(action=Action.RESUBMITTED).first().reason == (
        "Ændret: paper (PDF)."
    )


def test_a_revised_text_is_checked_as_when_first_sent(client, pending, webmaster, mails_sent_by):
    link = revise_link(send_back(pending, webmaster, mails_sent_by))
    not_a_pdf = SimpleUploadedFile("rapport.pdf", b"<html>nej</html>", "application/pdf")

    response = client.post(link, {"title": "Mit bud", "body": "", "attachment": not_a_pdf})

    assert response.status_code == 400
    html = response.content.decode()
    assert "Der er problemer med 2 felter" in html
    pending.refresh_from_db()
    assert pending.status == Status.SENT_BACK


def test_a_tampered_link_is_refused_and_changes_nothing(client, pending, webmaster, mails_sent_by):
    link = revise_link(send_back(pending, webmaster, mails_sent_by))
    tampered = link.replace("/ret/", "/ret/x")

    response = client.post(tampered, {"title": "Hacket", "body": "Hacket."})

    assert response.status_code == 400
    assert "Linket virker ikke" in response.content.decode()
    pending.refresh_from_db()
    assert (pending.status, pending.title) == (Status.SENT_BACK, "Mit første bud")


def test_links_for_other_purposes_cannot_revise(client, pending, webmaster, mails_sent_by):
    send_back(pending, webmaster, mails_sent_by)
    for purpose in ("withdraw", "confirm"):
        url = reverse("moderation:contribution-revise", args=[make_token(pending.pk, purpose)])
        assert client.get(url).status_code == 400


def test_an_expired_link_is_refused_in_the_contributors_language(
    client, question, webmaster, mails_sent_by, monkeypatch, settings
):
    english = make_contribution(question=question, status=Status.PENDING, language="en")
    link = revise_link(send_back(english, webmaster, mails_sent_by))

    with days_later(monkeypatch, settings.MIA_REVISION_DAYS + 1):
        response = client.post(link, {"title": "Late", "body": "Too late."})

    assert response.status_code == 410
    html = response.content.decode()
    assert "The link has expired" in html
    assert "waits 14 days for the revised version, and that time is over" in html
    english.refresh_from_db()
    assert english.status == Status.SENT_BACK


def test_the_link_works_until_the_revision_period_ends(
    client, pending, webmaster, mails_sent_by, monkeypatch, settings
):
    link = revise_link(send_back(pending, webmaster, mails_sent_by))
    with days_later(monkeypatch, settings.MIA_REVISION_DAYS - 1):
        assert client.get(link).status_code == 200


# The desk ---------------------------------------------------------------------------------------


def test_the_desk_sends_back_with_a_note_and_shows_the_revision_as_a_diff(
    moderator, client, pending, mails_sent_by
):
    responses = []
    sent = mails_sent_by(
        lambda: responses.append(
            decide_on_page(moderator, pending, "sent_back", reason="Stram anden linje op.")
        )
    )
    assert "Sendt tilbage til revision: “Mit første bud”." in responses[0].content.decode()
    (message,) = mails_to(sent, "bidrag@example.dk")
    client.post(
        revise_link(message),
        {"title": "Mit første bud", "body": "Første linje.\n\nAnden linje, strammet op."},
    )

    page = moderator.get(change_url(pending)).content.decode()

    assert "Revideret efter at være sendt tilbage" in page
    assert "Stram anden linje op." in page
    assert "<del>er for lang og for løs.</del>" in page
    assert "<ins>strammet</ins> <ins>op.</ins>" in page
    assert "sendte en revideret udgave; indlægget kom i køen igen. Ændret: tekst." in page
    assert 'value="published"' in page


# Expiry, withdrawal and the data page -----------------------------------------------------------


def test_a_contribution_not_revised_in_time_is_closed_as_rejected(
    question, webmaster, mails_sent_by, settings
):
    late = make_contribution(question=question, status=Status.PENDING)
    recent = make_contribution(question=question, status=Status.PENDING)
    send_back(late, webmaster, mails_sent_by)
    send_back(recent, webmaster, mails_sent_by)
    Contribution.objects.filter(pk=late.pk).update(
        decided_at=timezone.now() - timedelta(days=settings.MIA_REVISION_DAYS, hours=1)
    )

    assert services.apply_retention(dry_run=True).revisions_lapsed == 1
    late.refresh_from_db()
    assert late.status == Status.SENT_BACK

    sent = mails_sent_by(lambda: services.apply_retention())

    assert sent == []
    late.refresh_from_db()
    recent.refresh_from_db()
    assert (late.status, recent.status) == (Status.REJECTED, Status.SENT_BACK)
    lapsed = late.decisions.get(action=Action.REVISION_LAPSED)
    assert (lapsed.actor, lapsed.from_status) == (None, Status.SENT_BACK)
    assert late.decided_at > timezone.now() - timedelta(minutes=1)


def test_a_contribution_sent_back_can_be_withdrawn_with_the_usual_link(
    client, pending, webmaster, mails_sent_by
):
    message = send_back(pending, webmaster, mails_sent_by)
    client.post(revise_link(message), {"title": "Mit bud", "body": "Kortere."})
    services.send_back(contribution=pending, actor=webmaster, reason="Stadig for langt.")
    (withdraw,) = [u for u in links(message) if "/tilbagetraek/" in u]

    client.post(path_of(withdraw))

    pending.refresh_from_db()
    assert pending.status == Status.WITHDRAWN
    assert (pending.title, pending.body, pending.rejection_reason) == ("", "", "")
    # The earlier version and the notes go with the rest of the text.
    for decision in pending.decisions.all():
        assert (decision.reason, decision.earlier_title, decision.earlier_body) == ("", "", "")
    assert "Der er intet at revidere" in client.get(revise_link(message)).content.decode()


def test_the_data_download_holds_the_earlier_version_and_the_note(
    client, pending, webmaster, mails_sent_by
):
    client.post(
        revise_link(send_back(pending, webmaster, mails_sent_by)),
        {"title": "Mit bud", "body": "Kortere."},
    )
    services.send_back(contribution=pending, actor=webmaster, reason="Næsten.")
    token = make_token("bidrag@example.dk", "personal-data")

    download = json.loads(
        client.get(reverse("moderation:personal-data-json", args=[token])).content
    )
    page = client.get(reverse("moderation:personal-data-download", args=[token])).content.decode()

    (held,) = download["indlæg"]
    assert held["status"] == "sendt tilbage til revision"
    assert held["begrundelse"] == "Næsten."
    (earlier,) = held["tidligere udgaver, sendt tilbage til revision"]
    assert earlier["redaktionens bemærkning"] == NOTE
    assert earlier["titel"] == "Mit første bud"
    assert earlier["tekst"] == "Første linje.\n\nAnden linje, som er for lang og for løs."
    assert [step["hvad"] for step in held["historik"]][-2:] == [
        "revideret af bidragyderen",
        "sendt tilbage til revision",
    ]
    assert "Anden linje, som er for lang og for løs." in page
    assert "Redaktionens bemærkning" in page


def test_unused_file_is_not_left_behind_when_a_revision_is_refused(pending, webmaster):
    services.withdraw(contribution=pending)
    before = stored_files()

    with pytest.raises(services.TransitionNotAllowed):
        services.resubmit(
            contribution=pending,
            title="",
            body="Ny.",
            attachment=ContentFile(PDF_BYTES, name="ny.pdf"),
        )

    assert stored_files() == before


def stored_files():
    storage = storages["contributions"]
    return set(storage.listdir("")[1]) if storage.exists("") else set()


def test_the_privacy_notice_says_how_long_a_contribution_sent_back_waits(client, settings):
    settings.MIA_REVISION_DAYS = 10

    page = " ".join(client.get(reverse("moderation:privacy")).content.decode().split())

    assert "sender tilbage til dig til revision, venter 10 dage på din reviderede udgave" in page


def test_the_record_of_a_revision_is_in_the_editors_language(
    client, question, webmaster, mails_sent_by
):
    english = make_contribution(question=question, status=Status.PENDING, language="en")
    link = revise_link(send_back(english, webmaster, mails_sent_by))

    client.post(link, {"title": english.title, "body": "Shorter."})

    assert english.decisions.get(action=Action.RESUBMITTED).reason == "Ændret: tekst."
