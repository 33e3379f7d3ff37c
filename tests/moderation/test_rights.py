"""The contributor's rights: withdrawing by the link in our mails, seeing their data, retention."""

import io
import json
import os
import re
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from debates.models import Contribution
from moderation import services
from moderation.models import Decision, OutgoingMail, Subscription
from moderation.services import rights, staging
from moderation.tokens import make_token
from tests.factories import PDF_BYTES, make_contribution, make_webmaster
from tests.mail import links, path_of

Status = Contribution.Status


def withdraw_url(contribution):
    return reverse(
        "moderation:contribution-withdraw", args=[make_token(contribution.pk, "withdraw")]
    )


# Withdrawing ----------------------------------------------------------------------------------


def test_every_mail_to_a_contributor_carries_a_working_withdrawal_link(
    client, question, django_capture_on_commit_callbacks
):
    webmaster = make_webmaster()
    contribution = make_contribution(question=question, status=Status.PENDING)
    with django_capture_on_commit_callbacks(execute=True):
        services.publish(contribution=contribution, actor=webmaster)
    (message,) = mail.outbox
    (link,) = [u for u in links(message) if "/tilbagetraek/" in u]
    assert any(u.endswith("/mine-data/") for u in links(message))

    page = client.get(path_of(link))
    assert page.status_code == 200
    assert contribution.title in page.content.decode()
    client.post(path_of(link))
    contribution.refresh_from_db()
    assert contribution.status == Status.WITHDRAWN


def test_withdrawing_erases_the_text_name_addresses_and_paper(
    client, question, django_capture_on_commit_callbacks
):
    contribution = make_contribution(question=question, attachment=PDF_BYTES, rejection_reason="x")
    stored = contribution.attachment.name
    assert storages["contributions"].exists(stored)
    Decision.objects.create(
        contribution=contribution,
        action="published",
        actor_name="webmaster",
        from_status="pending",
        to_status="published",
        reason="Fin.",
    )

    # The paper is deleted once the erasure is committed.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(withdraw_url(contribution), follow=True)

    assert "Dit indlæg er trukket tilbage" in response.content.decode()
    contribution.refresh_from_db()
    for field in (
        "author_name",
        "author_email",
        "author_title",
        "author_organisation",
        "title",
        "body",
        "body_html",
        "original_title",
        "original_body",
        "attachment_name",
        "rejection_reason",
    ):
        assert getattr(contribution, field) == "", field
    assert contribution.submitter_ip is None
    assert not contribution.attachment
    assert not storages["contributions"].exists(stored)
    assert contribution.anonymised_at is not None
    # The record keeps who decided what and when, not what was said.
    assert set(contribution.decisions.values_list("reason", flat=True)) == {""}
    assert contribution.decisions.filter(action=Decision.Action.WITHDRAWN).exists()


def test_replies_by_others_stay_under_a_withdrawn_marker(client, question):
    contribution = make_contribution(question=question, body="Det oprindelige indlæg.")
    make_contribution(question=question, parent=contribution, body="Et svar fra en anden.")

    client.post(withdraw_url(contribution))

    html = client.get(question.get_absolute_url()).content.decode()
    assert "Det oprindelige indlæg." not in html
    assert "Dette indlæg er trukket tilbage af forfatteren." in html
    assert "Et svar fra en anden." in html


# The right to erasure covers everything held about a contributor, whatever the editors decided.
MAY_BE_WITHDRAWN = [
    Status.UNCONFIRMED,
    Status.PENDING,
    Status.PUBLISHED,
    Status.REJECTED,
    Status.SPAM,
    Status.SENT_BACK,
]


def test_everything_but_a_withdrawn_contribution_can_be_withdrawn():
    assert set(MAY_BE_WITHDRAWN) == services.WITHDRAWABLE
    assert set(Status) - services.WITHDRAWABLE == {Status.WITHDRAWN}


@pytest.mark.parametrize("status", MAY_BE_WITHDRAWN)
def test_a_contributor_withdraws_a_contribution_whatever_the_editors_decided(
    client, question, webmaster, status
):
    contribution = make_contribution(question=question, status=status, title="Mit indlæg")
    Decision.objects.create(
        contribution=contribution,
        action="edited",
        actor=webmaster,
        actor_name=webmaster.username,
        from_status=status,
        to_status=status,
        reason="Rettet stavefejl.",
    )

    response = client.post(withdraw_url(contribution), follow=True)

    assert "Dit indlæg er trukket tilbage" in response.content.decode()
    contribution.refresh_from_db()
    assert contribution.status == Status.WITHDRAWN
    assert (contribution.title, contribution.author_email) == ("", "")
    # The record of who decided what survives the erasure.
    earlier = contribution.decisions.get(action=Decision.Action.EDITED)
    assert (earlier.actor, earlier.from_status, earlier.reason) == (webmaster, status, "")
    withdrawn = contribution.decisions.get(action=Decision.Action.WITHDRAWN)
    assert (withdrawn.from_status, withdrawn.actor) == (status, None)


