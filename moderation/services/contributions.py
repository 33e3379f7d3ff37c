"""A contribution's way through the queue: submitted, confirmed, decided on, edited."""

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
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
from moderation.services import blocking
from moderation.services.decisions import DECISIONS
from moderation.services.following import announce_published
from moderation.services.transitions import (
    DuplicateSubmission,
    ModerationError,
    QuestionClosed,
    check_allowed,
    record_decision,
    required_reason,
    transition,
)

Status = Contribution.Status
Action = Decision.Action


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
    # Taken in like anyone's, so the sender notices nothing; the history says it from the start.
    blocked_by = blocking.rule_for(email=author_email, ip=submitter_ip)
    answered, parent = parent, _reply_target(question, parent)
    if message_id and Contribution.objects.filter(message_id=message_id).exists():
        raise DuplicateSubmission(message_id)
    contribution = Contribution(
        question=question,
        parent=parent,
        # Past the depth cap the reply hangs under an ancestor; the page still says whom it answers.
        in_reply_to=answered,
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
            contribution,
            attachment=attachment,
            wants_reply_notice=wants_reply_notice,
            note=blocking.blocked_reason(blocked_by) if blocked_by else "",
        )
    except IntegrityError:
        # Another intake run took the same mail in between the check and the insert.
        if message_id and Contribution.objects.filter(message_id=message_id).exists():
            raise DuplicateSubmission(message_id) from None
        raise


def _store_submission(contribution, *, attachment, wants_reply_notice, note=""):
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
                reason=note,
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
    """
    The sender, by the signed link, proves the address; the contribution joins the queue. A
    blocked sender's goes on to spam, with the rule as the reason, and the editors are not mailed.
    """
    with transaction.atomic():
        contribution = transition(
            contribution, action=Action.CONFIRMED, confirmed_at=timezone.now()
        )
        contribution.subscriptions.filter(status=Subscription.Status.UNCONFIRMED).update(
            status=Subscription.Status.ACTIVE, confirmed_at=timezone.now()
        )
        rule = blocking.rule_for(email=contribution.author_email, ip=contribution.submitter_ip)
        if rule:
            return transition(
                contribution,
                action=Action.MARKED_SPAM,
                reason=blocking.blocked_reason(rule),
                decided_at=timezone.now(),
            )
        emails.queue_new_contribution(contribution)
    return contribution


def resend_confirmation(*, contribution: Contribution) -> Contribution:
    """The sender of an unconfirmed contribution whose link expired asks for a new one."""
    check_allowed(Action.CONFIRMED, contribution.status)
    with transaction.atomic():
        emails.queue_confirmation(contribution)
    return contribution


# The webmaster's decisions --------------------------------------------------------------------


def publish(*, contribution: Contribution, actor: AbstractBaseUser) -> Contribution:
    """A moderator publishes a pending contribution; its author is told where to find it."""
    now = timezone.now()
    with transaction.atomic():
        contribution = transition(
            contribution,
            action=Action.PUBLISHED,
            actor=actor,
            published_at=now,
            decided_at=now,
            rejection_reason="",
        )
        emails.queue_published(contribution)
        # Followers get one mail for everything published in the same transaction.
        transaction.on_commit(announce_published)
    return contribution


def reject(*, contribution: Contribution, actor: AbstractBaseUser, reason: str) -> Contribution:
    """A moderator rejects a pending contribution; the reason is mailed to its author."""
    return _turn_down(contribution, Action.REJECTED, actor, reason, tell=emails.queue_rejected)


def unpublish(*, contribution: Contribution, actor: AbstractBaseUser, reason: str) -> Contribution:
    """A moderator takes a published contribution off the site; its author is mailed why."""
    return _turn_down(
        contribution, Action.UNPUBLISHED, actor, reason, tell=emails.queue_unpublished
    )


def _turn_down(contribution, action, actor, reason, *, tell):
    reason = required_reason(reason)
    with transaction.atomic():
        contribution = transition(
            contribution,
            action=action,
            actor=actor,
            reason=reason,
            decided_at=timezone.now(),
            rejection_reason=reason,
        )
        tell(contribution)
    return contribution


def mark_spam(*, contribution: Contribution, actor: AbstractBaseUser) -> Contribution:
    """A moderator marks a pending contribution as spam. Nobody is told."""
    return transition(
        contribution, action=Action.MARKED_SPAM, actor=actor, decided_at=timezone.now()
    )


def reopen(*, contribution: Contribution, actor: AbstractBaseUser) -> Contribution:
    """A moderator puts a rejected or spam contribution back in the queue, to decide again."""
    return transition(
        contribution, action=Action.REOPENED, actor=actor, decided_at=None, rejection_reason=""
    )


# The service that takes each of a moderator's decisions in the table, for decide_many.
_MODERATORS_SERVICES = {
    Action.PUBLISHED: publish,
    Action.REJECTED: reject,
    Action.MARKED_SPAM: mark_spam,
    Action.REOPENED: reopen,
    Action.UNPUBLISHED: unpublish,
}


def decide_many(
    *,
    contributions: Iterable[Contribution],
    action: str,
    actor: AbstractBaseUser,
    reason: str = "",
) -> tuple[int, list[str]]:
    """
    A moderator takes one of their decisions on many contributions at once. Each one the rules
    refuse stays as it was; returns how many were decided and a message naming each refused one.
    The batch is one transaction, so followers get one mail for everything it publishes.
    """
    if action not in _MODERATORS_SERVICES:
        raise ValueError(f"{action!r} is not a decision a moderator takes in bulk")
    decide = _MODERATORS_SERVICES[action]
    extra = {"reason": reason} if DECISIONS[action].needs_reason else {}
    done, refusals = 0, []
    with transaction.atomic():
        for contribution in contributions:
            try:
                decide(contribution=contribution, actor=actor, **extra)
            except ModerationError as error:
                refusals.append(f"{contribution}: {error}")
            else:
                done += 1
    return done, refusals


EDITABLE = DECISIONS[Action.EDITED].allowed_from


def edit_contribution(
    *,
    contribution: Contribution,
    actor: AbstractBaseUser,
    title: str,
    body: str,
    question: Question,
) -> Contribution:
    """
    A moderator corrects the title and text, or moves the contribution to another open question
    (or the general debate). The contributor's original stays stored beside the edit.
    """
    with transaction.atomic():
        current = Contribution.objects.select_for_update().get(pk=contribution.pk)
        check_allowed(Action.EDITED, current.status)
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
            current.question, current.parent, current.in_reply_to = question, None, None
            current.depth = 1
        current.save(
            update_fields=[
                *("title", "body", "body_html", "edited_at"),
                *("question", "parent", "in_reply_to", "depth"),
            ]
        )
        record_decision(
            current,
            Action.EDITED,
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
