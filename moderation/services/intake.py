"""
Contributions sent by e-mail: which question a mail answers, what of it is kept, and taking it in.

The mail import command, its tests and any other way mail arrives (a web hook) hand one raw
message to `take_in_mail`; reading mailboxes and marking messages as read is theirs to do.
"""

import dataclasses
import enum
import hashlib
import re

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from debates.attachments import pdf_filename
from debates.models import Contribution, Paper, Question
from moderation import services
from moderation.intake import (
    AutomaticMessage,
    IncomingMail,
    MalformedMessage,
    find_question_reference,
    parse_message,
)

# The same "[MIA-3]" tag that names the question, so that what names it is also what is cut away.
from moderation.intake.references import QUESTION_TAG
from moderation.services.papers import NotAPdf, check_pdf


class Outcome(enum.StrEnum):
    TAKEN_IN = "taken in"
    WOULD_TAKE_IN = "would be taken in"
    ALREADY_TAKEN_IN = "already taken in"
    IGNORED = "ignored"
    SKIPPED = "skipped"


@dataclasses.dataclass(frozen=True)
class MailIntake:
    """What became of one mail, and what its report shows."""

    outcome: Outcome
    reason: str = ""  # why it was ignored or skipped, in English, for the webmaster's log
    question: Question | None = None  # where it went, or would go
    text_length: int = 0
    has_paper: bool = False
    contribution: Contribution | None = None  # only when taken in

    @property
    def is_settled(self) -> bool:
        """Nobody needs to look at the mail again, so its mailbox may mark it as read."""
        return self.outcome in {Outcome.TAKEN_IN, Outcome.ALREADY_TAKEN_IN, Outcome.IGNORED}


def take_in_mail(*, raw: bytes, dry_run: bool = False) -> MailIntake:
    """
    Anyone may send a contribution by e-mail. The mail becomes a contribution to the question it
    names, or to the general debate with a note for the moderator saying why, and then waits,
    unseen, until its sender confirms by the link mailed to them, as one sent through the web
    form does. A mail is taken in once, by its Message-ID. Out-of-office replies and bounces are
    ignored and never answered; a mail that cannot be taken in is skipped with the reason, for a
    person to look at. A dry run says what would happen, and stores and sends nothing.

    Only an unexpected error (a full disk) is raised; the caller reports it and goes on.
    """
    try:
        mail = parse_message(raw)
    except AutomaticMessage as exc:
        return MailIntake(outcome=Outcome.IGNORED, reason=str(exc))
    except MalformedMessage as exc:
        return MailIntake(outcome=Outcome.SKIPPED, reason=str(exc))

    message_id = _message_id_for(mail, raw)
    # Before the question is looked up: a mail taken in when its question was open still is.
    if Contribution.objects.filter(message_id=message_id).exists():
        return MailIntake(outcome=Outcome.ALREADY_TAKEN_IN)
    try:
        question, question_note = _question_for(mail)
    except _NotTakenIn as exc:
        return MailIntake(outcome=Outcome.SKIPPED, reason=str(exc))
    attachment, attachment_name, attachment_notes = _paper_for(mail)
    if not mail.text and attachment is None:
        return MailIntake(
            outcome=Outcome.SKIPPED,
            reason="nothing is left to take in: the message has no text, and no PDF kept",
        )

    would = MailIntake(
        outcome=Outcome.WOULD_TAKE_IN,
        question=question,
        text_length=len(mail.text),
        has_paper=attachment is not None,
    )
    if dry_run:
        return would
    notes = [question_note, *attachment_notes, *_length_notes(mail.text)]
    try:
        contribution = services.submit_contribution(
            question=question,
            title=_fit(_title_from_subject(mail.subject), "title"),
            body=mail.text,
            author_name=_fit(
                mail.sender_name or mail.sender_address.partition("@")[0], "author_name"
            ),
            author_email=mail.sender_address,
            message_id=message_id,
            attachment=attachment,
            attachment_name=_fit(attachment_name, "attachment_name"),
            intake_note="\n".join(note for note in notes if note),
            # The parser reads no Content-Language, so a mail is taken to be in the site's
            # default language, which is also the language its confirmation mail is written in.
            language=settings.LANGUAGE_CODE,
            source=Contribution.Source.EMAIL,
        )
    except services.DuplicateSubmission:
        # Another run took the same mail in since it was looked for.
        return MailIntake(outcome=Outcome.ALREADY_TAKEN_IN)
    except services.ModerationError as exc:
        # The question may have closed since it was looked up.
        return MailIntake(outcome=Outcome.SKIPPED, reason=str(exc))
    return dataclasses.replace(would, outcome=Outcome.TAKEN_IN, contribution=contribution)


class _NotTakenIn(Exception):
    """A mail with nowhere to go; str(exc) says why, in English."""


def _question_for(mail: IncomingMail) -> tuple[Question, str]:
    """
    The open question the mail names, or the general debate with a note saying why.

    A number is a question of the most recent paper, as "[MIA-3]" is printed on it; an address
    names any question. Raises _NotTakenIn when the general debate is missing or closed.
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
        raise _NotTakenIn(
            "it names no open question, and there is no open general debate to put it in"
        )
    return general, note


# Reply and forward prefixes in the languages Danish mail clients write them in.
_REPLY_PREFIX = re.compile(r"^(?:(?:re|sv|vs|fw|fwd|aw|wg)\s*(?:\[\d+\])?\s*:\s*)+", re.IGNORECASE)


def _title_from_subject(subject: str) -> str:
    """The subject without its question tag and reply/forward prefixes."""
    title = " ".join(QUESTION_TAG.sub(" ", subject).split())
    return _REPLY_PREFIX.sub("", title).strip()


def _message_id_for(mail: IncomingMail, raw: bytes) -> str:
    """The mail's Message-ID; a mail without one is known by its content instead."""
    limit = Contribution._meta.get_field("message_id").max_length
    if mail.message_id and len(mail.message_id) <= limit:
        return mail.message_id
    # An over-long Message-ID is hashed too, so that it still names the mail and fits the column.
    return "sha256:" + hashlib.sha256(mail.message_id.encode() or raw).hexdigest()


def _paper_for(mail: IncomingMail) -> tuple[ContentFile | None, str, list[str]]:
    """The first readable PDF within the size limit as (file, its name); a note for each other."""
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
            continue
        try:
            check_pdf(pdf.data)
        except NotAPdf as exc:
            notes.append(
                _("Dropped attachment: %(name)s (not a readable PDF: %(reason)s)")
                % {"name": pdf.filename, "reason": exc}
            )
            continue
        if kept is None:
            kept = pdf
        else:
            notes.append(
                _("Dropped attachment: %(name)s (only one paper per contribution is kept)")
                % {"name": pdf.filename}
            )
    if kept is None:
        return None, "", notes
    return ContentFile(kept.data, name="paper.pdf"), pdf_filename(kept.filename), notes


def _length_notes(text: str) -> list[str]:
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
