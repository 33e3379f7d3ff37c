"""
The mail intake command as the webmaster's cron job runs it: real messages from mail/ read from
files, mbox files, Maildirs and IMAP, marked when taken in, and reported. What becomes of each
mail (its question, its note, its paper) is tested on `take_in_mail` in test_intake_service.py.
"""

import io
import mailbox
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core import mail as django_mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from debates.models import Contribution, Question
from moderation import services
from moderation.intake import sources
from moderation.models import OutgoingMail
from tests.mail import mails_to
from tests.moderation.fake_imap import FakeImapServer

MAIL = Path(__file__).parent / "mail"


def summary(*, read, taken, already, skipped, failed, ignored=0, dry_run=False):
    """The command's last line, as the webmaster reads it."""
    done = "would be taken in" if dry_run else "taken in"
    return (
        f"Read {read} messages: {taken} {done}, {already} already taken in, "
        f"{ignored} automatic ignored, {skipped} skipped, {failed} failed."
    )


@dataclass
class Run:
    out: str
    err: str
    error: CommandError | None = None


@pytest.fixture
def ingest(seeded, django_capture_on_commit_callbacks):
    """
    Run `ingest_mail` on the seeded site and return what it printed.

    The confirmation mails are sent after commit, so the callbacks run as the command's own
    transactions would commit. The intake notes are translatable; the tests read the English.
    """

    def run(*args, fails=False):
        out, err = io.StringIO(), io.StringIO()
        with django_capture_on_commit_callbacks(execute=True), translation.override("en"):
            try:
                call_command("ingest_mail", *map(str, args), stdout=out, stderr=err)
            except CommandError as error:
                if not fails:
                    raise
                return Run(out.getvalue(), err.getvalue(), error)
        assert not fails, "the command should have failed"
        return Run(out.getvalue(), err.getvalue())

    return run


def copy_mail(folder, *names):
    """Copy corpus messages into folder, numbered so they are read in the order given."""
    folder.mkdir(exist_ok=True)
    for number, name in enumerate(names, start=1):
        shutil.copy(MAIL / name, folder / f"{number}-{name}")
    return folder


def the_contribution():
    return Contribution.objects.select_related("question").get()


# Reporting ---------------------------------------------------------------------------------------


def test_each_mail_taken_in_is_reported_with_its_question_its_length_and_its_paper(ingest):
    run = ingest(MAIL / "pdf-attachment.eml", MAIL / "gmail-base64.eml")

    general = Contribution.objects.get(author_email="anne.sorensen@gmail.com")
    assert (
        f"taken in {MAIL / 'pdf-attachment.eml'} -> Kan efterligning skabe innovation? "
        "(39 chars, paper: yes)"
    ) in run.out
    assert (
        f"taken in {MAIL / 'gmail-base64.eml'} -> {general.question.title} "
        f"({len(general.body)} chars, paper: no)"
    ) in run.out
    assert summary(read=2, taken=2, already=0, skipped=0, failed=0) in run.out


# Messages that cannot be taken in ----------------------------------------------------------------


def test_a_mail_without_from_is_skipped_and_nothing_is_stored(ingest):
    run = ingest(MAIL / "no-from.eml")

    assert not Contribution.objects.exists()
    assert not OutgoingMail.objects.exists()
    assert f"skipped {MAIL / 'no-from.eml'}: the message has no From header" in run.err
    assert summary(read=1, taken=0, already=0, skipped=1, failed=0) in run.out


def test_a_mail_with_nowhere_open_to_go_is_skipped_and_left_in_the_maildir(ingest, tmp_path):
    Question.objects.filter(slug="generel-debat").update(is_open=False)
    box = mailbox.Maildir(tmp_path / "Maildir", factory=None, create=True)
    box.add((MAIL / "gmail-base64.eml").read_bytes())

    run = ingest(tmp_path / "Maildir")

    assert not Contribution.objects.exists()
    assert "there is no open general debate" in run.err
    assert len(os.listdir(tmp_path / "Maildir" / "new")) == 1


def test_a_truncated_mail_never_stops_the_run(ingest, tmp_path):
    folder = copy_mail(
        tmp_path / "mail", "truncated-in-headers.eml", "truncated-in-pdf.eml", "signature.eml"
    )

    run = ingest(folder)

    assert f"skipped {folder / '1-truncated-in-headers.eml'}: the header section is broken" in (
        run.err
    )
    cut_short, whole = Contribution.objects.order_by("pk")
    # Cut off inside its PDF: the text is taken in, the broken PDF only named in the note.
    assert cut_short.body == "Hermed mit paper til spørgsmål 3.\n\nLise"
    assert not cut_short.attachment
    assert "Bidrag til spørgsmål 3.pdf (an incomplete PDF" in cut_short.intake_note
    assert whole.author_email == "pholm@ruc.dk"
    assert summary(read=3, taken=2, already=0, skipped=1, failed=0) in run.out


