"""The webmaster's figures on the admin index: the queue's length and the waits for a decision."""

from django import template

from moderation.figures import panel_figures, queue_calendar, queue_chart, wait_chart
from moderation.roles import MODERATE_PERMISSION

register = template.Library()


@register.inclusion_tag("admin/moderation/_figures.html", takes_context=True)
def moderation_figures(context):
    """Only those who may moderate see how the queue is worked."""
    if not context["request"].user.has_perm(MODERATE_PERMISSION):
        return {"can_moderate": False}
    figures = panel_figures()
    return {
        "can_moderate": True,
        "queue": queue_chart(figures.queue),
        "calendar": queue_calendar(figures.queue),
        "waits": wait_chart(figures.waits),
    }
