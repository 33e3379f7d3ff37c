"""The moderation queue: contributions, the decisions on them, and the research export."""

import threading

from django import forms
from django.contrib import admin, messages
from django.db.models import Case, IntegerField, OuterRef, Subquery, Value, When
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import escape, format_html, format_html_join, strip_tags
from django.utils.safestring import mark_safe
from django.utils.text import Truncator, get_text_list
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from debates import exports
from debates.attachments import paper_response
from debates.models import Contribution, Question
from moderation import services
from moderation.admin import reading
from moderation.admin.base import ModerationAdmin
from moderation.models import Decision, QueueEntry, SavedReason
from moderation.services import blocking, reports
from moderation.services.transitions import version_of
from moderation.spam import spam_hints

# How many words of a contribution the queue shows before "read it all".
EXCERPT_WORDS = 40

# The block rules read once for the list being drawn in this thread (see get_changelist_instance).
_listing = threading.local()

Status = Contribution.Status


def _bulk_action(rule):
    """The queue's action that takes one of a moderator's decisions on the selected rows."""

    def action(modeladmin, request, queryset):
        return modeladmin.decide_selected(request, queryset, rule)

    action.__name__ = f"decide_{rule.action}"
    return admin.action(description=rule.bulk_label, permissions=["moderate"])(action)


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
        "text",
        "question_title",
        "sender",
        "waiting",
        "hints",
        "has_paper",
    ]
    # The text's title links to its page; a whole cell as a link could not hold "read it all".
    list_display_links = None
    list_filter = ["status", "question", "submitted_at", "source"]
    search_fields = ["author_name", "author_email", "title", "body"]
    date_hierarchy = "submitted_at"
    list_select_related = ["question"]
    list_per_page = 50
    actions = [
        *(_bulk_action(rule) for rule in services.moderators_decisions()),
        "export_csv",
        "export_json",
    ]
    change_form_template = "admin/moderation/contribution_change_form.html"
    change_list_template = "admin/moderation/contribution_change_list.html"

    class Media:
        css = {"all": ["css/admin.css"]}
        js = ["js/admin-desk.js"]

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
        "sender_history",
        "history",
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
                    "sender_history",
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
                    "history",
                ]
            },
        ),
    ]

    # The queue ------------------------------------------------------------------------------

    def get_queryset(self, request):
        latest = Decision.objects.filter(contribution=OuterRef("pk")).order_by("-pk")
        return (
            super()
            .get_queryset(request)
            .annotate(version=Subquery(latest.values("pk")[:1], output_field=IntegerField()))
        )

    def get_list_display(self, request):
        if self.has_moderate_permission(request):
            return [*self.list_display, "decision_buttons"]
        return self.list_display

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
        return [queue_order.asc(), *self.raised_first(), "confirmed_at", "-submitted_at"]

    def raised_first(self):
        """
        Orderings that lift a contribution above the others of its status, before the time it
        has waited: the more open readers' reports, the higher.
        """
        return [reports.open_reports_count().desc()]

    def changelist_view(self, request, extra_context=None):
        showing_queue = request.GET.get("status__exact") == Status.PENDING
        return super().changelist_view(
            request,
            {
                "title": _("Contributions waiting for a decision")
                if showing_queue
                else _("All contributions"),
                **self.queue_context(request, showing_queue=showing_queue),
                **(extra_context or {}),
            },
        )

    def queue_context(self, request, *, showing_queue):
        """What the list's template needs beyond Django's: the row forms and the empty queue."""
        return {
            "showing_queue": showing_queue,
            "queue_is_empty": showing_queue
            and not Contribution.objects.awaiting_moderation().exists(),
            "can_moderate": self.has_moderate_permission(request),
        }

    @admin.display(description=gettext_lazy("status"), ordering="status")
    def status_label(self, obj):
        return format_html(
            '<span class="mia-status mia-status-{}">{}</span>', obj.status, obj.get_status_display()
        )

    @admin.display(description=gettext_lazy("contribution"))
    def text(self, obj):
        """The title as a link to its page, the start of the text, and all of it on request."""
        words = strip_tags(obj.body_html).split()
        excerpt = Truncator(" ".join(words)).words(EXCERPT_WORDS, truncate="…")
        whole = ""
        if len(words) > EXCERPT_WORDS or "<li" in obj.body_html or "<blockquote" in obj.body_html:
            # body_html was sanitised by debates.markup when the text was saved.
            whole = format_html(
                '<details class="mia-whole"><summary>{}</summary>'
                '<div class="mia-prose">{}</div></details>',
                _("Read it all"),
                mark_safe(obj.body_html),
            )
        return format_html(
            '<div class="mia-text" id="mia-contribution-{}"><a href="{}"><strong>{}</strong></a>'
            '<p class="mia-excerpt">{}</p>{}</div>',
            obj.pk,
            reverse("admin:debates_contribution_change", args=[obj.pk]),
            Truncator(obj.title or " ".join(words[:12])).chars(90),
            excerpt,
            whole,
        )

    @admin.display(description=gettext_lazy("question"), ordering="question__position")
    def question_title(self, obj):
        return obj.question.title

    @admin.display(description=gettext_lazy("sender"), ordering="author_name")
    def sender(self, obj):
        return format_html(
            '{}<span class="mia-affiliation">{}</span>', obj.author_name, obj.affiliation
        )

    @admin.display(description=gettext_lazy("waiting"), ordering="confirmed_at")
    def waiting(self, obj):
        if obj.status != Status.PENDING or not obj.confirmed_at:
            return "–"
        return timesince(obj.confirmed_at, depth=1)

    def get_changelist_instance(self, request):
        # The list's rows are checked against the block rules read once, not once a row.
        _listing.rules = list(blocking.active_rules())
        return super().get_changelist_instance(request)

    def changeform_view(self, request, *args, **kwargs):
        # One contribution's page looks its rules up afresh.
        _listing.rules = None
        return super().changeform_view(request, *args, **kwargs)

    @admin.display(description=gettext_lazy("spam hints"))
    def hints(self, obj):
        found = spam_hints(obj, rules=getattr(_listing, "rules", None))
        return (
            format_html_join(", ", '<span class="mia-hint">{}</span>', ((h,) for h in found)) or "–"
        )

    @admin.display(description="PDF", boolean=True)
    def has_paper(self, obj):
        return bool(obj.attachment)

    @admin.display(description=gettext_lazy("decision"))
    def decision_buttons(self, obj):
        """
        The decisions the row's status allows, as buttons of the row's own form. That form sits
        outside the list's form (forms cannot nest), so the buttons name it.
        """
        return format_html_join(
            "",
            '<button type="submit" form="mia-decide-{}" name="decision" value="{}" '
            'class="button mia-row-button">{}</button>',
            (
                (obj.pk, rule.action, rule.label)
                for rule in services.moderators_decisions(obj.status)
            ),
        )

    # The change page ------------------------------------------------------------------------

    @admin.display(description=gettext_lazy("text as published"))
    def rendered(self, obj):
        # A frame of its own, so that the site's stylesheets apply and the admin's do not. It
        # may not run scripts; it shares our origin only so that the page can fit its height.
        return format_html(
            '<iframe class="mia-preview" title="{}" sandbox="allow-same-origin allow-popups '
            'allow-popups-to-escape-sandbox" srcdoc="{}"></iframe>',
            _("The contribution as readers will see it"),
            escape(reading.preview_document(obj)),
        )

    @admin.display(description=gettext_lazy("history"))
    def history(self, obj):
        return format_html(
            '<ol class="mia-history">{}</ol>',
            format_html_join("", "<li>{}</li>", ((line,) for line in reading.history(obj))),
        )

    @admin.display(description=gettext_lazy("the sender's other contributions"))
    def sender_history(self, obj):
        found = reading.sender_history(obj)
        if not found.total:
            return _("None from this address.")
        summary = ngettext(
            "%(total)d other contribution from this address: "
            "%(rejected)d rejected, %(spam)d marked as spam.",
            "%(total)d other contributions from this address: "
            "%(rejected)d rejected, %(spam)d marked as spam.",
            found.total,
        ) % {"total": found.total, "rejected": found.rejected, "spam": found.spam}
        rows = format_html_join(
            "",
            '<li><span class="mia-status mia-status-{}">{}</span> {} — <a href="{}">{}</a>'
            " <small>({})</small></li>",
            (
                (
                    other.status,
                    other.get_status_display(),
                    reading.when(other.submitted_at),
                    reverse("admin:debates_contribution_change", args=[other.pk]),
                    other,
                    other.question.title,
                )
                for other in found.contributions
            ),
        )
        more = ""
        if found.total > len(found.contributions):
            more = format_html(
                "<p>{}</p>",
                _("The latest %(count)d are listed.") % {"count": len(found.contributions)},
            )
        return format_html(
            '<p class="mia-sender-summary">{}</p><ul class="mia-sender-history">{}</ul>{}',
            summary,
            rows,
            more,
        )

    @admin.display(description="PDF")
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

    def change_view(self, request, object_id, form_url="", extra_context=None):
        contribution = Contribution.objects.filter(pk=object_id).first()
        extra_context = extra_context or {}
        if contribution is not None and request.method == "GET":
            # Who had it open before us, then ourselves: the next editor sees that we have it.
            extra_context["last_viewing"] = reading.last_viewing(contribution)
            reading.record_viewing(contribution, request.user)
        return super().change_view(request, object_id, form_url, extra_context)

    def render_change_form(self, request, context, *args, obj=None, **kwargs):
        if obj is not None and self.has_moderate_permission(request):
            decisions = services.moderators_decisions(obj.status)
            context["decisions"] = decisions
            context["reason_required_to"] = get_text_list(
                [str(rule.verb) for rule in decisions if rule.needs_reason], _("or")
            )
            context["saved_reasons"] = saved_reasons(obj.language)
            context["version"] = version_of(obj)
            context["next_waiting"] = next_waiting(obj)
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
        """
        One decision on one contribution, from the buttons on its page or its row in the list;
        then on to the next contribution waiting, or back to the queue when none is left.
        """
        contribution = get_object_or_404(Contribution, pk=object_id)
        change_url = reverse("admin:debates_contribution_change", args=[contribution.pk])
        offered = {rule.action: rule for rule in services.moderators_decisions()}
        rule = offered.get(request.POST.get("decision"))
        if request.method != "POST" or rule is None:
            return HttpResponseRedirect(change_url)
        if not self.has_moderate_permission(request):
            raise Http404
        from_list = request.POST.get("from") == "list"
        reason = chosen_reason(request, contribution.language)
        if rule.needs_reason and not reason:
            return self.reason_page(
                request,
                rule,
                [contribution],
                missing_reason=not from_list or bool(request.POST.get("apply")),
            )
        version = request.POST.get("version", "")
        done, refusals = services.decide_many(
            contributions=[contribution],
            action=rule.action,
            actor=request.user,
            reason=reason,
            versions={contribution.pk: int(version)} if version.isdigit() else None,
        )
        for refusal in refusals:
            self.message_user(request, refusal, messages.ERROR)
        if not done:
            return HttpResponseRedirect(queue_url() if from_list else change_url)
        self.message_user(
            request,
            _("%(decision)s: “%(contribution)s”.")
            % {"decision": rule.done_label, "contribution": contribution},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(self.next_url(request, contribution, from_list=from_list))

    def next_url(self, request, contribution, *, from_list):
        """The next contribution waiting (in the list or on its page), or the empty queue."""
        following = next_waiting(contribution)
        if following is None:
            self.message_user(request, _("The queue is empty: no contribution waits."))
            return queue_url()
        if from_list:
            return f"{queue_url()}#mia-contribution-{following.pk}"
        return reverse("admin:debates_contribution_change", args=[following.pk])

    def reason_page(self, request, rule, contributions, *, missing_reason, action=""):
        """Ask for the reason a decision needs, offering the saved ones."""
        languages = {c.language for c in contributions}
        return TemplateResponse(
            request,
            "admin/moderation/reason.html",
            {
                **self.admin_site.each_context(request),
                "title": rule.label,
                "opts": self.model._meta,
                "contributions": contributions,
                "rule": rule,
                "action": action,
                "missing_reason": missing_reason,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                # One language among them: a saved reason can fill the field in it.
                "saved_reasons": saved_reasons(languages.pop() if len(languages) == 1 else ""),
                "version": request.POST.get("version", ""),
                "from_list": request.POST.get("from") == "list",
                "cancel_url": request.get_full_path()
                if action
                else queue_url()
                if request.POST.get("from") == "list"
                else reverse("admin:debates_contribution_change", args=[contributions[0].pk]),
            },
        )

    def attachment_view(self, request, object_id):
        contribution = get_object_or_404(Contribution, pk=object_id)
        if not self.has_view_permission(request, contribution):
            raise Http404
        return paper_response(contribution)

    # Actions on the queue -------------------------------------------------------------------

    def decide_selected(self, request, queryset, rule):
        """Ask for the reason first where the decision needs one, then decide on each row."""
        reason = request.POST.get("reason", "").strip()
        selected = list(queryset)
        reasons = {}
        if rule.needs_reason and not reason:
            # A saved reason alone reaches each contributor in the language they wrote in.
            reasons = {c.pk: chosen_reason(request, c.language) for c in selected}
        if rule.needs_reason and not (
            request.POST.get("apply") and (reason or all(reasons.values()))
        ):
            return self.reason_page(
                request,
                rule,
                selected,
                missing_reason=bool(request.POST.get("apply")),
                action=request.POST.get("action"),
            )
        done, refusals = services.decide_many(
            contributions=selected,
            action=rule.action,
            actor=request.user,
            reason=reason,
            reasons=reasons,
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


def queue_url():
    return reverse("admin:moderation_queueentry_changelist")


def next_waiting(contribution: Contribution) -> Contribution | None:
    """The contribution that has waited longest, other than this one."""
    return (
        Contribution.objects.awaiting_moderation()
        .exclude(pk=contribution.pk)
        .order_by("confirmed_at", "pk")
        .first()
    )


def saved_reasons(language: str) -> list[tuple[SavedReason, str]]:
    """The reasons on offer, each with its text in the language given ("" for none)."""
    return [
        (reason, reason.text_in(language) if language else "")
        for reason in SavedReason.objects.filter(is_active=True)
    ]


def chosen_reason(request, language: str) -> str:
    """The reason as written; where none was, the text of the saved reason picked."""
    reason = request.POST.get("reason", "").strip()
    picked = request.POST.get("saved_reason", "")
    if reason or not picked.isdigit():
        return reason
    saved = SavedReason.objects.filter(pk=picked, is_active=True).first()
    return saved.text_in(language).strip() if saved else ""


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
        return [name for name in super().get_list_display(request) if name != "status_label"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(status=Status.PENDING)

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
        return HttpResponseRedirect(reverse("admin:debates_contribution_change", args=[object_id]))

    def changelist_view(self, request, extra_context=None):
        return admin.ModelAdmin.changelist_view(
            self,
            request,
            {
                "title": _("Contributions waiting for a decision"),
                **self.queue_context(request, showing_queue=True),
                **(extra_context or {}),
            },
        )