def test_an_unexpected_error_on_one_mail_is_reported_and_the_run_goes_on(
    ingest, tmp_path, monkeypatch
):
    submit = services.submit_contribution

    def broken_for_peter(**arguments):
        if arguments["author_email"] == "pholm@ruc.dk":
            raise RuntimeError("the disk is full")
        return submit(**arguments)

    monkeypatch.setattr(services, "submit_contribution", broken_for_peter)
    folder = copy_mail(tmp_path / "mail", "signature.eml", "gmail-base64.eml")

    run = ingest(folder)

    assert f"failed {folder / '1-signature.eml'}: RuntimeError: the disk is full" in run.err
    assert the_contribution().author_email == "anne.sorensen@gmail.com"
    assert summary(read=2, taken=1, already=0, skipped=0, failed=1) in run.out


# Taken in once -----------------------------------------------------------------------------------


def test_two_files_with_the_same_message_id_give_one_contribution(ingest):
    run = ingest(MAIL / "duplicate-message-id-a.eml", MAIL / "duplicate-message-id-b.eml")

    assert Contribution.objects.count() == 1
    assert f"already taken in: {MAIL / 'duplicate-message-id-b.eml'}" in run.out
    assert len(django_mail.outbox) == 1
    assert summary(read=2, taken=1, already=1, skipped=0, failed=0) in run.out


def test_running_twice_on_the_same_mbox_takes_each_mail_in_once(ingest):
    ingest(MAIL / "inbox.mbox")
    second = ingest(MAIL / "inbox.mbox")

    assert sorted(Contribution.objects.values_list("title", flat=True)) == [
        "Anden",
        "Første",
        "Tredje",
    ]
    assert len(mails_to(django_mail.outbox, "anne.sorensen@gmail.com")) == 1
    assert OutgoingMail.objects.count() == 3
    assert summary(read=3, taken=0, already=3, skipped=0, failed=0) in second.out


# Maildir -----------------------------------------------------------------------------------------


@pytest.fixture
def maildir(tmp_path):
    """A Maildir with a good message and one without a From header, both new."""
    path = tmp_path / "Maildir"
    box = mailbox.Maildir(path, factory=None, create=True)
    good = box.add((MAIL / "signature.eml").read_bytes())
    bad = box.add((MAIL / "no-from.eml").read_bytes())
    return path, good, bad


def maildir_files(path):
    return sorted(
        f"{sub}/{name}" for sub in ("new", "cur", "tmp") for name in os.listdir(path / sub)
    )


def test_a_taken_in_maildir_message_moves_to_cur_as_seen_and_a_skipped_one_stays_new(
    ingest, maildir
):
    path, good, bad = maildir

    run = ingest(path)

    assert maildir_files(path) == [f"cur/{good}:2,S", f"new/{bad}"]
    assert (path / "cur" / f"{good}:2,S").read_bytes() == (MAIL / "signature.eml").read_bytes()
    assert the_contribution().author_email == "pholm@ruc.dk"
    assert summary(read=2, taken=1, already=0, skipped=1, failed=0) in run.out


def test_a_second_run_on_a_maildir_changes_nothing(ingest, maildir):
    path, _good, _bad = maildir
    ingest(path)
    after_first = maildir_files(path)

    second = ingest(path)

    assert maildir_files(path) == after_first
    assert Contribution.objects.count() == 1
    assert summary(read=2, taken=0, already=1, skipped=1, failed=0) in second.out


# Dry run and errors ------------------------------------------------------------------------------


def test_a_dry_run_reports_what_it_would_do_and_writes_sends_and_marks_nothing(
    ingest, maildir, tmp_path
):
    path, good, bad = maildir

    run = ingest(path, MAIL / "pdf-attachment.eml", "--dry-run")

    assert not Contribution.objects.exists()
    assert not OutgoingMail.objects.exists()
    assert django_mail.outbox == []
    assert maildir_files(path) == sorted([f"new/{good}", f"new/{bad}"])
    assert not (tmp_path / "media").exists() or not any((tmp_path / "media").rglob("*.pdf"))
    assert (
        f"would take in {MAIL / 'pdf-attachment.eml'} -> Kan efterligning skabe innovation? "
        "(39 chars, paper: yes)"
    ) in run.out
    assert summary(read=3, taken=2, already=0, skipped=1, failed=0, dry_run=True) in (run.out)


def test_a_dry_run_recognises_mail_that_was_taken_in_before(ingest):
    ingest(MAIL / "signature.eml")

    run = ingest(MAIL / "signature.eml", "--dry-run")

    assert f"already taken in: {MAIL / 'signature.eml'}" in run.out


def test_a_missing_path_is_an_error_after_the_other_sources_are_taken_in(ingest, tmp_path):
    run = ingest(tmp_path / "nowhere", MAIL / "signature.eml", fails=True)

    assert str(tmp_path / "nowhere") in str(run.error)
    assert "cannot read" in run.err
    assert the_contribution().author_email == "pholm@ruc.dk"
    assert "Read 1 messages: 1 taken in" in run.out


