"""What a page needs to offer the ways to take part, without the page's app importing this one."""

from django.conf import settings
from django.utils.functional import SimpleLazyObject

from moderation.forms import ContributionForm, EmailForm


def participation(request):
    """
    Blank forms to write to a question and to follow it. Built only if a page shows them, so the
    question page (in debates) offers them when moderation is installed and renders without.
    """
    return {
        "contribution_form": SimpleLazyObject(ContributionForm),
        "follow_form": SimpleLazyObject(EmailForm),
        "intake_email": settings.MIA_INTAKE_EMAIL,
    }
