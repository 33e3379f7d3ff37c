"""
The scheduled jobs as cron starts them on several servers at the same minute: two runs at once,
each with its own database connection, do each thing once. One run is held in the middle of its
work (a mail server that has not yet answered, a mailbox that has not yet sent the message, a
row another transaction holds) while the other runs from start to end.

PostgreSQL only: SQLite serves one machine and serialises its writers, so the race needs
PostgreSQL's row and advisory locks to be shown, and fixed.
"""

import asyncio
import io
import socket
import threading
import time
from datetime import timedelta
from email import message_from_bytes
from pathlib import Path

import pytest
from django.core import mail
from django.core.files.storage import storages
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from debates.models import Contribution
from moderation.intake import sources
from moderation.models import OutgoingMail
from moderation.outbox import message_id
from tests.factories import PDF_BYTES, make_contribution
from tests.mail import mails_to
from tests.moderation.fake_imap import FakeImapServer

aiosmtpd_controller = pytest.importorskip(
    "aiosmtpd.controller", reason="the mail server of these tests is aiosmtpd: pip install '.[dev]'"
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite serialises writers on one machine; the PostgreSQL run shows the race",
    ),
]

MAIL = Path(__file__).parent / "mail"
# However long a held run may take to reach the point where it waits, or to finish once let go.
PATIENCE = 60


class Run(threading.Thread):
    """A management command in a thread of its own, as another server's cron would start it."""

    def __init__(self, *args):
        super().__init__(daemon=True)
        self.args, self.out, self.error = args, io.StringIO(), None

    def run(self):
        try:
            call_command(*self.args, stdout=self.out, stderr=self.out)
        except Exception as error:
            self.error = error
        finally:
            connection.close()

    def finished(self):
        self.join(PATIENCE)
        assert not self.is_alive(), f"{self.args[0]} did not finish:\n{self.out.getvalue()}"
        assert self.error is None, self.error
        return self.out.getvalue()


# send_queued_mail ------------------------------------------------------------------------------


class HeldMailServer:
    """An SMTP server that takes every message, but answers the first one only when let go."""

    def __init__(self):
        self.received = []
        self.first_arrived = threading.Event()
        self.let_go = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        if not self.first_arrived.is_set():
            self.first_arrived.set()
            await asyncio.get_running_loop().run_in_executor(None, self.let_go.wait, PATIENCE)
        self.received.append(message_from_bytes(envelope.content)["Message-ID"])
        return "250 Message accepted for delivery"


@pytest.fixture
def held_mail_server(settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = HeldMailServer()
    controller = aiosmtpd_controller.Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield handler
    handler.let_go.set()
    controller.stop()


def test_two_senders_at_once_send_each_queued_mail_once(held_mail_server):
    queued = [
        OutgoingMail.objects.create(
            kind=OutgoingMail.Kind.DATA_EXPORT,
            recipients=[f"modtager{n}@example.dk"],
            subject=f"Post nummer {n}",
            body_text="Her er linket.",
        )
        for n in range(5)
    ]

    first = Run("send_queued_mail")
    first.start()
    assert held_mail_server.first_arrived.wait(PATIENCE), "the first sender never sent"
    second = Run("send_queued_mail")
    second.start()
    second_said = second.finished()
    held_mail_server.let_go.set()
    first_said = first.finished()

    assert "Sent 4, failed 0" in second_said  # all but the one the first sender holds
    assert "Sent 1, failed 0" in first_said
    assert sorted(held_mail_server.received) == sorted(message_id(m) for m in queued)
    assert not OutgoingMail.objects.filter(sent_at=None).exists()


def test_a_mail_delivered_as_its_database_connection_dropped_is_recorded_and_not_sent_again(
    held_mail_server,
):
    queued = OutgoingMail.objects.create(
        kind=OutgoingMail.Kind.DATA_EXPORT,
        recipients=["modtager@example.dk"],
        subject="Dine data",
        body_text="Her er linket.",
    )
    sender = Run("send_queued_mail")
    sender.start()
    assert held_mail_server.first_arrived.wait(PATIENCE), "the sender never sent"

    # The sender's session ends (a database restart, say) while the mail server takes the mail.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND state = 'idle in transaction'"
        )
        assert cursor.fetchall() == [(True,)]
    held_mail_server.let_go.set()
    said = sender.finished()
    again = Run("send_queued_mail")
    again.start()

    assert "Sent 1, failed 0, left 0." in said
    assert "No unsent mail." in again.finished()
    queued.refresh_from_db()
    assert queued.sent_at is not None
    assert held_mail_server.received == [message_id(queued)]


# ingest_mail -----------------------------------------------------------------------------------

