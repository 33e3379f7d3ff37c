"""
Every change to a contribution's status, and the rules that go with it.

Views, admin actions, management commands and tests all call these functions; nothing else
writes `Contribution.status`. Each transition checks the state it starts from, runs in a
transaction, is safe when two moderators act at once (the row is locked, and the update only
applies if the status is still the one that was checked), writes a `Decision`, and queues its
mail so that it is sent only after the commit.
"""

from moderation.services.contributions import (
    EDITABLE,
    check_can_move,
    confirm_contribution,
    edit_contribution,
    mark_spam,
    publish,
    reject,
    reopen,
    resend_confirmation,
    submit_contribution,
    unpublish,
)
from moderation.services.following import (
    announce_published,
    confirm_subscription,
    follow_question,
    unsubscribe,
)
from moderation.services.rights import (
    WITHDRAWABLE,
    RetentionReport,
    address_from_data_link,
    apply_retention,
    request_personal_data,
    withdraw,
)
from moderation.services.transitions import (
    DuplicateSubmission,
    ModerationError,
    QuestionClosed,
    TransitionNotAllowed,
)

__all__ = [
    "EDITABLE",
    "WITHDRAWABLE",
    "DuplicateSubmission",
    "ModerationError",
    "QuestionClosed",
    "RetentionReport",
    "TransitionNotAllowed",
    "address_from_data_link",
    "announce_published",
    "apply_retention",
    "check_can_move",
    "confirm_contribution",
    "confirm_subscription",
    "edit_contribution",
    "follow_question",
    "mark_spam",
    "publish",
    "reject",
    "reopen",
    "request_personal_data",
    "resend_confirmation",
    "submit_contribution",
    "unpublish",
    "unsubscribe",
    "withdraw",
]
