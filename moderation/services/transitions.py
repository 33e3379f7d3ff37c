"""The machinery every transition shares: the guard, the lock, the audit row, the errors."""

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from debates.models import Contribution
from moderation.models import Decision

Status = Contribution.Status


ACTION_VERBS = {
    Decision.Action.CONFIRMED: gettext_lazy("confirm"),
    Decision.Action.PUBLISHED: gettext_lazy("publish"),
    Decision.Action.REJECTED: gettext_lazy("reject"),
    Decision.Action.MARKED_SPAM: gettext_lazy("mark as spam"),
    Decision.Action.REOPENED: gettext_lazy("put back in the queue"),
    Decision.Action.UNPUBLISHED: gettext_lazy("unpublish"),
    Decision.Action.WITHDRAWN: gettext_lazy("withdraw"),
    Decision.Action.EDITED: gettext_lazy("edit"),
}


class ModerationError(Exception):
    """A request the rules refuse; the message is meant for the person who made it."""


class TransitionNotAllowed(ModerationError):
    def __init__(self, action, status):
        self.action, self.status = action, status
        super().__init__(
            _("Cannot %(action)s: the contribution's status is “%(status)s”.")
            % {"status": Status(status).label, "action": ACTION_VERBS[action]}
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


# The machinery ------------------------------------------------------------------------------


def required_reason(reason):
    reason = (reason or "").strip()
    if not reason:
        raise ModerationError(_("Give a reason; it is sent to the contributor."))
    return reason


def transition(contribution, *, action, allowed_from, to, actor=None, reason="", **changes):
    with transaction.atomic():
        current = (
            Contribution.objects.select_for_update()
            .filter(pk=contribution.pk)
            .values_list("status", flat=True)
            .get()
        )
        if current not in allowed_from:
            raise TransitionNotAllowed(action, current)
        # Where the database has no row locks (SQLite), this condition does their work.
        updated = Contribution.objects.filter(pk=contribution.pk, status=current).update(
            status=to, **changes
        )
        if not updated:
            raise TransitionNotAllowed(action, Contribution.objects.get(pk=contribution.pk).status)
        contribution.refresh_from_db()
        record_decision(
            contribution, action, actor=actor, from_status=current, to_status=to, reason=reason
        )
    return contribution


def record_decision(contribution, action, *, actor=None, from_status, to_status, reason=""):
    return Decision.objects.create(
        contribution=contribution,
        action=action,
        actor=actor,
        actor_name=actor.get_username() if actor else "",
        from_status=from_status,
        to_status=to_status,
        reason=reason,
    )
