"""A contribution's way through the queue: submitted, confirmed, decided on, edited."""

from collections.abc import Iterable, Mapping
from datetime import timedelta

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
from moderation.models import Decision, OutgoingMail, Subscription
from moderation.services import blocking
from moderation.services.decisions import DECISIONS
from moderation.services.following import announce_published
from moderation.services.picks import pick, unpick
from moderation.services.revisions import send_back
from moderation.services.transitions import (
    DuplicateSubmission,
    ModerationError,
    QuestionClosed,
    check_allowed,
    lock_unchanged,
    record_decision,
    required_reason,
    transition,
)
from moderation.text import one_line

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
    Message-ID) is taken in once: a second time raises DuplicateSubmission. The same text sent
    again from the same address within MIA_DUPLICATE_WINDOW_MINUTES returns the first contribution.
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
            earlier = _same_submission_sent_recently(contribution)
            if earlier is not None:
                return earlier
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
            if not contribution.is_honeypot_tripped and _may_mail_confirmation(
                contribution.author_email
            ):
                emails.queue_confirmation(contribution)
    except Exception:
        # The file is written before the row; a row that was never stored leaves no file behind.
        if stored:
            storages["contributions"].delete(stored)
        raise
    return contribution


def _same_submission_sent_recently(contribution):
    """
    The contribution this one repeats (a second click, a retry after a slow page), if any. The
    question's row is locked first, so that two identical requests at once store one.
    """
    if not contribution.author_email:
        return None
    Question.objects.select_for_update().filter(pk=contribution.question_id).first()
    since = timezone.now() - timedelta(minutes=settings.MIA_DUPLICATE_WINDOW_MINUTES)
    return (
        Contribution.objects.filter(
            question=contribution.question_id,
            in_reply_to=contribution.in_reply_to_id,
            author_email__iexact=contribution.author_email,
            original_title=contribution.original_title,
            original_body=contribution.original_body,
            submitted_at__gte=since,
        )
        .exclude(status=Status.WITHDRAWN)
        .order_by("pk")
        .first()
    )


def _may_mail_confirmation(address: str) -> bool:
    """
    Whether a confirmation mail may go to `address` now. So that a forged sender cannot turn the
    site into a mailer: at most MIA_CONFIRMATIONS_PER_ADDRESS_PER_DAY a day, and none while an
    earlier one to the address is still unanswered (its contribution waits; see
    _mail_next_confirmation). Counted in the outbox, which every process shares.
    """
    if not address:
        return False
    now = timezone.now()
    confirmations = OutgoingMail.objects.filter(
        kind=OutgoingMail.Kind.CONFIRMATION, contribution__author_email__iexact=address
    )
    sent_today = confirmations.filter(created_at__gte=now - timedelta(days=1)).count()
    if sent_today >= settings.MIA_CONFIRMATIONS_PER_ADDRESS_PER_DAY:
        return False
    unanswered = confirmations.filter(
        contribution__status=Status.UNCONFIRMED,
        created_at__gte=now - timedelta(days=settings.MIA_CONFIRMATION_DAYS),
    )
    return not unanswered.exists()


def _mail_next_confirmation(address: str) -> None:
    """Once an address has answered, the oldest contribution from it still waiting for a link."""
    since = timezone.now() - timedelta(days=settings.MIA_CONFIRMATION_DAYS)
    waiting = (
        Contribution.objects.filter(
            author_email__iexact=address,
            status=Status.UNCONFIRMED,
            is_honeypot_tripped=False,
            submitted_at__gte=since,
        )
        .exclude(mails__kind=OutgoingMail.Kind.CONFIRMATION)
        .order_by("submitted_at", "pk")
        .first()
    )
    if waiting is not None and _may_mail_confirmation(address):
        emails.queue_confirmation(waiting)


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
        _mail_next_confirmation(contribution.author_email)
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
    Action.SENT_BACK: send_back,
    Action.PICKED: pick,
    Action.UNPICKED: unpick,
}


def decide_many(
    *,
    contributions: Iterable[Contribution],
    action: str,
    actor: AbstractBaseUser,
    reason: str = "",
    reasons: Mapping[int, str] | None = None,
    versions: Mapping[int, int] | None = None,
) -> tuple[int, list[str]]:
    """
    A moderator takes one of their decisions on many contributions at once. Each one the rules
    refuse stays as it was; returns how many were decided and a message naming each refused one.
    The batch is one transaction, so followers get one mail for everything it publishes.

    `reasons` gives a contribution (by id) a reason of its own, such as a saved reason in its
    language. `versions` holds what a page showed (version_of, by id): a contribution that has
    changed since is refused, so that nobody decides on what they have not seen.
    """
    if action not in _MODERATORS_SERVICES:
        raise ValueError(f"{action!r} is not a decision a moderator takes in bulk")
    decide = _MODERATORS_SERVICES[action]
    needs_reason = DECISIONS[action].needs_reason
    reasons, versions = reasons or {}, versions or {}
    done, refusals = 0, []
    with transaction.atomic():
        for contribution in contributions:
            extra = {"reason": reasons.get(contribution.pk, reason)} if needs_reason else {}
            try:
                if contribution.pk in versions:
                    lock_unchanged(contribution, versions[contribution.pk])
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
        title = one_line(title)
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
