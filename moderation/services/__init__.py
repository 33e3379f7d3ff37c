"""
Every change to a contribution's status (and to its being an editors' pick), and the rules
that go with it.

The rules (which decision, from which status, to which, with a reason or not, who is told) are
one table, `DECISIONS` in decisions.py. Views, admin actions, management commands and tests all
call these functions; nothing else writes `Contribution.status`. Each transition checks the
state it starts from, runs in a transaction, is safe when two moderators act at once (the row is
locked, and the update only applies if the status is still the one that was checked), writes a
`Decision`, and queues its mail so that it is sent only after the commit.
"""

from moderation.services.blocking import block, block_sender, rule_for
from moderation.services.contributions import (
    EDITABLE,
    check_can_move,
    confirm_contribution,
    decide_many,
    edit_contribution,
    mark_spam,
    publish,
    reject,
    reopen,
    resend_confirmation,
    submit_contribution,
    unpublish,
)
from moderation.services.decisions import (
    DECISIONS,
    Rule,
    decisions_as_markdown,
    moderators_decisions,
)
from moderation.services.following import (
    announce_published,
    confirm_subscription,
    follow_question,
    unsubscribe,
)
from moderation.services.picks import pick, unpick
from moderation.services.questions import close_question
from moderation.services.reports import (
    dismiss_reports,
    report_contribution,
    unpublish_from_reports,
    with_open_report_counts,
)
from moderation.services.revisions import resubmit, send_back
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
    "DECISIONS",
    "EDITABLE",
    "WITHDRAWABLE",
    "DuplicateSubmission",
    "ModerationError",
    "QuestionClosed",
    "RetentionReport",
    "Rule",
    "TransitionNotAllowed",
    "address_from_data_link",
    "announce_published",
    "apply_retention",
    "block",
    "block_sender",
    "check_can_move",
    "close_question",
    "confirm_contribution",
    "confirm_subscription",
    "decide_many",
    "decisions_as_markdown",
    "dismiss_reports",
    "edit_contribution",
    "follow_question",
    "mark_spam",
    "moderators_decisions",
    "pick",
    "publish",
    "reject",
    "reopen",
    "report_contribution",
    "request_personal_data",
    "resend_confirmation",
    "resubmit",
    "rule_for",
    "send_back",
    "submit_contribution",
    "unpick",
    "unpublish",
    "unpublish_from_reports",
    "unsubscribe",
    "with_open_report_counts",
    "withdraw",
]
