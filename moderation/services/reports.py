"""
Readers' reports on published contributions. A report hides nothing: it waits on the desk until
a moderator dismisses it or unpublishes the contribution, which settles every open report on it.
"""

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from debates.models import Contribution
from moderation.models import Report
from moderation.services.blocking import rule_for
from moderation.services.contributions import unpublish
from moderation.services.transitions import ModerationError

# The longest text a reader may add to a report.
MAX_REPORT_CHARS = 2000


def with_open_report_counts(queryset: QuerySet[Contribution]) -> QuerySet[Contribution]:
    """Annotate `open_report_count`, so that a list can put the most reported first."""
    return queryset.annotate(
        open_report_count=Count("reports", filter=Q(reports__status=Report.Status.OPEN))
    )


def open_reports_count():
    """An expression for a contribution's open reports, for ordering a list by them."""
    counts = (
        Report.objects.filter(contribution=OuterRef("pk"), status=Report.Status.OPEN)
        .order_by()
        .values("contribution")
        .annotate(open=Count("pk"))
        .values("open")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), 0)


def report_contribution(
    *,
    contribution: Contribution,
    reason: str,
    text: str = "",
    reporter_ip: str | None = None,
) -> Report | None:
    """
    Any reader may report a published contribution, with a reason and, if they like, words. A
    reader on a blocked network is answered as anyone is, and nothing is stored (None).
    """
    if contribution.status != Contribution.Status.PUBLISHED:
        raise ModerationError(_("Only a published contribution can be reported."))
    if reason not in Report.Reason.values:
        raise ModerationError(_("Choose a reason for the report."))
    if rule_for(ip=reporter_ip):
        return None
    return Report.objects.create(
        contribution=contribution,
        reason=reason,
        text=text.strip()[:MAX_REPORT_CHARS],
        reporter_ip=reporter_ip,
    )


def dismiss_reports(*, contribution: Contribution, actor: AbstractBaseUser) -> int:
    """
    A moderator finds nothing wrong: the open reports on a contribution are dismissed and it
    stays as it is. Returns how many were dismissed (none if another moderator was first).
    """
    return _settle(contribution, Report.Status.DISMISSED, actor)


def unpublish_from_reports(
    *, contribution: Contribution, actor: AbstractBaseUser, reason: str
) -> Contribution:
    """
    A moderator agrees with the readers: the contribution is unpublished as any other (its
    author is mailed the reason) and its open reports are marked acted on, in one transaction.
    """
    with transaction.atomic():
        contribution = unpublish(contribution=contribution, actor=actor, reason=reason)
        _settle(contribution, Report.Status.ACTED_ON, actor)
    return contribution


def _settle(contribution, status, actor):
    # Only open reports change, so two moderators acting at once settle each report once.
    return Report.objects.filter(contribution=contribution, status=Report.Status.OPEN).update(
        status=status, decided_at=timezone.now(), decided_by=actor
    )
