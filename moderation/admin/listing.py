"""
The list of contributions on the desk: its columns, its order, and what its template needs.

The columns are plain functions of a contribution, so that the queue and the list of all
contributions share them, and the contribution's page can show a column (the spam hints) too.
"""

import threading

from django.contrib import admin
from django.db.models import Case, IntegerField, OuterRef, Subquery, Value, When
from django.utils.html import format_html, format_html_join, strip_tags
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from debates.models import Contribution
from moderation import services
from moderation.admin.base import button_class, contribution_admin_url, desk_title, paper_link
from moderation.models import Decision
from moderation.services import blocking, reports
from moderation.spam import spam_hints

# How many words of a contribution the queue shows before "read it all".
EXCERPT_WORDS = 40

# The block rules read once for the list being drawn in this thread (see read_rules_once).
_listing = threading.local()

Status = Contribution.Status


def with_version(queryset):
    """Each contribution with its version (its latest decision), which a row's decision carries."""
    latest = Decision.objects.filter(contribution=OuterRef("pk")).order_by("-pk")
    return queryset.annotate(version=Subquery(latest.values("pk")[:1], output_field=IntegerField()))


def ordering():
    """
    Pending first, the longest waiting at the top; then the rest, newest first. Within a status,
    the more open readers' reports, the higher. Expressions rather than annotations, because
    other admin pages that list contributions (a decision's page) order by this too.
    """
    queue_order = Case(
        When(status=Status.PENDING, then=Value(0)),
        When(status=Status.UNCONFIRMED, then=Value(2)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return [
        queue_order.asc(),
        reports.open_reports_count().desc(),
        "confirmed_at",
        "-submitted_at",
    ]


# The tag of the messages about a decision taken in a row, which the list shows above its rows
# (where the eye is, and the next contribution waiting) rather than at the top of the page.
DECIDED_TAG = "mia-decided"


def list_context(*, showing_queue: bool, can_moderate: bool) -> dict:
    """What the list's template needs beyond Django's: its title, the row forms, the empty queue."""
    return {
        "title": _("Contributions waiting for a decision")
        if showing_queue
        else _("All contributions"),
        "showing_queue": showing_queue,
        "queue_is_empty": showing_queue and not Contribution.objects.awaiting_moderation().exists(),
        "can_moderate": can_moderate,
    }


def read_rules_once():
    """The list's rows are checked against the block rules read once, not once a row."""
    _listing.rules = list(blocking.active_rules())


def forget_rules():
    """One contribution's page looks its rules up afresh."""
    _listing.rules = None


class PickFilter(admin.SimpleListFilter):
    """The editors' picks, or the contributions that are not."""

    title = gettext_lazy("editors' picks")
    parameter_name = "pick"

    def lookups(self, request, model_admin):
        return [("yes", _("editors' pick")), ("no", _("not an editors' pick"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(picked_at__isnull=self.value() == "no")
        return queryset


# The columns ------------------------------------------------------------------------------------


@admin.display(description=gettext_lazy("status"), ordering="status")
def status_label(obj):
    status = format_html(
        '<span class="mia-status mia-status-{}">{}</span>', obj.status, obj.get_status_display()
    )
    if not obj.is_picked:
        return status
    return format_html('{} <span class="mia-pick">{}</span>', status, _("editors' pick"))


@admin.display(description=gettext_lazy("contribution"))
def text(obj):
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
        contribution_admin_url(obj.pk),
        desk_title(obj),
        excerpt,
        whole,
    )


@admin.display(description=gettext_lazy("question"), ordering="question__position")
def question_title(obj):
    return obj.question.title


@admin.display(description=gettext_lazy("sender"), ordering="author_name")
def sender(obj):
    return format_html(
        '{}<span class="mia-affiliation">{}</span>', obj.author_name, obj.affiliation
    )


@admin.display(description=gettext_lazy("waiting"), ordering="confirmed_at")
def waiting(obj):
    if obj.status != Status.PENDING or not obj.confirmed_at:
        return "–"
    return timesince(obj.confirmed_at, depth=1)


@admin.display(description=gettext_lazy("spam hints"))
def hints(obj):
    found = spam_hints(obj, rules=getattr(_listing, "rules", None))
    return format_html_join(", ", '<span class="mia-hint">{}</span>', ((h,) for h in found)) or "–"


@admin.display(description="PDF")
def has_paper(obj):
    """The paper to download, or a quiet mark where there is none: no paper is not an error."""
    if not obj.attachment:
        return format_html(
            '<span class="mia-none" aria-hidden="true">–</span><span class="mia-hidden">{}</span>',
            _("no paper"),
        )
    return paper_link(obj, "PDF")


@admin.display(description=gettext_lazy("decision"))
def decision_buttons(obj):
    """
    The decisions the row's status (and pick) allows, as buttons of the row's own form. That
    form sits outside the list's form (forms cannot nest), so the buttons name it.
    """
    return format_html_join(
        "",
        '<button type="submit" form="mia-decide-{}" name="decision" value="{}" class="{}">'
        "{}</button>",
        (
            (obj.pk, rule.action, button_class(rule), rule.label)
            for rule in services.moderators_decisions(obj.status, is_picked=obj.is_picked)
        ),
    )


COLUMNS = [status_label, text, question_title, sender, waiting, hints, has_paper]
