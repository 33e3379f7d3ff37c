"""The queue's state at the top of the admin index: how many wait, and for how long."""

from django import template
from django.db.models import Count, Min
from django.urls import reverse

from debates.models import Contribution
from moderation.roles import MODERATE_PERMISSION

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