def test_a_file_that_is_not_mail_is_an_error(ingest, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("Husk mødet.\n")

    run = ingest(notes, fails=True)

    assert "neither a .eml file nor an mbox" in run.err


def test_no_source_at_all_is_an_error(db):
    with pytest.raises(CommandError, match="at least one SOURCE"):
        call_command("ingest_mail", stdout=io.StringIO(), stderr=io.StringIO())


def test_quiet_runs_print_only_the_problems(ingest, tmp_path):
    folder = copy_mail(tmp_path / "mail", "signature.eml")
    quiet = ingest(folder, "--verbosity", "0")
    assert (quiet.out, quiet.err) == ("", "")

    noisy = ingest(MAIL / "no-from.eml", "--verbosity", "0")
    assert "skipped" in noisy.err
    assert "1 skipped" in noisy.out


# IMAP --------------------------------------------------------------------------------------------

PASSWORD = "hemmeligt"
IMAP_URL = f"imaps://debat:{PASSWORD}@imap.example.dk/INBOX"


@pytest.fixture
def imap_server(monkeypatch):
    server = FakeImapServer(
        {
            "7": (MAIL / "signature.eml").read_bytes(),
            "8": (MAIL / "no-from.eml").read_bytes(),
            "9": (MAIL / "pdf-attachment.eml").read_bytes(),
        },
        password=PASSWORD,
        mailboxes=['"INBOX"', '"Behandlet"'],
    )
    monkeypatch.setattr(sources.imaplib, "IMAP4_SSL", server.connect)
    return server


def test_imap_mail_taken_in_is_marked_seen_a_skipped_one_stays_unread_and_none_is_deleted(
    ingest, imap_server
):
    run = ingest("--imap", f"{IMAP_URL}?processed=Behandlet")

    assert imap_server.seen == {"7", "9"}
    assert set(imap_server.messages) == {"7", "8", "9"}
    assert sorted(Contribution.objects.values_list("author_email", flat=True)) == [
        "lise@uni.example.dk",
        "pholm@ruc.dk",
    ]
    assert ("UID", "COPY", "9", '"Behandlet"') in imap_server.commands
    assert ("UID", "COPY", "8", '"Behandlet"') not in imap_server.commands
    words = " ".join(str(word) for command in imap_server.commands for word in command).upper()
    assert "DELETED" not in words
    assert "EXPUNGE" not in words
    assert "taken in imaps://debat@imap.example.dk/INBOX;UID=7 -> " in run.out
    assert "skipped imaps://debat@imap.example.dk/INBOX;UID=8: the message has no From" in run.err
    assert PASSWORD not in run.out + run.err
    assert summary(read=3, taken=2, already=0, skipped=1, failed=0) in run.out


def test_imap_mail_taken_in_before_is_marked_seen_and_not_stored_again(ingest, imap_server):
    ingest(MAIL / "signature.eml")

    run = ingest("--imap", IMAP_URL)

    assert "7" in imap_server.seen
    assert Contribution.objects.filter(author_email="pholm@ruc.dk").count() == 1
    assert "already taken in: imaps://debat@imap.example.dk/INBOX;UID=7" in run.out


def test_imap_url_can_come_from_the_environment(ingest, imap_server, monkeypatch):
    monkeypatch.setenv("MIA_INTAKE_IMAP", IMAP_URL)

    ingest("--imap-env", "MIA_INTAKE_IMAP")

    assert Contribution.objects.count() == 2


def test_an_imap_login_failure_is_an_error_that_does_not_print_the_password(ingest, imap_server):
    run = ingest("--imap", "imaps://debat:forkert-kode@imap.example.dk/INBOX", fails=True)

    assert "AUTHENTICATIONFAILED" in run.err
    assert "imaps://debat@imap.example.dk/INBOX" in str(run.error)
    assert "forkert-kode" not in run.out + run.err + str(run.error)
    assert not Contribution.objects.exists()
    assert "Read 0 messages" in run.out


def test_a_plain_imap_url_is_refused(ingest, imap_server):
    run = ingest("--imap", f"imap://debat:{PASSWORD}@imap.example.dk/INBOX", fails=True)

    assert "TLS is required" in run.err
    assert imap_server.commands == []


def test_automatic_replies_are_ignored_marked_read_and_never_answered(
    tmp_path, seeded, django_capture_on_commit_callbacks
):
    maildir = mailbox.Maildir(tmp_path / "Maildir", create=True)
    for name in ("out-of-office.eml", "bounce.eml"):
        maildir.add((MAIL / name).read_bytes())

    with django_capture_on_commit_callbacks(execute=True):
        out = io.StringIO()
        call_command("ingest_mail", str(tmp_path / "Maildir"), stdout=out, stderr=io.StringIO())

    assert summary(read=2, taken=0, already=0, skipped=0, failed=0, ignored=2) in out.getvalue()
    assert not Contribution.objects.exists()
    assert django_mail.outbox == []
    assert list((tmp_path / "Maildir" / "new").iterdir()) == []
