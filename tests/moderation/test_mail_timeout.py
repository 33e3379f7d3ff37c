"""A mail server that accepts the connection and never answers cannot hold the site."""

import io
import time

from django.core import mail as django_mail
from django.core.management import call_command

from moderation.models import OutgoingMail
from moderation.outbox import send_queued


def test_the_site_gives_mail_servers_a_timeout():
    from django.conf import settings

    assert 0 < settings.EMAIL_TIMEOUT <= 30


def test_a_stalled_mail_server_fails_the_send_within_the_timeout_and_the_mail_waits(
    db, settings, stalled_smtp_server
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", stalled_smtp_server
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 1
    queued = OutgoingMail.objects.create(
        kind=OutgoingMail.Kind.CONFIRMATION,
        recipients=["ida@example.dk"],
        subject="Bekræft dit indlæg",
        body_text="…",
    )

    start = time.monotonic()
    assert send_queued(ids=[queued.pk]) == (0, 1)
    assert time.monotonic() - start < 3

    queued.refresh_from_db()
    assert queued.sent_at is None
    assert "timed out" in queued.last_error

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("send_queued_mail", stdout=io.StringIO())

    queued.refresh_from_db()
    assert queued.sent_at is not None
    assert [m.subject for m in django_mail.outbox] == ["Bekræft dit indlæg"]
