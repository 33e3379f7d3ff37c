"""
A contribution's page on the desk: the form that edits it, and what the page shows beyond its
fields (the text as readers will see it, its paper, the history, the sender's other contributions).

The text and its paper come first, beside the decision; the fields to edit it follow.
"""

from django import forms
from django.contrib import admin
from django.utils.html import escape, format_html, format_html_join
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from debates.models import Contribution, Question
from moderation import services
from moderation.admin import decisions, listing, reading
from moderation.admin.base import contribution_admin_url, paper_link
from moderation.services.transitions import ChangedSinceOpened, lock_unchanged

# The form's fields that the webmaster may edit, where the status allows it.
EDITED_FIELDS = ["question", "title", "body"]


class ContributionAdminForm(forms.ModelForm):
    """
    The editable fields. What they save, and a decision pressed with them, is checked here
    before anything is saved: refused, the page comes back with the changes still in it.
    """

    # Set per request by the admin: the decision a button on the page asked for (a
    # decisions.PageDecision), and the version of the contribution the page showed.
    decision = None
    opened_version = None

    class Meta:
        model = Contribution
        fields = EDITED_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "question" in self.fields:
            self.fields["question"].queryset = Question.objects.select_related("paper")
        for name in EDITED_FIELDS:
            if name in self.fields:
                # A change is what this page changed, not what differs from the stored text.
                self.fields[name].show_hidden_initial = True

    def clean_question(self):
        question = self.cleaned_data["question"]
        if self.instance.pk and question.pk != self.instance.question_id:
            try:
                services.check_can_move(self.instance, question)
            except services.ModerationError as error:
                raise forms.ValidationError(str(error)) from error
        return question

    def clean(self):
        cleaned_data = super().clean()
        if self.errors or not (self.decision is not None or self.has_changed()):
            return cleaned_data
        try:
            if self.opened_version is not None:
                # Locked until the page's transaction ends: nothing changes before we save.
                lock_unchanged(self.instance, self.opened_version)
            if self.decision is not None:
                decisions.check_on_page(self.instance, self.decision)
        except ChangedSinceOpened as error:
            self.show_changes_made_meanwhile()
            message = str(error) if self.decision else decisions.not_saved(error.latest)
            raise forms.ValidationError(message) from error
        except services.ModerationError as error:
            raise forms.ValidationError(str(error)) from error
        return cleaned_data

    def show_changes_made_meanwhile(self):
        """
        The page comes back after someone else changed the contribution: the fields this page
        left alone show what is stored now, those it changed keep their new value, and its
        changes now count from what is stored.
        """
        stored = Contribution.objects.get(pk=self.instance.pk)
        changed = set(self.changed_data)
        data = self.data.copy()
        for name in EDITED_FIELDS:
            if name in self.fields:
                now = self.fields[name].prepare_value(getattr(stored, name))
                if name not in changed:
                    data[name] = now
                data[self.add_initial_prefix(name)] = now
        self.data = data


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


READONLY_FIELDS = [
    "status",
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
    "picked_at",
    listing.hints,
    "intake_note",
    "message_id",
    sender_history,
    history,
]

FIELDSETS = [
    (gettext_lazy("Contribution"), {"fields": ["question", parent_link, "title", "body"]}),
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
                "picked_at",
                history,
            ]
        },
    ),
]


def may_edit(contribution: Contribution | None, *, can_moderate: bool) -> bool:
    """Whether the page's text fields are open: to a moderator, while the status allows edits."""
    return contribution is not None and can_moderate and contribution.status in services.EDITABLE


def page_context(contribution: Contribution, request, *, can_moderate: bool) -> dict:
    """
    What the top of the page shows: the text as stored (not as the form may hold it after a
    refusal), its paper, and to a moderator the decisions with what they need.
    """
    stored = Contribution.objects.select_related("question").get(pk=contribution.pk)
    context = {
        "preview": rendered(stored),
        "paper": paper_link(stored),
        "stored": stored,
        "revision": reading.last_revision(stored),
    }
    if can_moderate:
        context.update(decisions.page_context(stored, request))
        context["may_edit"] = may_edit(stored, can_moderate=True)
    return context


def changes_saved(form) -> str:
    """The message that a decision's unsaved changes were saved first, naming the fields."""
    fields = [str(form.fields[name].label).lower() for name in form.changed_data]
    return _("Your changes (%(fields)s) were saved first, as an edit.") % {
        "fields": get_text_list(fields, _("and"))
    }
