"""
What a contribution's page tells the editors beyond its fields: its history as sentences, the
sender's other contributions, who last opened it, the text framed as readers will see it, and
what a revised version changed in the text that was sent back.
"""

from dataclasses import dataclass, field

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Case, Count, Sum, Value, When, Window
from django.db.models.functions import Lower, Trim
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, pgettext

from debates.models import Contribution
from debates.textdiff import line_diff
from debates.versions_admin import Change
from moderation.models import Decision, Viewing
from moderation.services.decisions import history_sentence

Status = Contribution.Status

# How many of a sender's other contributions a page lists; the counts cover all of them.
SENDER_HISTORY_LIMIT = 20


def when(moment) -> str:
    """A moment as the history writes it: "28. nov. 2026 14:03", in local time."""
    return date_format(timezone.localtime(moment), pgettext("history date", "N j, Y, H:i"))


def history(contribution: Contribution) -> list[str]:
    """Each decision on the contribution as one dated sentence, oldest first."""
    title = contribution.original_title or contribution.title
    return [
        f"{when(decision.created_at)} — {history_sentence(decision, title=title)}"
        for decision in contribution.decisions.order_by("created_at", "pk")
    ]


def _count(status):
    return Window(Sum(Case(When(status=status, then=Value(1)), default=Value(0))))


@dataclass
class SenderHistory:
    contributions: list[Contribution] = field(default_factory=list)
    total: int = 0
    rejected: int = 0
    spam: int = 0


def sender_history(contribution: Contribution) -> SenderHistory:
    """
    The sender's other contributions, by the same address compared whole and without regard to
    case: the latest few, with counts over all of them, in one query.
    """
    address = contribution.author_email.strip().lower()
    if not address:
        return SenderHistory()
    others = list(
        Contribution.objects.alias(address=Lower(Trim("author_email")))
        .filter(address=address)
        .exclude(pk=contribution.pk)
        .annotate(
            others_total=Window(Count("pk")),
            others_rejected=_count(Status.REJECTED),
            others_spam=_count(Status.SPAM),
        )
        .select_related("question")
        .order_by("-submitted_at", "-pk")[:SENDER_HISTORY_LIMIT]
    )
    if not others:
        return SenderHistory()
    first = others[0]
    return SenderHistory(
        contributions=others,
        total=first.others_total,
        rejected=first.others_rejected or 0,
        spam=first.others_spam or 0,
    )


def last_viewing(contribution: Contribution) -> Viewing | None:
    return Viewing.objects.filter(contribution=contribution.pk).first()


def record_viewing(contribution: Contribution, user: AbstractBaseUser) -> None:
    """Note that this user has the contribution's page open now."""
    Viewing.objects.update_or_create(
        contribution_id=contribution.pk,
        defaults={
            "viewed_by": user,
            "viewed_by_name": user.get_username(),
            "viewed_at": timezone.now(),
        },
    )


def preview_document(contribution: Contribution) -> str:
    """A whole page with the site's own stylesheets and the text as a thread shows it."""
    return render_to_string(
        "admin/moderation/_preview.html",
        {"c": contribution, "language": contribution.language},
    )


@dataclass
class Revision:
    """A revised version against the text that was sent back, with the editors' note."""

    sent_back: Decision | None
    resubmitted: Decision
    changes: list[Change]


def last_revision(contribution: Contribution) -> Revision | None:
    """
    The contribution's latest revision, if it was sent back and revised: the title and text the
    contributor sent again (original_*) against those the revision replaced.
    """
    resubmitted = (
        contribution.decisions.filter(action=Decision.Action.RESUBMITTED).order_by("-pk").first()
    )
    if resubmitted is None:
        return None
    sent_back = (
        contribution.decisions.filter(action=Decision.Action.SENT_BACK, pk__lt=resubmitted.pk)
        .order_by("-pk")
        .first()
    )
    changes = []
    old_title, new_title = resubmitted.earlier_title, contribution.original_title
    if old_title != new_title:
        changes.append(Change(gettext("Title"), "value", old=old_title, new=new_title))
    old_body, new_body = (
        t.replace("\r\n", "\n") for t in (resubmitted.earlier_body, contribution.original_body)
    )
    if old_body != new_body:
        lines = line_diff(old_body, new_body)
        kind = "whole" if lines is None else "lines"
        changes.append(Change(gettext("Text"), kind, lines=lines, old=old_body, new=new_body))
    return Revision(sent_back=sent_back, resubmitted=resubmitted, changes=changes)
