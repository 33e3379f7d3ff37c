"""
Contributions on the desk: one admin that puts together the list (listing), each contribution's
page (change_page), the decisions on them (decisions) and the research export (exports).
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import path

from debates.attachments import paper_response
from debates.models import Contribution
from moderation import services
from moderation.admin import change_page, decisions, exports, listing, reading
from moderation.admin.base import ModerationAdmin

Status = Contribution.Status


@admin.register(Contribution)
class ContributionAdmin(ModerationAdmin):
    form = change_page.ContributionAdminForm
    list_display = listing.COLUMNS
    # The text's title links to its page; a whole cell as a link could not hold "read it all".
    list_display_links = None
    list_filter = [
        "status",
        listing.PickFilter,
        "question",
        "submitted_at",
        "source",
    ]
    search_fields = ["author_name", "author_email", "title", "body"]
    date_hierarchy = "submitted_at"
    list_select_related = ["question"]
    list_per_page = 50
    actions = [
        *(decisions.bulk_action(rule) for rule in services.moderators_decisions()),
        exports.export_csv,
        exports.export_json,
    ]
    readonly_fields = change_page.READONLY_FIELDS
    fieldsets = change_page.FIELDSETS
    change_form_template = "admin/moderation/contribution_change_form.html"
    change_list_template = "admin/moderation/contribution_change_list.html"

    class Media:
        css = {"all": ["css/admin.css", "css/admin-versions.css"]}
        js = ["js/admin-desk.js"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            self.contribution_button_url("decide", self.decide_view, "debates_contribution_decide"),
            path(
                "<path:object_id>/attachment/",
                self.admin_site.admin_view(self.attachment_view),
                name="debates_contribution_attachment",
            ),
            *super().get_urls(),
        ]

    # The list -------------------------------------------------------------------------------

    def get_queryset(self, request):
        return listing.with_version(super().get_queryset(request))

    def get_list_display(self, request):
        if self.has_moderate_permission(request):
            return [*self.list_display, listing.decision_buttons]
        return self.list_display

    def get_ordering(self, request):
        return listing.ordering()

    def get_changelist_instance(self, request):
        listing.read_rules_once()
        return super().get_changelist_instance(request)

    def changelist_view(self, request, extra_context=None):
        context = listing.list_context(
            showing_queue=request.GET.get("status__exact") == Status.PENDING,
            can_moderate=self.has_moderate_permission(request),
        )
        return super().changelist_view(request, {**context, **(extra_context or {})})

    # A contribution's page ------------------------------------------------------------------

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not change_page.may_edit(obj, can_moderate=self.has_moderate_permission(request)):
            fields += change_page.EDITED_FIELDS
        return fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        # A class made for this request, so the decision it carries is this request's.
        form.decision = decisions.pressed_on_page(request, obj)
        form.opened_version = decisions.opened_version(request)
        return form

    def changeform_view(self, request, *args, **kwargs):
        pressed = request.method == "POST" and "decision" in request.POST
        if pressed and not self.has_moderate_permission(request):
            raise PermissionDenied
        listing.forget_rules()
        return super().changeform_view(request, *args, **kwargs)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        contribution = Contribution.objects.filter(pk=object_id).first()
        extra_context = extra_context or {}
        if contribution is not None and request.method == "GET":
            # Who had it open before us, then ourselves: the next editor sees that we have it.
            extra_context["last_viewing"] = reading.last_viewing(contribution)
            reading.record_viewing(contribution, request.user)
        return super().change_view(request, object_id, form_url, extra_context)

    def render_change_form(self, request, context, *args, obj=None, **kwargs):
        if obj is not None:
            context.update(
                change_page.page_context(
                    obj, request, can_moderate=self.has_moderate_permission(request)
                )
            )
        return super().render_change_form(request, context, *args, obj=obj, **kwargs)

    def save_model(self, request, obj, form, change):
        # Only what the form changed is an edit; a page whose text may not change saves nothing.
        if not form.has_changed():
            return
        services.edit_contribution(
            contribution=obj,
            actor=request.user,
            title=form.cleaned_data.get("title", obj.title),
            body=form.cleaned_data.get("body", obj.body),
            question=form.cleaned_data.get("question", obj.question),
        )
        if form.decision is not None:
            self.message_user(request, change_page.changes_saved(form), messages.SUCCESS)

    def log_change(self, request, obj, message):
        # A decision on the page saves a form that may hold no change; the decision has a record.
        if message:
            super().log_change(request, obj, message)

    def response_change(self, request, obj):
        decision = decisions.pressed_on_page(request, obj)
        if decision is None:
            return super().response_change(request, obj)
        return decisions.decide_on_page(self, request, obj, decision)

    def attachment_view(self, request, object_id):
        contribution = get_object_or_404(Contribution, pk=object_id)
        if not self.has_view_permission(request, contribution):
            raise Http404
        return paper_response(contribution)

    # Decisions ------------------------------------------------------------------------------

    def decide_view(self, request, contribution, back):
        return decisions.decide_one(self, request, contribution, back)
