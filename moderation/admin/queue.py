"""The queue under Moderation: the contributions waiting for a decision, longest waiting first."""

from django.contrib import admin
from django.http import HttpResponseRedirect
from django.urls import path

from debates.models import Contribution
from moderation.admin import listing
from moderation.admin.base import contribution_admin_url
from moderation.admin.contributions import ContributionAdmin
from moderation.models import QueueEntry


@admin.register(QueueEntry)
class QueueAdmin(ContributionAdmin):
    """
    The queue itself, under Moderation: the contributions waiting for a decision, longest
    waiting first, to be read and decided on from the list. Each one's page is its page among
    all contributions, so that links in mails and from the history lead to one place.
    """

    list_filter = ["question", "source"]
    date_hierarchy = None

    def get_list_display(self, request):
        # Every row waits, so a status column would only repeat it.
        return [
            column
            for column in super().get_list_display(request)
            if column is not listing.status_label
        ]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(status=Contribution.Status.PENDING)

    def has_module_permission(self, request):
        return self.has_moderate_permission(request)

    def has_view_permission(self, request, obj=None):
        return self.has_moderate_permission(request) and request.user.has_perm(
            "debates.view_contribution"
        )

    def has_change_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path("", self.admin_site.admin_view(self.changelist_view), name=self.queue_url_name),
            path("<path:object_id>/", self.admin_site.admin_view(self.to_contribution)),
        ]

    @property
    def queue_url_name(self):
        return f"{self.opts.app_label}_{self.opts.model_name}_changelist"

    def to_contribution(self, request, object_id):
        return HttpResponseRedirect(contribution_admin_url(object_id))

    def changelist_view(self, request, extra_context=None):
        context = listing.list_context(
            showing_queue=True, can_moderate=self.has_moderate_permission(request)
        )
        return admin.ModelAdmin.changelist_view(self, request, {**context, **(extra_context or {})})
