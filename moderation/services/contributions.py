"""A contribution's way through the queue: submitted, confirmed, decided on, edited."""

from django.conf import settings
from django.core.files import File
from django.core.files.storage import storages
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from debates.markup import render_markdown
from debates.models import Contribution, Question
from moderation import emails
from moderation.intake.messages import one_line
from moderation.models import Decision, Subscription
from moderation.services.following import announce_published
from moderation.services.transitions import (
    DuplicateSubmission,
    ModerationError,
    QuestionClosed,
    TransitionNotAllowed,
    record_decision,
    required_reason,
    transition,
)

Status = Contribution.Status


# The way in ---------------------------------------------------------------------------------


def submit_contribution(
    *,
    question: Question,
    author_name: str,
    author_email: str,
    body: str,
    title: str = "",
    author_organisation: str = "",
    author_title: str = "",
    parent: Contribution | None = None,
    attachment: File | None = None,
    attachment_name: str = "",
    language: str = settings.LANGUAGE_CODE,
    source: str = Contribution.Source.WEB,
    submitter_ip: str | None = None,
    is_honeypot_tripped: bool = False,
    message_id: str = "",
    intake_note: str = "",
    wants_reply_notice: bool = False,
) -> Contribution:
    """
    Anyone may send a contribution to an open question, or in reply to a published one. It waits,
    unseen, until its sender confirms the address by the link mailed to them. A mail (by its
    Message-ID) is taken in once: a second time raises DuplicateSubmission.
    """
    if not question.is_open:
        raise QuestionClosed(question)
    parent = _reply_target(question, parent)
    if message_id and Contribution.objects.filter(message_id=message_id).exists():
        raise DuplicateSubmission(message_id)
    contribution = Contribution(
        question=question,
        parent=parent,
        depth=parent.depth + 1 if parent else 1,
        status=Status.UNCONFIRMED,
        source=source,
        language=language,
        author_name=one_line(author_name),
        author_email=author_email.strip(),
        author_organisation=one_line(author_organisation),
        author_title=one_line(author_title),
        submitter_ip=submitter_ip,
        title=one_line(title),
        body=body,
        body_html=render_markdown(body),
        original_title=one_line(title),
        original_body=body,
        attachment_name=(attachment_name or attachment.name) if attachment is not None else "",
        is_honeypot_tripped=is_honeypot_tripped,
        message_id=message_id,
        intake_note=intake_note,
    )
    try:
        return _store_submission(
            contribution, attachment=attachment, wants_reply_notice=wants_reply_notice
        )
    except IntegrityError:
        # Another intake run took the same mail in between the check and the insert.
        if message_id and Contribution.objects.filter(message_id=message_id).exists():
            raise DuplicateSubmission(message_id) from None
        raise


def _store_submission(contribution, *, attachment, wants_reply_notice):
    stored = ""
    try:
        with transaction.atomic():
            if attachment is not None:
                contribution.attachment.save(attachment.name or "paper.pdf", attachment, save=False)
                stored = contribution.attachment.name
            contribution.save()
            record_decision(
                contribution,
                Decision.Action.SUBMITTED,
                from_status="",
                to_status=Status.UNCONFIRMED,
            )
            if wants_reply_notice and contribution.author_email:
                # Confirmed together with the contribution: the same link proves the same address.
                Subscription.objects.create(
                    email=contribution.author_email,
                    contribution=contribution,
                    language=contribution.language,
                )
            # An automated sender gets the same answer as a person, but no mail: it simply expires.
            if not contribution.is_honeypot_tripped:
                emails.queue_confirmation(contribution)
    except Exception:
        # The file is written before the row; a row that was never stored leaves no file behind.
        if stored:
            storages["contributions"].delete(stored)
        raise
    return contribution


def _reply_target(question, parent):
    """The contribution a reply hangs under: the one answered, or its ancestor at the depth cap."""
    if parent is None:
        return None
    if parent.question_id != question.pk or parent.status != Status.PUBLISHED:
        raise ModerationError(_("You can only reply to a published contribution to this question."))
    while parent.depth >= settings.MIA_MAX_REPLY_DEPTH and parent.parent_id:
        parent = parent.parent
    return parent


def confirm_contribution(*, contribution: Contribution) -> Contribution:
    """The sender, by the signed link, proves the address; the contribution joins the queue."""
    with transaction.atomic():
        contribution = transition(
            contribution,
            action=Decision.Action.CONFIRMED,
            allowed_from={Status.UNCONFIRMED},
            to=Status.PENDING,
            confirmed_at=timezone.now(),
        )
        contribution.subscriptions.filter(status=Subscription.Status.UNCONFIRMED).update(
            status=Subscription.Status.ACTIVE, confirmed_at=timezone.now()
        )
        emails.queue_new_contribution(contribution)
    return contribution


