"""
Every decision on a contribution, written once.

A row says who takes the decision, from which statuses, to which status, whether it needs a
reason, who is told, and what the interface calls it. The services take their rules from here;
the admin's buttons and bulk actions, the refusal messages and the table of transitions in
docs/webmaster.md are derived from it, and tests compare each of them with it.
"""

import enum
from dataclasses import dataclass

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from debates.models import Contribution
from moderation.models import Decision

Status = Contribution.Status
Action = Decision.Action


class By(enum.StrEnum):
    """Who takes a decision (as docs/webmaster.md names them)."""

    CONTRIBUTOR = "the contributor, by the link in our mail"
    MODERATOR = "a moderator"
    RETENTION = "the daily retention job"


class Told(enum.StrEnum):
    """Who is mailed about a decision (as docs/webmaster.md names them)."""

    CONTRIBUTOR = "the contributor"
    CONTRIBUTOR_FIRST_TIME = "the contributor, the first time only"
    EDITORS = "the editors"
    FOLLOWERS = "followers (one mail per batch)"


@dataclass(frozen=True)
class Rule:
    """One decision: who takes it, from where to where, and what it is called."""

    action: Action
    by: By
    allowed_from: frozenset[Status]
    # None for an edit, which leaves the status as it is.
    to: Status | None
    needs_reason: bool
    told: tuple[Told, ...]
    # In a refusal: "Cannot <verb>: the contribution's status is …".
    verb: Promise
    # The history's sentence once it is taken: "%(actor)s published the contribution."
    history: Promise
    # What the admin calls a moderator's decision: its button (imperative), the message once it
    # is done (past tense) and its action on a selection. The contributor's own pages word theirs.
    label: Promise | None = None
    done_label: Promise | None = None
    bulk_label: Promise | None = None
    # For a decision on the editors' picks, which the status alone does not tell apart: taken
    # only on a contribution that is a pick (True) or is not (False). None for the others.
    when_picked: bool | None = None

    @property
    def is_moderators_decision(self) -> bool:
        """A decision a moderator takes with a button or a bulk action (an edit is a form)."""
        return self.by is By.MODERATOR and self.to is not None

    def allows(self, status: str, *, is_picked: bool | None = None) -> bool:
        """Whether the table allows it from the status (and, where it asks, the pick) given."""
        if status not in self.allowed_from:
            return False
        return self.when_picked is None or is_picked is None or is_picked == self.when_picked


def _from(*statuses: Status) -> frozenset[Status]:
    return frozenset(statuses)


