"""
Take in contributions sent by e-mail: from .eml files, mbox files, Maildirs and an IMAP mailbox.

Which question a mail answers, what of it is kept and taking it in once are the rules of
`moderation.services.intake.take_in_mail`; this command reads the sources, marks what was taken in
and reports.
"""

import imaplib
import os
import pathlib
import urllib.parse
from collections import Counter
from collections.abc import Callable

from django.core.management.base import BaseCommand, CommandError

from moderation.intake import ImapSource, mark_maildir_processed, read_source
from moderation.intake.sources import is_maildir
from moderation.management.exclusive import one_run_at_a_time
from moderation.services.intake import MailIntake, Outcome, take_in_mail

# An unexpected error while taking a mail in, counted beside the outcomes `take_in_mail` gives.
FAILED = "failed"


class Command(BaseCommand):
    help = (
        "Take in contributions sent by e-mail. Each message becomes a contribution that waits, "
        "unseen, until its sender confirms by the link mailed to them, exactly like one sent "
        "through the web form. The question is named by a tag in the subject ([MIA-3]), by "
        "'spørgsmål 3', or by the question page's address; anything else goes to the general "
        "debate with a note for the moderator. Mail is never deleted: a taken-in Maildir or IMAP "
        "message is marked as read, and a message that cannot be taken in is left as it was, "
        "reported, for a person to look at. Running it again is safe: a mail is taken in once "
        "(by its Message-ID), and a run started while another is reading does nothing. Run it "
        "every few minutes from cron or a systemd timer, on any number of servers; with -v 0 it "
        "prints only the problems. It exits with an error only if a source cannot be read."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "sources",
            nargs="*",
            type=pathlib.Path,
            metavar="SOURCE",
            help=(
                "A Maildir (taken-in messages move from new/ to cur/ with the S flag), a "
                "directory of .eml files, one .eml file, or an mbox file. .eml and mbox files "
                "are left as they are."
            ),
        )
        parser.add_argument(
            "--imap",
            metavar="URL",
            help=(
                "An IMAP mailbox over TLS: imaps://user:password@host[:port]/MAILBOX"
                "[?processed=Folder]. Its unread messages are read; taken-in ones are marked as "
                "read and, with ?processed=, copied to that folder. Write @ in a user or "
                "password as %%40. The URL is visible to other users of the machine in the "
                "process list: prefer --imap-env."
            ),
        )
        parser.add_argument(
            "--imap-env",
            metavar="VARIABLE",
            help="Read the imaps:// URL from this environment variable instead of --imap.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Show what would be taken in; store nothing, send nothing, mark nothing.",
        )

    def handle(self, *args, sources, imap, imap_env, dry_run, **options):
        imap = self._imap_url(imap, imap_env)
        if not sources and not imap:
            raise CommandError("Name at least one SOURCE, or an IMAP mailbox with --imap.")
        # A mailbox cannot be shared out message by message: one server reads it at a time.
        with one_run_at_a_time("ingest_mail") as ours:
            if not ours:
                if options["verbosity"] >= 1:
                    self.stdout.write("Another run of ingest_mail is in progress; nothing done.")
                return
            self._ingest(sources, imap, dry_run, options["verbosity"])

    def _ingest(self, sources, imap, dry_run, verbosity):
        self.dry_run = dry_run
        self.verbosity = verbosity
        self.counts = Counter()
        unreadable = []
        for path in sources:
            if not self._read_path(path):
                unreadable.append(str(path))
        if imap and not self._read_imap(imap):
            unreadable.append(_shown_url(imap))

        c = self.counts
        taken = c[Outcome.WOULD_TAKE_IN] if dry_run else c[Outcome.TAKEN_IN]
        done = "would be taken in" if dry_run else "taken in"
        problems = c[Outcome.SKIPPED] + c[FAILED]
        summary = (
            f"Read {c.total()} messages: {taken} {done}, {c[Outcome.ALREADY_TAKEN_IN]} already "
            f"taken in, {c[Outcome.IGNORED]} automatic ignored, {c[Outcome.SKIPPED]} skipped, "
            f"{c[FAILED]} failed."
        )
        if self.verbosity >= 1 or problems:
            style = self.style.WARNING if problems else self.style.SUCCESS
            self.stdout.write(style(summary + (" (Dry run: nothing changed.)" if dry_run else "")))
        if unreadable:
            raise CommandError(f"Could not read: {', '.join(unreadable)}.")

    def _imap_url(self, imap, imap_env):
        if not imap_env:
            return imap
        if imap:
            raise CommandError("Give --imap or --imap-env, not both.")
        url = os.environ.get(imap_env, "").strip()
        if not url:
            raise CommandError(f"The environment variable {imap_env} is empty or not set.")
        return url

    # Sources

    def _read_path(self, path: pathlib.Path) -> bool:
        """Take in every message of one local source; False if it could not be read."""
        in_maildir = is_maildir(path)
        processed = []
        readable = True
        try:
            for message in read_source(path):
                if self._take_in(message.key, message.raw) and in_maildir:
                    processed.append(message.key)
        except Exception as exc:
            # Each message's own errors are caught in _take_in; this is the source failing.
            self.stderr.write(f"cannot read {path}: {_reason(exc)}")
            readable = False
        # Marked after the walk: a message moved to cur/ during it would be read again there.
        for key in processed:
            self._mark(key, lambda key=key: mark_maildir_processed(path, key))
        return readable

    def _read_imap(self, url: str) -> bool:
        """Take in the unread messages of the IMAP mailbox; False if it could not be read."""
        shown = _shown_url(url)
        try:
            with ImapSource(url) as source:
                for uid, raw in source.messages():
                    key = f"{shown};UID={uid}"
                    if self._take_in(key, raw):
                        self._mark(key, lambda uid=uid: source.mark_processed(uid))
        except Exception as exc:
            self.stderr.write(f"cannot read {shown}: {_reason(exc)}")
            return False
        return True

    # One message

    def _take_in(self, key: str, raw: bytes) -> bool:
        """Take in one message, report and count it; True if it is to be marked processed."""
        try:
            intake = take_in_mail(raw=raw, dry_run=self.dry_run)
        except Exception as exc:
            # One broken message must not stop the run; it stays where it is for a person.
            self.stderr.write(f"failed {key}: {_reason(exc)}")
            self.counts[FAILED] += 1
            return False
        self._report(key, intake)
        self.counts[intake.outcome] += 1
        return intake.is_settled and not self.dry_run

    def _mark(self, key: str, mark: Callable[[], None]) -> None:
        try:
            mark()
        except Exception as exc:
            # Stored all the same; the next run finds it already taken in and marks it then.
            self.stderr.write(f"could not mark {key} as processed: {_reason(exc)}")

    def _report(self, key: str, intake: MailIntake) -> None:
        match intake.outcome:
            case Outcome.TAKEN_IN:
                self._info(f"taken in {key} -> {_summary(intake)}")
            case Outcome.WOULD_TAKE_IN:
                self._info(f"would take in {key} -> {_summary(intake)}")
            case Outcome.ALREADY_TAKEN_IN:
                self._info(f"already taken in: {key}")
            case Outcome.IGNORED:
                # Marked as processed, so an out-of-office reply is not reported on every run.
                self._info(f"ignored {key}: {intake.reason}")
            case Outcome.SKIPPED:
                self._warn(f"skipped {key}: {intake.reason}")

    def _info(self, line: str) -> None:
        if self.verbosity >= 1:
            self.stdout.write(line)

    def _warn(self, line: str) -> None:
        self.stderr.write(line, style_func=self.style.WARNING)


def _summary(intake: MailIntake) -> str:
    paper = "yes" if intake.has_paper else "no"
    return f"{intake.question.title} ({intake.text_length} chars, paper: {paper})"


def _reason(exc: Exception) -> str:
    """What went wrong, for the webmaster: the error's own words, and its kind if unexpected."""
    if isinstance(exc, OSError | ValueError | imaplib.IMAP4.error):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


def _shown_url(url: str) -> str:
    """The IMAP mailbox's URL as it may be printed: without the password (or the options)."""
    parts = urllib.parse.urlsplit(url)
    userinfo, at, host = parts.netloc.rpartition("@")
    netloc = f"{userinfo.partition(':')[0]}@{host}" if at else host
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, "", ""))