def resend_confirmation(*, contribution: Contribution) -> Contribution:
    """The sender of an unconfirmed contribution whose link expired asks for a new one."""
    if contribution.status != Status.UNCONFIRMED:
        raise TransitionNotAllowed(Decision.Action.CONFIRMED, contribution.status)
    with transaction.atomic():
        emails.queue_confirmation(contribution)
    return contribution


# The webmaster's decisions --------------------------------------------------------------------


def publish(*, contribution: Contribution, actor) -> Contribution:
    """A moderator publishes a pending contribution; its author is told where to find it."""
    now = timezone.now()
    with transaction.atomic():
        contribution = transition(
            contribution,
            action=Decision.Action.PUBLISHED,
            allowed_from={Status.PENDING},
            to=Status.PUBLISHED,
            actor=actor,
            published_at=now,
            decided_at=now,
            rejection_reason="",
        )
        emails.queue_published(contribution)
        # Followers get one mail for everything published in the same transaction.
        transaction.on_commit(announce_published)
    return contribution


def reject(*, contribution: Contribution, actor, reason: str) -> Contribution:
    """A moderator rejects a pending contribution; the reason is mailed to its author."""
    reason = required_reason(reason)
    with transaction.atomic():
        contribution = transition(
            contribution,
            action=Decision.Action.REJECTED,
            allowed_from={Status.PENDING},
            to=Status.REJECTED,
            actor=actor,
            reason=reason,
            decided_at=timezone.now(),
            rejection_reason=reason,
        )
        emails.queue_rejected(contribution)
    return contribution


def mark_spam(*, contribution: Contribution, actor) -> Contribution:
    """A moderator marks a pending contribution as spam. Nobody is told."""
    return transition(
        contribution,
        action=Decision.Action.MARKED_SPAM,
        allowed_from={Status.PENDING},
        to=Status.SPAM,
        actor=actor,
        decided_at=timezone.now(),
    )


def reopen(*, contribution: Contribution, actor) -> Contribution:
    """A moderator puts a rejected or spam contribution back in the queue, to decide again."""
    return transition(
        contribution,
        action=Decision.Action.REOPENED,
        allowed_from={Status.REJECTED, Status.SPAM},
        to=Status.PENDING,
        actor=actor,
        decided_at=None,
        rejection_reason="",
    )


def unpublish(*, contribution: Contribution, actor, reason: str) -> Contribution:
    """A moderator takes a published contribution off the site; its author is mailed why."""
    reason = required_reason(reason)
    with transaction.atomic():
        contribution = transition(
            contribution,
            action=Decision.Action.UNPUBLISHED,
            allowed_from={Status.PUBLISHED},
            to=Status.REJECTED,
            actor=actor,
            reason=reason,
            decided_at=timezone.now(),
            rejection_reason=reason,
        )
        emails.queue_unpublished(contribution)
    return contribution


EDITABLE = {Status.PENDING, Status.PUBLISHED}


def edit_contribution(
    *, contribution: Contribution, actor, title: str, body: str, question: Question
) -> Contribution:
    """
    A moderator corrects the title and text, or moves the contribution to another open question
    (or the general debate). The contributor's original stays stored beside the edit.
    """
    with transaction.atomic():
        current = Contribution.objects.select_for_update().get(pk=contribution.pk)
        if current.status not in EDITABLE:
            raise TransitionNotAllowed(Decision.Action.EDITED, current.status)
        title = title.strip()
        notes = []
        if title != current.title:
            notes.append(_("title"))
        if body != current.body:
            notes.append(_("text"))
        moved = question.pk != current.question_id
        if moved:
            check_can_move(current, question)
            notes.append(
                _("moved from “%(old)s” to “%(new)s”")
                % {"old": current.question.title, "new": question.title}
            )
        if not notes:
            return current
        current.title, current.body = title, body
        current.body_html = render_markdown(body)
        current.edited_at = timezone.now()
        if moved:
            current.question, current.parent, current.depth = question, None, 1
        current.save(
            update_fields=["title", "body", "body_html", "edited_at", "question", "parent", "depth"]
        )
        record_decision(
            current,
            Decision.Action.EDITED,
            actor=actor,
            from_status=current.status,
            to_status=current.status,
            reason=_("Changed: %(changes)s.") % {"changes": ", ".join(notes)},
        )
    return current


def check_can_move(contribution: Contribution, question: Question) -> None:
    """Refuse a move to a closed question, or of a contribution that others have replied to."""
    if not question.is_open:
        raise QuestionClosed(question)
    if contribution.replies.exists():
        raise ModerationError(
            _(
                "A contribution that has replies cannot be moved; "
                "its replies would lose their place."
            )
        )
