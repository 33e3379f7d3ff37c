"""
Take in contributions sent by e-mail: from .eml files, mbox files, Maildirs and an IMAP mailbox.

The rules (open questions, one take-in per Message-ID, the confirmation mail) live in
`services.submit_contribution`; this module only maps a parsed mail onto that call and reports.
"""

import hashlib
import imaplib
import os
import pathlib
import re
import urllib.parse
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from debates.models import Contribution, Paper, Question
from moderation import services
from moderation.intake import (
    AutomaticMessage,
    ImapSource,
    IncomingMail,
    MalformedMessage,
    find_question_reference,
    mark_maildir_processed,
    parse_message,
    read_source,
)

# The same "[MIA-3]" tag that names the question, so that what names it is also what is cut away.
from moderation.intake.references import QUESTION_TAG
from moderation.intake.sources import is_maildir

# From a parsed mail to the service call ----------------------------------------------------------


class NotTakenIn(Exception):
    """A message left where it is for a person to look at; str(exc) says why, in English."""


@dataclass(frozen=True)
class Submission:
    """Everything `submit_contribution` is given for one mail, and what the report shows."""

    question: Question
    title: str
    body: str
    author_name: str
    author_email: str
    message_id: str
    attachment: ContentFile | None
    attachment_name: str
    intake_note: str

    def as_arguments(self) -> dict:
        return {
            "question": self.question,
            "title": self.title,
            "body": self.body,
            "author_name": self.author_name,
            "author_email": self.author_email,
            "message_id": self.message_id,
            "attachment": self.attachment,
            "attachment_name": self.attachment_name,
            "intake_note": self.intake_note,
            "language": "da",
            "source": Contribution.Source.EMAIL,
        }


def submission_for(mail: IncomingMail, raw: bytes) -> Submission:
    """Map one parsed mail onto a contribution; raises NotTakenIn when it has nowhere to go."""
    question, question_note = question_for(mail)
    attachment, attachment_name, attachment_notes = paper_for(mail)
    if not mail.text and attachment is None:
        raise NotTakenIn("nothing is left to take in: the message has no text, and no PDF kept")
    notes = [question_note, *attachment_notes, *length_notes(mail.text)]
    return Submission(
        question=question,
        title=_fit(title_from_subject(mail.subject), "title"),
        body=mail.text,
        author_name=_fit(mail.sender_name or mail.sender_address.partition("@")[0], "author_name"),
        author_email=mail.sender_address,
        message_id=message_id_for(mail, raw),
        attachment=attachment,
        attachment_name=_fit(attachment_name, "attachment_name"),
        intake_note="\n".join(note for note in notes if note),
    )


def question_for(mail: IncomingMail) -> tuple[Question, str]:
    """
    The open question the mail names, or the general debate with a note saying why.

    A number is a question of the most recent paper, as "[MIA-3]" is printed on it; an address
    names any question. Raises NotTakenIn when the general debate is missing or closed.
    """
    reference = find_question_reference(mail.subject, mail.text)
    paper = Paper.objects.order_by("workshop__number").last()
    if reference.number is not None:
        asked = Question.objects.filter(
            paper=paper, paragraph__isnull=False, position=reference.number
        ).first()
        note = _(
            "Asked for question %(number)s, which does not exist; put in the general debate."
        ) % {"number": reference.number}
    elif reference.slug is not None:
        asked = Question.objects.filter(slug=reference.slug).select_related("paper").first()
        note = _(
            "Asked for the question page “%(slug)s”, which does not exist; "
            "put in the general debate."
        ) % {"slug": reference.slug}
    else:
        asked, note = None, _("No question named; put in the general debate.")

    if asked is not None and asked.is_open:
        return asked, ""
    if asked is not None:
        paper = asked.paper
        note = _("Asked for question “%(title)s”, which is closed; put in the general debate.") % {
            "title": asked.title
        }
    general = Question.objects.general().filter(paper=paper).first()
    if general is None or not general.is_open:
        raise NotTakenIn(
            "it names no open question, and there is no open general debate to put it in"
        )
    return general, note


# Reply and forward prefixes in the languages Danish mail clients write them in.
_REPLY_PREFIX = re.compile(r"^(?:(?:re|sv|vs|fw|fwd|aw|wg)\s*(?:\[\d+\])?\s*:\s*)+", re.IGNORECASE)


def title_from_subject(subject: str) -> str:
    """The subject without its question tag and reply/forward prefixes."""
    title = " ".join(QUESTION_TAG.sub(" ", subject).split())
    return _REPLY_PREFIX.sub("", title).strip()


def message_id_for(mail: IncomingMail, raw: bytes) -> str:
    """The mail's Message-ID; a mail without one is known by its content instead."""
    limit = Contribution._meta.get_field("message_id").max_length
    if mail.message_id and len(mail.message_id) <= limit:
        return mail.message_id
    # An over-long Message-ID is hashed too, so that it still names the mail and fits the column.
    return "sha256:" + hashlib.sha256(mail.message_id.encode() or raw).hexdigest()


