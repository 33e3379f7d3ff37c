"""The moderation queue: contributions, the decisions on them, and the research export."""

from django import forms
from django.contrib import admin, messages
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import get_text_list
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from debates import exports
from debates.models import Contribution, Question
from debates.views import paper_response
from moderation import services
from moderation.admin.base import ModerationAdmin
from moderation.models import Decision
from moderation.spam import spam_hints

Status = Contribution.Status


def _bulk_action(rule):
    """The queue's action that takes one of a moderator's decisions on the selected rows."""

    def action(modeladmin, request, queryset):
        return modeladmin.decide_selected(request, queryset, rule)

    action.__name__ = f"decide_{rule.action}"
    return admin.action(description=rule.bulk_label, permissions=["moderate"])(action)


class DecisionInline(admin.TabularInline):
    model = Decision
    extra = 0
    can_delete = False
    fields = ["created_at", "action", "from_status", "to_status", "actor_label", "reason"]
    readonly_fields = fields
    verbose_name_plural = gettext_lazy("History")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("by"))
    def actor_label(self, obj):
        return obj.actor_name or _("the contributor")


class ContributionAdminForm(forms.ModelForm):
    class Meta:
        model = Contribution
        fields = ["question", "title", "body"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "question" in self.fields:
            self.fields["question"].queryset = Question.objects.select_related("paper")

    def clean_question(self):
        question = self.cleaned_data["question"]
        if self.instance.pk and question.pk != self.instance.question_id:
            try:
                services.check_can_move(self.instance, question)
            except services.ModerationError as error:
                raise forms.ValidationError(str(error)) from error
        return question


@admin.register(Contribution)
class ContributionAdmin(ModerationAdmin):
    form = ContributionAdminForm
    list_display = [
        "status_label",
        "summary",
        "author_name",
        "question_title",
        "submitted_at",
        "waiting",
        "hints",
        "has_paper",
    ]
    list_display_links = ["summary"]
    list_filter = ["status", "question", "submitted_at", "source"]
    search_fields = ["author_name", "author_email", "title", "body"]
    date_hierarchy = "submitted_at"
    list_select_related = ["question"]
    list_per_page = 50
    inlines = [DecisionInline]
    actions = [
        *(_bulk_action(rule) for rule in services.moderators_decisions()),
        "export_csv",
        "export_json",
    ]
    change_form_template = "admin/moderation/contribution_change_form.html"

    class Media:
        css = {"all": ["css/admin.css"]}

    readonly_fields = [
        "status",
        "rendered",
        "paper_link",
        "original_title",
        "original_body",
        "rejection_reason",
        "author_name",
        "author_email",
        "author_title",
        "author_organisation",
        "submitter_ip",
        "language",
        "source",
        "parent_link",
        "submitted_at",
        "confirmed_at",
        "decided_at",
        "published_at",
        "edited_at",
        "hints",
        "intake_note",
        "message_id",
    ]
    fieldsets = [
        (gettext_lazy("Contribution"), {"fields": ["question", "parent_link", "title", "body"]}),
        (gettext_lazy("As readers will see it"), {"fields": ["rendered", "paper_link"]}),
        (
            gettext_lazy("As the contributor sent it"),
            {"fields": ["original_title", "original_body"], "classes": ["collapse"]},
        ),
        (
            gettext_lazy("Contributor"),
            {
                "fields": [
                    "author_name",
                    "author_email",
                    "author_title",
                    "author_organisation",
                    "language",
                    "source",
                    "submitter_ip",
                    "hints",
                    "intake_note",
                    "message_id",
                ]
            },
        ),
        (
            gettext_lazy("Status"),
            {
                "fields": [
                    "status",
                    "rejection_reason",
                    "submitted_at",
                    "confirmed_at",
                    "decided_at",
                    "published_at",
                    "edited_at",
                ]
            },
        ),
    ]

    # The queue ------------------------------------------------------------------------------

    def get_ordering(self, request):
        # Pending first, the longest waiting at the top; then the rest, newest first. An
        # expression rather than an annotation, because other admin pages that list
        # contributions (a decision's page) order by this too, without our queryset.
        queue_order = Case(
            When(status=Status.PENDING, then=Value(0)),
            When(status=Status.UNCONFIRMED, then=Value(2)),
            default=Value(1),
            output_field=IntegerField(),
        )
        return [queue_order.asc(), "confirmed_at", "-submitted_at"]

    @admin.display(description=gettext_lazy("status"), ordering="status")
    def status_label(self, obj):
        return format_html(
            '<span class="mia-status mia-status-{}">{}</span>', obj.status, obj.get_status_display()
        )

    @admin.display(description=gettext_lazy("contribution"))
    def summary(self, obj):
        text = obj.title or " ".join(obj.body.split()[:12])
        return text if len(text) < 90 else f"{text[:88]}…"

    @admin.display(description=gettext_lazy("question"), ordering="question__position")
    def question_title(self, obj):
        return obj.question.title

    @admin.display(description=gettext_lazy("waiting"), ordering="confirmed_at")
    def waiting(self, obj):
        if obj.status != Status.PENDING or not obj.confirmed_at:
            return "–"
        return timesince(obj.confirmed_at)

    @admin.display(description=gettext_lazy("spam hints"))
    def hints(self, obj):
        found = spam_hints(obj)
        return (
            format_html_join(", ", '<span class="mia-hint">{}</span>', ((h,) for h in found)) or "–"
        )

    @admin.display(description=gettext_lazy("paper"), boolean=True)
    def has_paper(self, obj):
        return bool(obj.attachment)

    # The change page ------------------------------------------------------------------------

    @admin.display(description=gettext_lazy("text as published"))
    def rendered(self, obj):
        # body_html was sanitised by debates.markup when the text was saved.
        return mark_safe(f'<div class="mia-preview">{obj.body_html}</div>')

    @admin.display(description=gettext_lazy("paper (PDF)"))
    def paper_link(self, obj):
        if not obj.attachment:
            return "–"
        url = reverse("admin:debates_contribution_attachment", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.attachment_name or "paper.pdf")

    @admin.display(description=gettext_lazy("in reply to"))
    def parent_link(self, obj):
        if not obj.parent_id:
            return "–"
        url = reverse("admin:debates_contribution_change", args=[obj.parent_id])
        return format_html('<a href="{}">{}</a>', url, obj.parent)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if (
            obj is None
            or obj.status not in services.EDITABLE
            or not self.has_moderate_permission(request)
        ):
            fields += ["question", "title", "body"]
        return fields

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        services.edit_contribution(
            contribution=obj,
            actor=request.user,
            title=form.cleaned_data.get("title", obj.title),
            body=form.cleaned_data.get("body", obj.body),
            question=form.cleaned_data.get("question", obj.question),
        )

    def render_change_form(self, request, context, *args, obj=None, **kwargs):
        if obj is not None and self.has_moderate_permission(request):
            decisions = services.moderators_decisions(obj.status)
            context["decisions"] = decisions
            context["reason_required_to"] = get_text_list(
                [str(rule.verb) for rule in decisions if rule.needs_reason], _("or")
            )
        return super().render_change_form(request, context, *args, obj=obj, **kwargs)

    def get_urls(self):
        return [
            path(
                "<path:object_id>/decide/",
                self.admin_site.admin_view(self.decide_view),
                name="debates_contribution_decide",
            ),
            path(
                "<path:object_id>/attachment/",
                self.admin_site.admin_view(self.attachment_view),
                name="debates_contribution_attachment",
            ),
            *super().get_urls(),
        ]

    def decide_view(self, request, object_id):
        """One decision on one contribution, from the buttons on its page."""
        contribution = get_object_or_404(Contribution, pk=object_id)
        change_url = reverse("admin:debates_contribution_change", args=[contribution.pk])
        offered = {rule.action: rule for rule in services.moderators_decisions()}
        rule = offered.get(request.POST.get("decision"))
        if request.method != "POST" or rule is None:
            return HttpResponseRedirect(change_url)
        if not self.has_moderate_permission(request):
            raise Http404
        done, refusals = services.decide_many(
            contributions=[contribution],
            action=rule.action,
            actor=request.user,
            reason=request.POST.get("reason", ""),
        )
        for refusal in refusals:
            self.message_user(request, refusal, messages.ERROR)
        if done:
            self.message_user(
                request,
                _("%(decision)s: “%(contribution)s”.")
                % {"decision": rule.done_label, "contribution": contribution},
                messages.SUCCESS,
            )
            return HttpResponseRedirect(reverse("admin:debates_contribution_changelist"))
        return HttpResponseRedirect(change_url)

    def attachment_view(self, request, object_id):
        contribution = get_object_or_404(Contribution, pk=object_id)
        if not self.has_view_permission(request, contribution):
            raise Http404
        return paper_response(contribution)

    # Actions on the queue -------------------------------------------------------------------

    def decide_selected(self, request, queryset, rule):
        """Ask for the reason first where the decision needs one, then decide on each row."""
        reason = request.POST.get("reason", "").strip()
        if rule.needs_reason and not (request.POST.get("apply") and reason):
            return TemplateResponse(
                request,
                "admin/moderation/reason.html",
                {
                    **self.admin_site.each_context(request),
                    "title": rule.label,
                    "opts": self.model._meta,
                    "queryset": queryset,
                    "action": request.POST.get("action"),
                    "missing_reason": bool(request.POST.get("apply")),
                    "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                },
            )
        done, refusals = services.decide_many(
            contributions=queryset, action=rule.action, actor=request.user, reason=reason
        )
        if done:
            self.message_user(
                request,
                ngettext(
                    "%(decision)s: %(count)d contribution.",
                    "%(decision)s: %(count)d contributions.",
                    done,
                )
                % {"decision": rule.done_label, "count": done},
                messages.SUCCESS,
            )
        for refusal in refusals:
            self.message_user(request, refusal, messages.WARNING)
        return None

    @admin.action(description=gettext_lazy("Export the published ones among the selected as CSV"))
    def export_csv(self, request, queryset):
        return _export_response(queryset, "csv")

    @admin.action(description=gettext_lazy("Export the published ones among the selected as JSON"))
    def export_json(self, request, queryset):
        return _export_response(queryset, "json")


def _export_response(queryset, format):
    """The research export of a selection: published contributions only, no addresses."""
    response = HttpResponse(
        content_type="text/csv; charset=utf-8" if format == "csv" else "application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="mia-debat.{format}"'
    rows = exports.published_rows(queryset)
    if format == "csv":
        exports.write_csv(rows, response, bom=True)
    else:
        exports.write_json(rows, response)
    return response
