"""Link previews and structured data in templates (debates/previews.py)."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from debates import previews

register = template.Library()


@register.filter
def summary(sanitised_html) -> str:
    """HTML the site has sanitised, as a plain-text description of a link preview's length."""
    return previews.summary(str(sanitised_html or ""))


@register.filter
def shorten(text) -> str:
    """Plain text on one line, of a link preview's length."""
    return previews.shorten(str(text or ""))


@register.filter
def json_ld(data) -> str:
    """The data as a JSON-LD script element, which no text in it can end early."""
    return format_html(
        '<script type="application/ld+json">{}</script>', mark_safe(previews.json_ld(data))
    )