def test_a_withdrawn_contribution_cannot_be_withdrawn_again(question):
    contribution = make_contribution(question=question)
    services.withdraw(contribution=contribution)

    with pytest.raises(services.TransitionNotAllowed, match="Kan ikke trække tilbage"):
        services.withdraw(contribution=contribution)

    assert contribution.decisions.filter(action=Decision.Action.WITHDRAWN).count() == 1


def test_a_withdrawal_link_used_again_says_so(client, question):
    contribution = make_contribution(question=question)
    url = withdraw_url(contribution)
    client.post(url)
    response = client.get(url)
    assert "trukket tilbage allerede" in response.content.decode()


def test_a_tampered_withdrawal_link_changes_nothing(client, question):
    contribution = make_contribution(question=question)
    response = client.post(withdraw_url(contribution).replace("/tilbagetraek/", "/tilbagetraek/0"))
    assert response.status_code == 400
    contribution.refresh_from_db()
    assert contribution.status == Status.PUBLISHED


def test_a_confirmation_link_cannot_withdraw(client, question):
    contribution = make_contribution(question=question)
    token = make_token(contribution.pk, "confirm")
    assert client.post(reverse("moderation:contribution-withdraw", args=[token])).status_code == 400


# Seeing one's data ----------------------------------------------------------------------------


def test_a_data_request_mails_a_link_to_everything_held_to_read_and_download(
    client, question, django_capture_on_commit_callbacks
):
    mine = make_contribution(
        question=question, author_email="Ida@Example.dk", submitter_ip="203.0.113.9", title="Mit"
    )
    make_contribution(question=question, author_email="other@example.dk", title="Andres")
    Subscription.objects.create(email="ida@example.dk", question=question, status="active")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("moderation:personal-data"), {"email": "ida@example.dk"})
    assert "Tjek din e-mail" in response.content.decode()
    (message,) = mail.outbox
    assert message.to == ["ida@example.dk"]
    (link,) = [u for u in links(message) if "/mine-data/hent/" in u]

    shown = client.get(path_of(link))
    assert shown["Content-Type"].startswith("text/html")
    assert "Mit" in shown.content.decode()
    assert "Andres" not in shown.content.decode()
    (download_path,) = re.findall(r'href="([^"]+/json/)" download', shown.content.decode())
    download = client.get(download_path)

    assert download["Content-Disposition"] == 'attachment; filename="mia-debat-mine-data.json"'
    text = download.content.decode()
    data = json.loads(text)
    assert data["e-mailadresse"] == "ida@example.dk"
    assert [c["titel"] for c in data["indlæg"]] == ["Mit"]
    assert data["indlæg"][0]["sendt fra netværksadresse"] == "203.0.113.9"
    assert data["indlæg"][0]["nummer"] == mine.pk
    assert data["indlæg"][0]["status"] == "offentliggjort"
    assert data["følger"][0]["følger"] == question.title
    assert [m["emne"] for m in data["mails sendt til dig"]] == ["Dine data i MIA-debatten"]
    # Readable as it is: Danish letters as letters, not \\u escapes.
    assert "\\u00" not in text
    assert "sendt fra netværksadresse" in text


def test_a_data_request_for_an_unknown_address_looks_the_same_but_sends_nothing(
    client, seeded, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("moderation:personal-data"), {"email": "ukendt@example.dk"})
    assert "Tjek din e-mail" in response.content.decode()
    assert mail.outbox == []


def test_a_data_link_expires(client, question, settings, monkeypatch):
    make_contribution(question=question, author_email="ida@example.dk")
    token = make_token("ida@example.dk", "personal-data")
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 86400 * (settings.MIA_CONFIRMATION_DAYS + 1))
    response = client.get(reverse("moderation:personal-data-download", args=[token]))
    assert response.status_code == 410
    assert "Linket er udløbet" in response.content.decode()


def test_a_forged_data_link_is_refused(client, seeded):
    response = client.get(reverse("moderation:personal-data-download", args=["ida@example.dk"]))
    assert response.status_code == 400