IMAP_URL = "imaps://debat:hemmeligt@imap.example.dk/INBOX?processed=Behandlet"
SENDERS = {
    "7": ("signature.eml", "lise@uni.example.dk"),
    "9": ("pdf-attachment.eml", "pholm@ruc.dk"),
}


class HeldImapServer(FakeImapServer):
    """A mailbox whose first reader is held at its first message until let go."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.first_fetching = threading.Event()
        self.let_go = threading.Event()

    def connect(self, *args, **kwargs):
        imap = super().connect(*args, **kwargs)
        if len(self.connections) == 1:
            answer = imap.uid

            def held(command, *args):
                if command == "FETCH" and not self.first_fetching.is_set():
                    self.first_fetching.set()
                    self.let_go.wait(PATIENCE)
                return answer(command, *args)

            imap.uid = held
        return imap


def test_two_intake_runs_at_once_take_each_mail_in_once(seeded, monkeypatch):
    mailbox = HeldImapServer(
        {uid: (MAIL / name).read_bytes() for uid, (name, _sender) in SENDERS.items()},
        mailboxes=['"INBOX"', '"Behandlet"'],
    )
    monkeypatch.setattr(sources.imaplib, "IMAP4_SSL", mailbox.connect)

    first = Run("ingest_mail", "--imap", IMAP_URL)
    first.start()
    assert mailbox.first_fetching.wait(PATIENCE), "the first run never read the mailbox"
    second = Run("ingest_mail", "--imap", IMAP_URL)
    second.start()
    second_said = second.finished()
    mailbox.let_go.set()
    first_said = first.finished()

    assert "Another run of ingest_mail is in progress; nothing done." in second_said
    assert len(mailbox.connections) == 1  # the second run left the mailbox alone
    assert "Read 2 messages: 2 taken in" in first_said
    assert sorted(Contribution.objects.values_list("author_email", flat=True)) == sorted(
        sender for _name, sender in SENDERS.values()
    )
    copies = [c for c in mailbox.commands if c[:2] == ("UID", "COPY")]
    assert sorted(copies) == [("UID", "COPY", uid, '"Behandlet"') for uid in sorted(SENDERS)]
    for _name, sender in SENDERS.values():
        assert len(mails_to(mail.outbox, sender)) == 1


def test_a_run_after_the_first_has_finished_reads_the_mailbox_again(seeded, monkeypatch):
    mailbox = FakeImapServer(
        {"7": (MAIL / "signature.eml").read_bytes()}, mailboxes=['"INBOX"', '"Behandlet"']
    )
    monkeypatch.setattr(sources.imaplib, "IMAP4_SSL", mailbox.connect)
    first, second = Run("ingest_mail", "--imap", IMAP_URL), Run("ingest_mail", "--imap", IMAP_URL)

    first.start()
    first.finished()
    second.start()
    second_said = second.finished()

    assert "in progress" not in second_said
    assert len(mailbox.connections) == 2
    assert Contribution.objects.count() == 1


# apply_retention -------------------------------------------------------------------------------


def held_up_by_us():
    """How many database sessions wait for a lock this one holds (pg_locks is always current)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks "
            "WHERE NOT granted AND pg_backend_pid() = ANY(pg_blocking_pids(pid))"
        )
        return cursor.fetchone()[0]


def test_two_retention_runs_at_once_apply_the_rules_once(seeded):
    long_ago = timezone.now() - timedelta(days=3 * 365)
    expired = make_contribution(status=Contribution.Status.UNCONFIRMED, attachment=PDF_BYTES)
    Contribution.objects.filter(pk=expired.pk).update(submitted_at=long_ago)
    decided = make_contribution(decided_at=long_ago)
    paper = expired.attachment.name
    assert storages["contributions"].exists(paper)

    first = Run("apply_retention")
    second = Run("apply_retention")
    try:
        # Another transaction holds the decided contribution, so the first run stops there.
        with transaction.atomic():
            Contribution.objects.select_for_update().get(pk=decided.pk)
            first.start()
            deadline = time.monotonic() + PATIENCE
            while not held_up_by_us():
                assert time.monotonic() < deadline, "the first run never reached the row"
                time.sleep(0.05)
            second.start()
            second.join(PATIENCE)
    finally:
        second_said = second.finished()
        first_said = first.finished()

    assert "Another run of apply_retention is in progress; nothing done." in second_said
    assert "1  never-confirmed contributions deleted" in first_said
    assert "1  contributions whose e-mail and network addresses are removed" in first_said
    assert not Contribution.objects.filter(pk=expired.pk).exists()
    assert not storages["contributions"].exists(paper)
    decided.refresh_from_db()
    assert (decided.author_email, decided.submitter_ip) == ("", None)
