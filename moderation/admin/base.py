"""
What the webmaster's desk pages share: who may moderate, the addresses of a contribution and
the name it goes by there, how a decision's button looks, and records nobody edits by hand.
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html, strip_tags
from django.utils.text import Truncator

from debates.models import Contribution
from moderation.models import Decision
from moderation.roles import MODERATE_PERMISSION

Action = Decision.Action

# How a decision's button looks, in a row or on a page: the usual next step in the admin's
# primary style, the ones that take a contribution out of sight in its danger style.
_BUTTON_STYLES = {
    Action.PUBLISHED: "mia-go",
    Action.MARKED_SPAM: "mia-danger",
    Action.UNPUBLISHED: "mia-danger",
}


def contribution_admin_url(contribution_id: int, page: str = "change") -> str:
    """A contribution's page on the desk, or another of its addresses there ("attachment")."""
    return reverse(f"admin:debates_contribution_{page}", args=[contribution_id])


def queue_url() -> str:
    """The list of the contributions waiting for a decision."""
    return reverse("admin:moderation_queueentry_changelist")


def desk_title(contribution: Contribution) -> str:
    """
    What the desk calls a contribution, in its row and in the messages about it: its title, or
    the start of its text where it has none.
    """
    return Truncator(
        contribution.title or " ".join(strip_tags(contribution.body_html).split()[:12])
    ).chars(90)


def paper_link(contribution: Contribution, text: str = "") -> str:
    """A link that downloads the contribution's paper, saying `text` or else the paper's name."""
    name = contribution.attachment_name or "paper.pdf"
    url = contribution_admin_url(contribution.pk, "attachment")
    if not text:
        return format_html('<a href="{}">{}</a>', url, name)
    return format_html('<a href="{}" title="{}">{}</a>', url, name, text)


def button_class(rule) -> str:
    """The classes of a decision's button."""
    return f"mia-button {_BUTTON_STYLES.get(rule.action, 'mia-plain')}"


class ModerationAdmin(admin.ModelAdmin):
    """Actions marked `permissions=["moderate"]` are offered only to staff who may moderate."""

    def has_moderate_permission(self, request):
        return request.user.has_perm(MODERATE_PERMISSION)

    def contribution_button_url(self, route, view, name):
        """
        The URL a button on a contribution's page posts to. `view(request, contribution, back)`
        runs only for a moderator's POST; anything else goes back to the contribution's page.
        """

        def on_contribution(request, contribution_id):
            contribution = get_object_or_404(Contribution, pk=contribution_id)
            back = contribution_admin_url(contribution.pk)
            if request.method != "POST":
                return HttpResponseRedirect(back)
            if not self.has_moderate_permission(request):
                raise PermissionDenied
            return view(request, contribution, back)

        return path(
            f"{route}/<int:contribution_id>/",
            self.admin_site.admin_view(on_contribution),
            name=name,
        )


class RecordAdmin(ModerationAdmin):
    """A record the site writes itself: staff read it; nobody adds, changes or deletes one."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
