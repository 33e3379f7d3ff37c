"""
The desk's pieces: the queue's state at the top of the admin index (how many wait, for how
long), readers' reports, the block tools, and the confirmations of decisions taken in a row.
"""

from django import template
from django.db.models import Count, Min
from django.urls import reverse

from debates.models import Contribution
from moderation.admin.listing import DECIDED_TAG
from moderation.models import Report
from moderation.roles import MODERATE_PERMISSION
from moderation.services.blocking import rule_for
from moderation.services.reports import with_open_report_counts

register = template.Library()


@register.inclusion_tag("admin/moderation/_queue_summary.html", takes_context=True)
def moderation_queue_summary(context):
    request = context["request"]
    if not request.user.has_perm(MODERATE_PERMISSION):
        return {"can_moderate": False}
    queue = Contribution.objects.awaiting_moderation().aggregate(
        oldest=Min("confirmed_at"), pending=Count("pk")
    )
    return {
        "can_moderate": True,
        "pending": queue["pending"],
        "oldest": queue["oldest"],
        "queue_url": reverse("admin:moderation_queueentry_changelist"),
    }


@register.inclusion_tag("admin/moderation/_reports_summary.html", takes_context=True)
def moderation_reports_summary(context):
    """Beside the queue: how many readers' reports are open, and the most reported first."""
    if not context["request"].user.has_perm(MODERATE_PERMISSION):
        return {"can_moderate": False}
    reported = (
        with_open_report_counts(Contribution.objects.all())
        .filter(open_report_count__gt=0)
        .order_by("-open_report_count", "pk")
    )
    return {
        "can_moderate": True,
        "open": Report.objects.filter(status=Report.Status.OPEN).count(),
        "reported": reported[:5],
        "reports_url": reverse("admin:moderation_report_changelist")
        + f"?status__exact={Report.Status.OPEN}",
    }


@register.inclusion_tag("admin/moderation/_contribution_reports.html", takes_context=True)
def contribution_reports(context, contribution):
    """A contribution's page: its readers' reports, and the ways to settle the open ones."""
    reports = list(contribution.reports.select_related("decided_by"))
    return {
        "contribution": contribution,
        "reports": reports,
        "open_count": sum(r.status == Report.Status.OPEN for r in reports),
        "can_moderate": context["request"].user.has_perm(MODERATE_PERMISSION),
        "can_unpublish": contribution.status == Contribution.Status.PUBLISHED,
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("admin/moderation/_block_sender_tools.html", takes_context=True)
def block_sender_tools(context, contribution):
    """A contribution's page: block its sender's address or domain, or see what blocks them."""
    address = contribution.author_email
    return {
        "contribution": contribution,
        "can_moderate": context["request"].user.has_perm(MODERATE_PERMISSION),
        "address": address,
        "domain": address.rpartition("@")[2].lower(),
        "rule": rule_for(email=address, ip=contribution.submitter_ip),
        "csrf_token": context.get("csrf_token"),
    }


@register.filter
def decided_in_a_row(messages):
    """The messages about a decision taken in a row, which the list shows above its rows."""
    return [message for message in messages if DECIDED_TAG in message.extra_tags.split()]


@register.filter
def not_decided_in_a_row(messages):
    return [message for message in messages if DECIDED_TAG not in message.extra_tags.split()]
