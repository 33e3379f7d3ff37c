"""
A contribution's page on the desk: the form that edits it, and what the page shows beyond its
fields (the text as readers will see it, its paper, the history, the sender's other contributions).
"""

from django import forms
from django.contrib import admin
from django.utils.html import escape, format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from debates.models import Contribution, Question
from moderation import services
from moderation.admin import listing, reading
from moderation.admin.base import contribution_admin_url


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


# What the page shows beyond the form's fields -------------------------------------------------


@admin.display(description=gettext_lazy("text as published"))
def rendered(obj):
    # A frame of its own, so that the site's stylesheets apply and the admin's do not. It may
    # not run scripts; it shares our origin only so that the page can fit its height.
    return format_html(
        '<iframe class="mia-preview" title="{}" sandbox="allow-same-origin allow-popups '
        'allow-popups-to-escape-sandbox" srcdoc="{}"></iframe>',
        _("The contribution as readers will see it"),
        escape(reading.preview_document(obj)),
    )


@admin.display(description="PDF")
def paper_link(obj):
    if not obj.attachment:
        return "–"
    return format_html(
        '<a href="{}">{}</a>',
        contribution_admin_url(obj.pk, "attachment"),
        obj.attachment_name or "paper.pdf",
    )


@admin.display(description=gettext_lazy("in reply to"))
def parent_link(obj):
    if not obj.parent_id:
        return "–"
    return format_html('<a href="{}">{}</a>', contribution_admin_url(obj.parent_id), obj.parent)


@admin.display(description=gettext_lazy("history"))
def history(obj):
    return format_html(
        '<ol class="mia-history">{}</ol>',
        format_html_join("", "<li>{}</li>", ((line,) for line in reading.history(obj))),
    )


@admin.display(description=gettext_lazy("the sender's other contributions"))
def sender_history(obj):
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
                contribution_admin_url(other.pk),
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


# The form's fields that the webmaster may edit, where the status allows it.
EDITED_FIELDS = ["question", "title", "body"]

READONLY_FIELDS = [
    "status",
    rendered,
    paper_link,
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
    parent_link,
    "submitted_at",
    "confirmed_at",
    "decided_at",
    "published_at",
    "edited_at",
    listing.hints,
    "intake_note",
    "message_id",
    sender_history,
    history,
]

FIELDSETS = [
    (gettext_lazy("Contribution"), {"fields": ["question", parent_link, "title", "body"]}),
    (gettext_lazy("As readers will see it"), {"fields": [rendered, paper_link]}),
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
                listing.hints,
                "intake_note",
                "message_id",
                sender_history,
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
                history,
            ]
        },
    ),
]


def may_edit(contribution: Contribution | None, *, can_moderate: bool) -> bool:
    """Whether the page's text fields are open: to a moderator, while the status allows edits."""
    return contribution is not None and can_moderate and contribution.status in services.EDITABLE
