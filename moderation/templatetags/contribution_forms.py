"""Lets the question pages (in debates) offer the contribution form without importing moderation."""

from django import template
from django.conf import settings

from moderation.forms import ContributionForm, EmailForm

register = template.Library()


@register.inclusion_tag("moderation/_contribution_form.html", takes_context=True)
def contribution_form(context, question, parent=None):
    return {
        "form": ContributionForm(),
        "question": question,
        "parent": parent,
        "csrf_token": context.get("csrf_token"),
        "request": context.get("request"),
        "intake_email": settings.MIA_INTAKE_EMAIL,
    }


@register.inclusion_tag("moderation/_follow_form.html", takes_context=True)
def follow_form(context, question):
    return {"form": EmailForm(), "question": question, "csrf_token": context.get("csrf_token")}