def paper_for(mail: IncomingMail) -> tuple[ContentFile | None, str, list[str]]:
    """The first PDF within the size limit as (file, its name), and a note for each one not kept."""
    limit_mb = settings.MIA_MAX_ATTACHMENT_MB
    notes = [_("Dropped attachment: %(attachment)s") % {"attachment": d} for d in mail.dropped]
    kept = None
    for pdf in mail.pdfs:
        size = len(pdf.data)
        if size > limit_mb * 1024 * 1024:
            notes.append(
                _("Dropped attachment: %(name)s (%(size).1f MB, over the %(limit)s MB limit)")
                % {"name": pdf.filename, "size": size / (1024 * 1024), "limit": limit_mb}
            )
        elif kept is None:
            kept = pdf
        else:
            notes.append(
                _("Dropped attachment: %(name)s (only one paper per contribution is kept)")
                % {"name": pdf.filename}
            )
    if kept is None:
        return None, "", notes
    return ContentFile(kept.data, name="paper.pdf"), kept.filename, notes


def length_notes(text: str) -> list[str]:
    """The web form's limit is for typing; a longer mail is kept whole, with a note."""
    if len(text) <= settings.MIA_MAX_TEXT_CHARS:
        return []
    return [
        _(
            "The text is %(length)s characters long, more than the %(limit)s the web form "
            "allows; it was kept in full."
        )
        % {"length": len(text), "limit": settings.MIA_MAX_TEXT_CHARS}
    ]


def _fit(value: str, field: str) -> str:
    return value[: Contribution._meta.get_field(field).max_length].strip()


# The command -------------------------------------------------------------------------------------

TAKEN_IN, ALREADY, IGNORED, SKIPPED, FAILED = (
    "taken in",
    "already taken in",
    "ignored",
    "skipped",
    "failed",
)


class Command(BaseCommand):
    help = (
        "Take in contributions sent by e-mail. Each message becomes a contribution that waits, "
        "unseen, until its sender confirms by the link mailed to them, exactly like one sent "
        "through the web form. The question is named by a tag in the subject ([MIA-3]), by "
        "'spørgsmål 3', or by the question page's address; anything else goes to the general "
        "debate with a note for the moderator. Mail is never deleted: a taken-in Maildir or IMAP "
        "message is marked as read, and a message that cannot be taken in is left as it was, "
        "reported, for a person to look at. Running it again is safe: a mail is taken in once "
        "(by its Message-ID). Run it every few minutes from cron or a systemd timer; with -v 0 "
        "it prints only the problems. It exits with an error only if a source cannot be read."
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
        self.dry_run = dry_run
        self.verbosity = options["verbosity"]
        self.counts = Counter()
        unreadable = []
        for path in sources:
            if not self._read_path(path):
                unreadable.append(str(path))
        if imap and not self._read_imap(imap):
            unreadable.append(_shown_url(imap))

        c = self.counts
        done = "would be taken in" if dry_run else "taken in"
        summary = (
            f"Read {c.total()} messages: {c[TAKEN_IN]} {done}, {c[ALREADY]} already taken in, "
            f"{c[IGNORED]} automatic ignored, {c[SKIPPED]} skipped, {c[FAILED]} failed."
        )
        if self.verbosity >= 1 or c[SKIPPED] or c[FAILED]:
            style = self.style.SUCCESS if not (c[SKIPPED] or c[FAILED]) else self.style.WARNING
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
        """Take in one message and count the outcome; True if it is to be marked processed."""
        try:
            outcome = self._submit(key, raw)
        except Exception as exc:
            # One broken message must not stop the run; it stays where it is for a person.
            self.stderr.write(f"failed {key}: {_reason(exc)}")
            outcome = FAILED
        self.counts[outcome] += 1
        return outcome in (TAKEN_IN, ALREADY, IGNORED) and not self.dry_run

    def _mark(self, key: str, mark: Callable[[], None]) -> None:
        try:
            mark()
        except Exception as exc:
            # Stored all the same; the next run finds it already taken in and marks it then.
            self.stderr.write(f"could not mark {key} as processed: {_reason(exc)}")

    def _submit(self, key: str, raw: bytes) -> str:
        try:
            submission = submission_for(parse_message(raw), raw)
            if self.dry_run:
                return self._report_dry_run(key, submission)
            services.submit_contribution(**submission.as_arguments())
        except services.DuplicateSubmission:
            self._info(f"already taken in: {key}")
            return ALREADY
        except AutomaticMessage as exc:
            # Marked as processed, so an out-of-office reply is not reported on every run.
            self._info(f"ignored {key}: {exc}")
            return IGNORED
        except (MalformedMessage, NotTakenIn, services.ModerationError) as exc:
            # The question may have closed since it was looked up: QuestionClosed lands here too.
            self._warn(f"skipped {key}: {exc}")
            return SKIPPED
        self._info(f"taken in {key} -> {_summary(submission)}")
        return TAKEN_IN

    def _report_dry_run(self, key: str, submission: Submission) -> str:
        if Contribution.objects.filter(message_id=submission.message_id).exists():
            self._info(f"already taken in: {key}")
            return ALREADY
        self._info(f"would take in {key} -> {_summary(submission)}")
        return TAKEN_IN

    def _info(self, line: str) -> None:
        if self.verbosity >= 1:
            self.stdout.write(line)

    def _warn(self, line: str) -> None:
        self.stderr.write(line, style_func=self.style.WARNING)


def _summary(submission: Submission) -> str:
    paper = "yes" if submission.attachment is not None else "no"
    return f"{submission.question.title} ({len(submission.body)} chars, paper: {paper})"


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
