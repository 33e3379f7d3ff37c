"""The machinery every transition shares: the guard, the lock, the audit row, the errors."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext as _

from debates.models import Contribution
from moderation.models import Decision
from moderation.services.decisions import DECISIONS, history_sentence

Status = Contribution.Status


class ModerationError(Exception):
    """A request the rules refuse; the message is meant for the person who made it."""


class TransitionNotAllowed(ModerationError):
    def __init__(self, action, status):
        self.action, self.status = action, status
        super().__init__(
            _("Cannot %(action)s: the contribution's status is “%(status)s”.")
            % {"status": Status(status).label, "action": DECISIONS[action].verb}
        )


class PickNotAllowed(ModerationError):
    def __init__(self, action, is_picked):
        self.action, self.is_picked = action, is_picked
        super().__init__(
            (
                _("Cannot %(action)s: the contribution is already an editors' pick.")
                if is_picked
                else _("Cannot %(action)s: the contribution is not an editors' pick.")
            )
            % {"action": DECISIONS[action].verb}
        )


class DuplicateSubmission(ModerationError):
    def __init__(self, message_id):
        self.message_id = message_id
        super().__init__(_("This mail has been taken in already."))


class QuestionClosed(ModerationError):
    def __init__(self, question):
        super().__init__(
            _("“%(question)s” is closed for new contributions.") % {"question": question.title}
        )


class ChangedSinceOpened(ModerationError):
    def __init__(self, latest):
        # The change it was refused for, so that a page can say it in its own words.
        self.latest = latest
        change = history_sentence(latest) if latest else ""
        super().__init__(
            _(
                "Not decided: it has changed since you opened it (%(change)s). "
                "Look at it again before you decide."
            )
            % {"change": change.rstrip(".")}
        )


# The machinery ------------------------------------------------------------------------------


def required_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ModerationError(_("Give a reason; it is sent to the contributor."))
    return reason


def check_allowed(action: Decision.Action, status: str, *, is_picked: bool | None = None) -> None:
    """Refuse a decision that the table does not allow from this status (or pick, if given)."""
    rule = DECISIONS[action]
    if status not in rule.allowed_from:
        raise TransitionNotAllowed(action, status)
    if not rule.allows(status, is_picked=is_picked):
        raise PickNotAllowed(action, is_picked)


def version_of(contribution: Contribution) -> int:
    """
    How far a contribution has come: the id of its latest decision (0 before any), which every
    change of status or text writes. A page carries it so that a decision can be checked against it.
    """
    latest = Decision.objects.filter(contribution=contribution.pk).order_by("-pk").first()
    return latest.pk if latest else 0


def lock_unchanged(contribution: Contribution, version: int) -> None:
    """
    Lock the contribution for the rest of the transaction and refuse (ChangedSinceOpened) if it
    has changed since `version` was read. Every change takes the same lock before writing its
    decision, so none can slip in between this check and the decision that follows it.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock_unchanged() must run inside the transaction that decides.")
    Contribution.objects.select_for_update().filter(pk=contribution.pk).values_list("pk").get()
    latest = Decision.objects.filter(contribution=contribution.pk).order_by("-pk").first()
    if (latest.pk if latest else 0) != version:
        raise ChangedSinceOpened(latest)


def transition(
    contribution: Contribution,
    *,
    action: Decision.Action,
    actor: AbstractBaseUser | None = None,
    reason: str = "",
    earlier: tuple[str, str] = ("", ""),
    **changes,
) -> Contribution:
    """
    Take a decision from the table: refuse it (TransitionNotAllowed) unless the status in the
    database is one it starts from, and a missing reason if it needs one; then move the status
    and record who decided, with any other field changes, in one transaction. `earlier` is the
    title and text a change of text replaced, which the record keeps. A decision that takes the
    contribution off the site ends its being an editors' pick.
    """
    rule = DECISIONS[action]
    if rule.needs_reason:
        reason = required_reason(reason)
    if rule.to != Status.PUBLISHED:
        changes["picked_at"] = None
    with transaction.atomic():
        current, picked_at = (
            Contribution.objects.select_for_update()
            .filter(pk=contribution.pk)
            .values_list("status", "picked_at")
            .get()
        )
        check_allowed(action, current, is_picked=picked_at is not None)
        # Where the database has no row locks (SQLite), this condition does their work.
        unchanged = {"pk": contribution.pk, "status": current}
        if rule.when_picked is not None:
            unchanged["picked_at__isnull"] = picked_at is None
        updated = Contribution.objects.filter(**unchanged).update(status=rule.to, **changes)
        if not updated:
            now = Contribution.objects.get(pk=contribution.pk)
            check_allowed(action, now.status, is_picked=now.is_picked)
            raise TransitionNotAllowed(action, now.status)
        contribution.refresh_from_db()
        record_decision(
            contribution,
            action,
            actor=actor,
            from_status=current,
            to_status=rule.to,
            reason=reason,
            earlier=earlier,
        )
    return contribution


def record_decision(
    contribution: Contribution,
    action: Decision.Action,
    *,
    actor: AbstractBaseUser | None = None,
    from_status: str,
    to_status: str,
    reason: str = "",
    earlier: tuple[str, str] = ("", ""),
) -> Decision:
    return Decision.objects.create(
        contribution=contribution,
        action=action,
        actor=actor,
        actor_name=actor.get_username() if actor else "",
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        earlier_title=earlier[0],
        earlier_body=earlier[1],
    )