DECISIONS: dict[Action, Rule] = {
    rule.action: rule
    for rule in [
        Rule(
            action=Action.CONFIRMED,
            by=By.CONTRIBUTOR,
            allowed_from=_from(Status.UNCONFIRMED),
            to=Status.PENDING,
            needs_reason=False,
            told=(Told.EDITORS,),
            verb=pgettext_lazy("cannot …", "confirm"),
            history=_("%(actor)s confirmed the address; the contribution joined the queue."),
        ),
        Rule(
            action=Action.PUBLISHED,
            by=By.MODERATOR,
            allowed_from=_from(Status.PENDING),
            to=Status.PUBLISHED,
            needs_reason=False,
            told=(Told.CONTRIBUTOR, Told.FOLLOWERS),
            verb=pgettext_lazy("cannot …", "publish"),
            history=_("%(actor)s published the contribution."),
            label=_("Publish"),
            done_label=pgettext_lazy("decision taken", "Published"),
            bulk_label=_("Publish the selected contributions"),
        ),
        Rule(
            action=Action.REJECTED,
            by=By.MODERATOR,
            allowed_from=_from(Status.PENDING),
            to=Status.REJECTED,
            needs_reason=True,
            told=(Told.CONTRIBUTOR,),
            verb=pgettext_lazy("cannot …", "reject"),
            history=_("%(actor)s rejected the contribution."),
            label=_("Reject"),
            done_label=pgettext_lazy("decision taken", "Rejected"),
            bulk_label=_("Reject the selected contributions (with a reason)"),
        ),
        Rule(
            action=Action.MARKED_SPAM,
            by=By.MODERATOR,
            allowed_from=_from(Status.PENDING),
            to=Status.SPAM,
            needs_reason=False,
            told=(),
            verb=pgettext_lazy("cannot …", "mark as spam"),
            history=_("%(actor)s marked the contribution as spam."),
            label=_("Mark as spam"),
            done_label=pgettext_lazy("decision taken", "Marked as spam"),
            bulk_label=_("Mark the selected contributions as spam"),
        ),
        Rule(
            action=Action.REOPENED,
            by=By.MODERATOR,
            allowed_from=_from(Status.REJECTED, Status.SPAM),
            to=Status.PENDING,
            needs_reason=False,
            told=(),
            verb=pgettext_lazy("cannot …", "put back in the queue"),
            history=_("%(actor)s put the contribution back in the queue."),
            label=_("Put back in the queue"),
            done_label=pgettext_lazy("decision taken", "Put back in the queue"),
            bulk_label=_("Put the selected contributions back in the queue"),
        ),
        Rule(
            action=Action.UNPUBLISHED,
            by=By.MODERATOR,
            allowed_from=_from(Status.PUBLISHED),
            to=Status.REJECTED,
            needs_reason=True,
            told=(Told.CONTRIBUTOR,),
            verb=pgettext_lazy("cannot …", "unpublish"),
            history=_("%(actor)s took the contribution off the site."),
            label=_("Unpublish"),
            done_label=pgettext_lazy("decision taken", "Unpublished"),
            bulk_label=_("Unpublish the selected contributions (with a reason)"),
        ),
        # A contributor may withdraw whatever the editors decided, because the right to erasure
        # covers everything we hold about them; the record of who decided what survives it.
        Rule(
            action=Action.WITHDRAWN,
            by=By.CONTRIBUTOR,
            allowed_from=_from(
                Status.UNCONFIRMED,
                Status.PENDING,
                Status.PUBLISHED,
                Status.REJECTED,
                Status.SPAM,
                Status.SENT_BACK,
            ),
            to=Status.WITHDRAWN,
            needs_reason=False,
            told=(),
            verb=pgettext_lazy("cannot …", "withdraw"),
            history=_("%(actor)s withdrew the contribution."),
        ),
        Rule(
            action=Action.EDITED,
            by=By.MODERATOR,
            allowed_from=_from(Status.PENDING, Status.PUBLISHED),
            to=None,
            needs_reason=False,
            told=(),
            verb=pgettext_lazy("cannot …", "edit"),
            history=_("%(actor)s edited the contribution."),
        ),
        # Sending back for revision: the note goes to the contributor with a link to a form that
        # holds their text; what they send returns to the queue as the same contribution, and
        # one not revised within MIA_REVISION_DAYS is closed as rejected by the retention job.
        Rule(
            action=Action.SENT_BACK,
            by=By.MODERATOR,
            allowed_from=_from(Status.PENDING),
            to=Status.SENT_BACK,
            needs_reason=True,
            told=(Told.CONTRIBUTOR,),
            verb=pgettext_lazy("cannot …", "send back for revision"),
            history=_("%(actor)s sent the contribution back for revision."),
            label=_("Send back for revision"),
            done_label=pgettext_lazy("decision taken", "Sent back for revision"),
            bulk_label=_("Send the selected contributions back for revision (with a note)"),
        ),
        Rule(
            action=Action.RESUBMITTED,
            by=By.CONTRIBUTOR,
            allowed_from=_from(Status.SENT_BACK),
            to=Status.PENDING,
            needs_reason=False,
            told=(Told.EDITORS,),
            verb=pgettext_lazy("cannot …", "send a revised version"),
            history=_("%(actor)s sent a revised version; it joined the queue again."),
        ),
        Rule(
            action=Action.REVISION_LAPSED,
            by=By.RETENTION,
            allowed_from=_from(Status.SENT_BACK),
            to=Status.REJECTED,
            needs_reason=False,
            told=(),
            verb=pgettext_lazy("cannot …", "close as not revised"),
            history=_("No revised version came in time; the contribution was closed as rejected."),
        ),
        # The editors' picks: a published contribution shown first, which stays published. Whatever
        # takes it off the site ends the pick as well (transitions.transition).
        Rule(
            action=Action.PICKED,
            by=By.MODERATOR,
            allowed_from=_from(Status.PUBLISHED),
            to=Status.PUBLISHED,
            needs_reason=False,
            told=(Told.CONTRIBUTOR_FIRST_TIME,),
            verb=pgettext_lazy("cannot …", "make an editors' pick"),
            history=_("%(actor)s made the contribution an editors' pick."),
            label=_("Make an editors' pick"),
            done_label=pgettext_lazy("decision taken", "Made an editors' pick"),
            bulk_label=_("Make the selected contributions editors' picks"),
            when_picked=False,
        ),
        Rule(
            action=Action.UNPICKED,
            by=By.MODERATOR,
            allowed_from=_from(Status.PUBLISHED),
            to=Status.PUBLISHED,
            needs_reason=False,
            told=(),
            verb=pgettext_lazy("cannot …", "remove from the editors' picks"),
            history=_("%(actor)s removed the contribution from the editors' picks."),
            label=_("Remove from the editors' picks"),
            done_label=pgettext_lazy("decision taken", "Removed from the editors' picks"),
            bulk_label=_("Remove the selected contributions from the editors' picks"),
            when_picked=True,
        ),
    ]
}


