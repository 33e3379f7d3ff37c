"""Readers' reports on the desk: the list, most reported first, and the two ways to settle them."""

from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from debates.models import Contribution
from moderation import services
from moderation.admin.base import RecordAdmin, contribution_admin_url
from moderation.models import Report
from moderation.services.reports import open_reports_count


@admin.register(Report)
class ReportAdmin(RecordAdmin):
    """
    Staff read reports; those who may moderate settle them, on the reported contribution's page
    (dismiss, or unpublish with a reason) or here in bulk (dismiss). A report is never deleted.
    """

    list_display = [
        "created_at",
        "contribution_link",
        "open_on_contribution",
        "reason",
        "text",
        "status",
        "decided_by",
    ]
    list_filter = ["status", "reason", "created_at"]
    search_fields = ["text", "contribution__title", "contribution__author_name"]
    list_select_related = ["contribution", "decided_by"]
    readonly_fields = [
        "contribution_link",
        "reason",
        "text",
        "status",
        "created_at",
        "decided_at",
        "decided_by",
        "reporter_ip",
    ]
    fields = readonly_fields
    actions = ["dismiss_selected"]

    def get_queryset(self, request):
        # Open reports first, on the most reported contributions; then the newest. Annotated
        # before ordering, which ModelAdmin.get_queryset would do the other way round.
        return Report.objects.annotate(open_on_contribution=open_reports_count("contribution"))

    def get_ordering(self, request):
        return ["-open_on_contribution", "-created_at", "-pk"]

    @admin.display(description=gettext_lazy("contribution"), ordering="contribution")
    def contribution_link(self, obj):
        return format_html(
            '<a href="{}#mia-reports">{}</a> <span class="mia-status mia-status-{}">{}</span>',
            contribution_admin_url(obj.contribution_id),
            obj.contribution,
            obj.contribution.status,
            obj.contribution.get_status_display(),
        )

    @admin.display(description=gettext_lazy("open reports on it"), ordering="open_on_contribution")
    def open_on_contribution(self, obj):
        return obj.open_on_contribution

    @admin.action(
        description=gettext_lazy("Dismiss the open reports on the selected reports' contributions"),
        permissions=["moderate"],
    )
    def dismiss_selected(self, request, queryset):
        contributions = Contribution.objects.filter(
            pk__in=queryset.filter(status=Report.Status.OPEN).values("contribution")
        )
        dismissed = sum(
            services.dismiss_reports(contribution=c, actor=request.user) for c in contributions
        )
        self.message_user(request, _("Reports dismissed: %(count)d.") % {"count": dismissed})

    def get_urls(self):
        return [
            self.contribution_button_url(
                "contribution", self.settle_view, "moderation_report_settle"
            ),
            *super().get_urls(),
        ]

    def settle_view(self, request, contribution, back):
        """From the reported contribution's page: dismiss its open reports, or unpublish it."""
        if request.POST.get("settle") == "unpublish":
            try:
                services.unpublish_from_reports(
                    contribution=contribution,
                    actor=request.user,
                    reason=request.POST.get("reason", ""),
                )
            except services.ModerationError as error:
                self.message_user(request, str(error), messages.ERROR)
                return HttpResponseRedirect(f"{back}#mia-reports")
            self.message_user(
                request,
                _("Unpublished: “%(contribution)s”. Its reports are marked acted on.")
                % {"contribution": contribution},
                messages.SUCCESS,
            )
        else:
            dismissed = services.dismiss_reports(contribution=contribution, actor=request.user)
            self.message_user(
                request,
                _("Reports dismissed: %(count)d. “%(contribution)s” stays as it is.")
                % {"count": dismissed, "contribution": contribution},
                messages.SUCCESS,
            )
        return HttpResponseRedirect(reverse("admin:moderation_report_changelist"))