# Retention ------------------------------------------------------------------------------------


def backdate(contribution, **moments):
    Contribution.objects.filter(pk=contribution.pk).update(**moments)


def retention(*args):
    out = io.StringIO()
    call_command("apply_retention", *args, stdout=out)
    return out.getvalue()


def test_never_confirmed_contributions_are_deleted_once_their_link_has_expired(question, settings):
    now = timezone.now()
    expired = make_contribution(question=question, status=Status.UNCONFIRMED, attachment=PDF_BYTES)
    backdate(expired, submitted_at=now - timedelta(days=settings.MIA_CONFIRMATION_DAYS + 1))
    fresh = make_contribution(question=question, status=Status.UNCONFIRMED)
    stored = expired.attachment.name

    output = retention()

    assert "1  never-confirmed contributions deleted" in output
    assert not Contribution.objects.filter(pk=expired.pk).exists()
    assert not storages["contributions"].exists(stored)
    assert Contribution.objects.filter(pk=fresh.pk).exists()


def test_addresses_are_removed_after_the_retention_period_but_the_contribution_stays(
    question, settings
):
    now = timezone.now()
    old = make_contribution(
        question=question, author_email="gammel@example.dk", submitter_ip="192.0.2.1"
    )
    backdate(old, decided_at=now - timedelta(days=31 * settings.MIA_RETENTION_MONTHS))
    recent = make_contribution(question=question, author_email="ny@example.dk")
    backdate(recent, decided_at=now - timedelta(days=30))
    waiting = make_contribution(
        question=question, status=Status.PENDING, author_email="venter@example.dk"
    )
    backdate(waiting, submitted_at=now - timedelta(days=900))
    Subscription.objects.create(email="gammel@example.dk", contribution=old, status="active")

    retention()

    old.refresh_from_db()
    assert (old.author_email, old.submitter_ip, old.status) == ("", None, Status.PUBLISHED)
    assert old.author_name  # the published name stays with the published text
    assert not Subscription.objects.filter(email="gammel@example.dk").exists()
    recent.refresh_from_db()
    assert recent.author_email == "ny@example.dk"
    waiting.refresh_from_db()
    assert waiting.author_email == "venter@example.dk"


def test_the_mail_log_and_abandoned_uploads_are_cleared(question, settings):
    old_mail = OutgoingMail.objects.create(
        kind="published", recipients=["a@example.dk"], subject="s", body_text="t"
    )
    OutgoingMail.objects.filter(pk=old_mail.pk).update(
        created_at=timezone.now() - timedelta(days=settings.MIA_MAIL_LOG_DAYS + 1)
    )
    new_mail = OutgoingMail.objects.create(
        kind="published", recipients=["b@example.dk"], subject="s", body_text="t"
    )
    abandoned = staging.park(ContentFile(PDF_BYTES, name="a.pdf"), visitor="192.0.2.1")
    old = (timezone.now() - timedelta(days=2)).timestamp()
    os.utime(storages["contributions"].path(abandoned.path), (old, old))
    kept = staging.park(ContentFile(PDF_BYTES, name="b.pdf"), visitor="192.0.2.1")
    # Parked now by the job's clock, whatever the file system's clock says.
    now = timezone.now().timestamp()
    os.utime(storages["contributions"].path(kept.path), (now, now))

    retention()

    assert list(OutgoingMail.objects.values_list("pk", flat=True)) == [new_mail.pk]
    assert staging.read(abandoned.token) is None
    assert not storages["contributions"].exists(abandoned.path)
    assert staging.read(kept.token) == kept


def test_a_dry_run_counts_but_changes_nothing(question, settings):
    expired = make_contribution(question=question, status=Status.UNCONFIRMED)
    backdate(
        expired, submitted_at=timezone.now() - timedelta(days=settings.MIA_CONFIRMATION_DAYS + 1)
    )

    output = retention("--dry-run")

    assert "1 items would be removed" in output
    assert Contribution.objects.filter(pk=expired.pk).exists()


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        ((2026, 3, 31), 1, (2026, 2, 28)),
        ((2026, 2, 28), 24, (2024, 2, 28)),
        ((2024, 2, 29), 12, (2023, 2, 28)),
        ((2026, 1, 15), 13, (2024, 12, 15)),
    ],
)
def test_retention_months_are_counted_on_the_calendar(start, months, expected):
    moment = datetime(*start, 12, tzinfo=UTC)
    assert rights._months_before(moment, months) == datetime(*expected, 12, tzinfo=UTC)