# Being sent in is not a decision anyone takes, but it opens every contribution's history.
SENT_IN = _("%(actor)s sent in “%(title)s”.")
SENT_IN_UNTITLED = _("%(actor)s sent in the contribution.")


def history_sentence(decision: Decision, *, title: str = "") -> str:
    """A row of a contribution's history as a sentence: who did what, with the reason quoted."""
    actor = decision.actor_name or pgettext_lazy("in the history", "the sender")
    if decision.action == Action.SUBMITTED:
        return (SENT_IN if title else SENT_IN_UNTITLED) % {"actor": actor, "title": title}
    rule = DECISIONS[decision.action]
    sentence = rule.history % {"actor": actor}
    reason = decision.reason.strip()
    if reason and rule.needs_reason:
        return gettext("%(sentence)s Reason: “%(reason)s”") % {
            "sentence": sentence,
            "reason": reason,
        }
    # An edit's note ("Changed: title, text.") is the editors' own words, not a quoted reason.
    return f"{sentence} {reason}" if reason else sentence


def moderators_decisions(status: str | None = None, *, is_picked: bool | None = None) -> list[Rule]:
    """
    A moderator's decisions in the table's order; given a status, only those it allows, and given
    whether the contribution is an editors' pick, only those that allows too.
    """
    return [
        rule
        for rule in DECISIONS.values()
        if rule.is_moderators_decision
        and (status is None or rule.allows(status, is_picked=is_picked))
    ]


def decisions_as_markdown() -> str:
    """The table as docs/webmaster.md shows it, in English."""
    rows = [
        "| from | decision | by | to | who is told |",
        "|---|---|---|---|---|",
    ]
    with translation.override("en"):
        for rule in DECISIONS.values():
            starts = ", ".join(str(s.label) for s in Status if s in rule.allowed_from)
            if rule.when_picked is not None:
                starts += " (a pick)" if rule.when_picked else " (not a pick)"
            decision = f"{rule.verb} (with a reason)" if rule.needs_reason else str(rule.verb)
            to = str(Status(rule.to).label) if rule.to else "unchanged"
            told = ", ".join(rule.told) or "nobody"
            if rule.needs_reason and rule.told:
                told += ", with the reason"
            rows.append(f"| {starts} | {decision} | {rule.by} | {to} | {told} |")
    return "\n".join(rows) + "\n"
