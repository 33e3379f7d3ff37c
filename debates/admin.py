"""The webmaster's tools for the site's content: workshops, talks, speakers, paper, questions."""

import json

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from debates.models import (
    AccessibilityStatement,
    Paper,
    Paragraph,
    Question,
    Speaker,
    Talk,
    Workshop,
)
from debates.versions_admin import VersionedAdmin


class StackedInline(admin.StackedInline):
    """
    An inline whose link for one more form is a phrase of its own (`add_another`). Django words
    it "Add another <name>" for every model, which Danish cannot: the article follows the noun's
    gender ("endnu et oplæg", "endnu en oplægsholder"), and the name must not be capitalised.
    """

    add_another = None


class NamedInlinesAdmin(admin.ModelAdmin):
    """An admin whose inlines' "add another" links say their own phrase (StackedInline)."""

    def get_inline_formsets(self, request, formsets, inline_instances, obj=None):
        inline_formsets = super().get_inline_formsets(request, formsets, inline_instances, obj)
        for inline_formset in inline_formsets:
            phrase = getattr(inline_formset.opts, "add_another", None)
            if phrase:
                data = json.loads(inline_formset.inline_formset_data())
                data["options"]["addText"] = str(phrase)
                inline_formset.inline_formset_data = lambda data=data: json.dumps(data)
        return inline_formsets


class TalkInline(StackedInline):
    model = Talk
    add_another = _("Add another talk")
    extra = 0
    fields = ["position", "title", "speakers", "summary", "material"]
    autocomplete_fields = ["speakers"]
    show_change_link = True


@admin.register(Workshop)
class WorkshopAdmin(NamedInlinesAdmin, VersionedAdmin):
    list_display = ["number", "title", "theme", "held_on", "place", "talk_count"]
    list_display_links = ["number", "title"]
    search_fields = ["title", "theme", "place", "description"]
    ordering = ["number"]
    inlines = [TalkInline]
    version_children = ((Talk, "workshop"),)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(talk_count=Count("talks"))

    @admin.display(description=_("talks"), ordering="talk_count")
    def talk_count(self, obj):
        return obj.talk_count


@admin.register(Speaker)
class SpeakerAdmin(VersionedAdmin):
    list_display = ["name", "title", "organisation"]
    search_fields = ["name", "title", "organisation"]
    ordering = ["name"]


@admin.register(Talk)
class TalkAdmin(VersionedAdmin):
    list_display = ["title", "workshop", "speaker_names", "position", "has_material"]
    list_filter = ["workshop"]
    search_fields = ["title", "summary", "speakers__name"]
    ordering = ["workshop__number", "position"]
    autocomplete_fields = ["speakers"]
    list_select_related = ["workshop"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("speakers")

    @admin.display(description=_("speakers"))
    def speaker_names(self, obj):
        return ", ".join(speaker.name for speaker in obj.speakers.all())

    @admin.display(description=_("material"), boolean=True)
    def has_material(self, obj):
        return bool(obj.material)


class ParagraphInline(StackedInline):
    model = Paragraph
    add_another = _("Add another paragraph")
    extra = 0
    fields = ["position", "text", "talk"]


@admin.register(Paper)
class PaperAdmin(NamedInlinesAdmin, VersionedAdmin):
    list_display = ["title", "workshop"]
    search_fields = ["title", "introduction", "paragraphs__text"]
    inlines = [ParagraphInline]
    version_children = ((Paragraph, "paper"), (Question, "paper"))


@admin.register(Question)
class QuestionAdmin(VersionedAdmin):
    list_display = ["position", "title", "paper", "is_open", "reply_count"]
    list_display_links = ["position", "title"]
    list_filter = ["is_open", "paper"]
    search_fields = ["title", "text", "slug"]
    ordering = ["paper", "position"]
    prepopulated_fields = {"slug": ["title"]}
    list_select_related = ["paper"]
    fields = ["paper", "paragraph", "position", "title", "text", "slug", "is_open", "synthesis"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_reply_counts()

    @admin.display(description=_("published replies"), ordering="reply_count")
    def reply_count(self, obj):
        return obj.reply_count


@admin.register(AccessibilityStatement)
class AccessibilityStatementAdmin(VersionedAdmin):
    """One statement, kept current: it can be changed, never added twice or deleted."""

    list_display = ["__str__", "compliance", "reviewed_on"]
    fields = [
        "compliance",
        "known_gaps_da",
        "known_gaps_en",
        "feedback_email",
        "prepared_on",
        "reviewed_on",
    ]

    def has_add_permission(self, request):
        return not AccessibilityStatement.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False
