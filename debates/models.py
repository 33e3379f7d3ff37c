"""
The published world: the five MIA workshops, their talks and speakers, the conclusions paper with
its open questions, and the contributions readers can see under those questions.

Only `moderation.services` changes a contribution's status; every public surface asks
`Contribution.objects.published()` what it may show.
"""

import uuid

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.files.storage import storages
from django.core.validators import FileExtensionValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from debates.cache import content_changed
from debates.markup import render_markdown
from debates.versions import ContentHistory

WORKSHOP_COUNT = 5
MARKDOWN_HELP = _(
    "Markdown, as in contributions: *italics*, **bold**, lists with “-”, “>” for a quotation."
)


class RenderedMarkdown(models.Model):
    """
    Text the webmaster writes in Markdown: each field `markdown_fields` names is rendered and
    sanitised once, when saved, into the field of the same name ending in `_html`, which the pages
    show as it is.
    """

    markdown_fields: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.render_markdown()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            rendered = {f"{name}_html" for name in self.markdown_fields if name in update_fields}
            kwargs["update_fields"] = {*update_fields, *rendered}
        super().save(*args, **kwargs)

    def render_markdown(self):
        """Fill the HTML fields from the Markdown; a raw save (a fixture's) skips save()."""
        for name in self.markdown_fields:
            text = getattr(self, name)
            setattr(self, f"{name}_html", render_markdown(text) if text.strip() else "")


class Workshop(RenderedMarkdown):
    number = models.PositiveSmallIntegerField(
        _("number"),
        unique=True,
        validators=[MinValueValidator(1), MaxValueValidator(WORKSHOP_COUNT)],
    )
    title = models.CharField(_("title"), max_length=200)
    theme = models.CharField(_("theme"), max_length=200, blank=True)
    held_on = models.DateField(_("date"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True, help_text=MARKDOWN_HELP)
    description_html = models.TextField(_("description as HTML"), blank=True, editable=False)

    history = ContentHistory()

    markdown_fields = ("description",)

    class Meta:
        ordering = ["number"]
        verbose_name = _("workshop")
        verbose_name_plural = _("workshops")
        constraints = [
            models.CheckConstraint(
                condition=Q(number__gte=1, number__lte=WORKSHOP_COUNT),
                name="workshop_number_in_range",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("debates:workshop-detail", kwargs={"number": self.number})


class Speaker(models.Model):
    name = models.CharField(_("name"), max_length=200)
    title = models.CharField(
        _("title"), max_length=200, blank=True, help_text=_("For example “Direktør”.")
    )
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)

    history = ContentHistory()

    class Meta:
        ordering = ["name"]
        verbose_name = _("speaker")
        verbose_name_plural = _("speakers")

    def __str__(self):
        return self.name


class Talk(RenderedMarkdown):
    workshop = models.ForeignKey(
        Workshop, on_delete=models.CASCADE, related_name="talks", verbose_name=_("workshop")
    )
    speakers = models.ManyToManyField(
        Speaker, related_name="talks", blank=True, verbose_name=_("speakers")
    )
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"), blank=True, help_text=MARKDOWN_HELP)
    summary_html = models.TextField(_("summary as HTML"), blank=True, editable=False)
    material = models.FileField(
        _("material"),
        upload_to="talks/",
        blank=True,
        validators=[FileExtensionValidator(["pdf", "pptx", "ppt", "docx", "doc", "odp", "odt"])],
        help_text=_("Slides or a paper from the talk, shown for download."),
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    history = ContentHistory(m2m_fields=["speakers"])

    markdown_fields = ("summary",)

    class Meta:
        ordering = ["workshop__number", "position", "pk"]
        verbose_name = _("talk")
        verbose_name_plural = _("talks")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return f"{self.workshop.get_absolute_url()}#oplaeg-{self.pk}"

    @property
    def speakers_not_named(self):
        """The speakers the title does not already name, as in “Oplæg ved Charlotte Münter”."""
        return [speaker for speaker in self.speakers.all() if speaker.name not in self.title]


class Paper(RenderedMarkdown):
    """The conclusions of a workshop, whose paragraphs end in the questions under debate."""

    workshop = models.OneToOneField(
        Workshop,
        on_delete=models.PROTECT,
        related_name="paper",
        verbose_name=_("concludes workshop"),
    )
    title = models.CharField(_("title"), max_length=200)
    introduction = models.TextField(
        _("introduction"),
        blank=True,
        help_text=format_lazy(
            "{} {}", _("The forum's invitation, shown above the paper."), MARKDOWN_HELP
        ),
    )
    introduction_html = models.TextField(_("introduction as HTML"), blank=True, editable=False)

    history = ContentHistory()

    markdown_fields = ("introduction",)

    class Meta:
        ordering = ["workshop__number"]
        verbose_name = _("conclusions paper")
        verbose_name_plural = _("conclusions papers")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("debates:paper-detail", kwargs={"number": self.workshop.number})


class Paragraph(RenderedMarkdown):
    paper = models.ForeignKey(
        Paper, on_delete=models.CASCADE, related_name="paragraphs", verbose_name=_("paper")
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    text = models.TextField(
        _("text"),
        help_text=format_lazy(
            "{} {}",
            _("The paragraph up to its open question; the question is entered on its own."),
            MARKDOWN_HELP,
        ),
    )
    text_html = models.TextField(_("text as HTML"), blank=True, editable=False)
    talk = models.ForeignKey(
        Talk,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="paragraphs",
        verbose_name=_("about the talk"),
    )

    history = ContentHistory()

    markdown_fields = ("text",)

    class Meta:
        ordering = ["paper", "position", "pk"]
        verbose_name = _("paragraph")
        verbose_name_plural = _("paragraphs")

    def __str__(self):
        return f"{self.paper} ¶{self.position}"


class QuestionQuerySet(models.QuerySet):
    def update(self, **kwargs):
        """An update in bulk is a change readers see, as a save is (debates/signals.py)."""
        changed = super().update(**kwargs)
        if changed:
            content_changed()
        return changed

    def open(self):
        return self.filter(is_open=True)

    def general(self):
        return self.filter(paragraph__isnull=True)

    def with_reply_counts(self):
        """Annotate `reply_count`: how many published contributions each question has."""
        published = (
            Contribution.objects.published()
            .filter(question=OuterRef("pk"))
            .order_by()
            .values("question")
            .annotate(count=Count("pk"))
            .values("count")
        )
        return self.annotate(reply_count=Coalesce(Subquery(published), 0))

    def with_last_publication(self):
        """Annotate `last_published_at`: when a contribution was last published under each."""
        latest = (
            Contribution.objects.published()
            .filter(question=OuterRef("pk"))
            .order_by("-published_at")
            .values("published_at")[:1]
        )
        return self.annotate(last_published_at=Subquery(latest))

    def with_first_version(self):
        """Annotate `first_version_at`: when each was first put on the site (None if unknown)."""
        first = (
            Question.history.filter(id=OuterRef("pk"))
            .order_by("history_date")
            .values("history_date")[:1]
        )
        return self.annotate(first_version_at=Subquery(first))


class Question(RenderedMarkdown):
    """
    An open question under debate. The paper as a whole ("new angles, critique, or something
    else entirely") is one more question, with no paragraph: the general debate.
    """

    paper = models.ForeignKey(
        Paper, on_delete=models.PROTECT, related_name="questions", verbose_name=_("paper")
    )
    paragraph = models.OneToOneField(
        Paragraph,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="question",
        verbose_name=_("paragraph"),
        help_text=_("The paragraph the question ends. Empty for the general debate."),
    )
    title = models.CharField(
        _("short title"), max_length=200, help_text=_("Shown in lists and links.")
    )
    text = models.TextField(_("question"))
    slug = models.SlugField(
        _("address"), max_length=80, unique=True, help_text=_("The last part of the page address.")
    )
    position = models.PositiveSmallIntegerField(_("number"), default=0)
    is_open = models.BooleanField(
        _("open for contributions"),
        default=True,
        help_text=_("A closed question keeps its thread but takes no new contributions."),
    )
    synthesis = models.TextField(
        _("synthesis"),
        blank=True,
        help_text=_(
            "The editors' summing-up of the debate, shown at the top of the thread. Markdown, "
            "as in contributions: *italics*, **bold**, lists with “-”, “>” for a quotation."
        ),
    )
    synthesis_html = models.TextField(_("synthesis as HTML"), blank=True, editable=False)

    objects = QuestionQuerySet.as_manager()
    history = ContentHistory()

    markdown_fields = ("synthesis",)

    class Meta:
        ordering = ["paper", "position", "pk"]
        verbose_name = _("open question")
        verbose_name_plural = _("open questions")
        constraints = [
            models.UniqueConstraint(
                fields=["paper"],
                condition=Q(paragraph__isnull=True),
                name="one_general_debate_per_paper",
                violation_error_message=_("This paper already has a general debate."),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("debates:question-detail", kwargs={"slug": self.slug})

    @property
    def is_general(self):
        return self.paragraph_id is None


class ContributionQuerySet(models.QuerySet):
    def published(self):
        """What readers may see: the one rule every public page, feed and file URL uses."""
        return self.filter(status=Contribution.Status.PUBLISHED)

    def awaiting_moderation(self):
        return self.filter(status=Contribution.Status.PENDING)

    def picks(self):
        """The editors' picks, the latest first: published ones only, as the constraint insists."""
        return self.published().filter(picked_at__isnull=False).order_by("-picked_at", "-pk")

    # Saves in bulk send no signals; published contributions made or changed so are still seen.
    def bulk_create(self, objs, *args, **kwargs):
        made = super().bulk_create(objs, *args, **kwargs)
        if any(c.status == Contribution.Status.PUBLISHED for c in made):
            content_changed()
        return made

    def bulk_update(self, objs, *args, **kwargs):
        objs = list(objs)
        changed = super().bulk_update(objs, *args, **kwargs)
        if any(c.status == Contribution.Status.PUBLISHED for c in objs):
            content_changed()
        return changed


def contribution_files():
    """Attachments are private: they are only ever served by a view that checks publication."""
    return storages["contributions"]


def contribution_file_name(instance, filename):
    # The contributor's file name is kept in attachment_name; on disk the name is unguessable.
    return f"{uuid.uuid4().hex}.pdf"


class ContributionStatus(models.TextChoices):
    UNCONFIRMED = "unconfirmed", _("awaiting confirmation")
    PENDING = "pending", _("pending")
    PUBLISHED = "published", _("published")
    REJECTED = "rejected", _("rejected")
    SPAM = "spam", _("spam")
    WITHDRAWN = "withdrawn", _("withdrawn")
    # Sent back to its author with a note; their revised version returns to the queue.
    SENT_BACK = "sent_back", _("sent back for revision")


class Contribution(models.Model):
    """A comment or a paper sent in by a contributor, in reply to a question or to a reply."""

    # Defined at module level so that Meta's constraint can name the values too.
    Status = ContributionStatus

    class Source(models.TextChoices):
        WEB = "web", _("web form")
        EMAIL = "email", _("e-mail")

    question = models.ForeignKey(
        Question,
        on_delete=models.PROTECT,
        related_name="contributions",
        verbose_name=_("question"),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replies",
        verbose_name=_("in reply to"),
    )
    depth = models.PositiveSmallIntegerField(
        _("depth"), default=1, editable=False, help_text=_("1 for a reply to the question.")
    )
    in_reply_to = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="answers",
        verbose_name=_("written in reply to"),
        help_text=_(
            "The contribution the reply was written to. Threads nest only so deep, so a reply "
            "to a deep one hangs under its ancestor and says whom it answers."
        ),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status, default=Status.UNCONFIRMED, db_index=True
    )
    source = models.CharField(_("received by"), max_length=8, choices=Source, default=Source.WEB)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )

    author_name = models.CharField(_("name"), max_length=200)
    author_email = models.EmailField(_("e-mail"), blank=True)
    author_organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    author_title = models.CharField(_("job title"), max_length=200, blank=True)
    submitter_ip = models.GenericIPAddressField(_("sent from IP address"), null=True, blank=True)

    title = models.CharField(_("title"), max_length=200, blank=True)
    body = models.TextField(_("text"), help_text=_("Markdown."))
    body_html = models.TextField(_("text as HTML"), blank=True, editable=False)
    original_title = models.CharField(
        _("title as sent"), max_length=200, blank=True, editable=False
    )
    original_body = models.TextField(_("text as sent"), blank=True, editable=False)
    attachment = models.FileField(
        _("paper (PDF)"),
        storage=contribution_files,
        upload_to=contribution_file_name,
        blank=True,
    )
    attachment_name = models.CharField(_("file name of the paper"), max_length=255, blank=True)
    is_honeypot_tripped = models.BooleanField(
        _("filled in the hidden field"),
        default=False,
        editable=False,
        help_text=_("A field people cannot see was filled in: a sign of an automated sender."),
    )
    rejection_reason = models.TextField(_("reason given to the contributor"), blank=True)
    message_id = models.CharField(
        _("Message-ID of the mail"),
        max_length=998,
        blank=True,
        editable=False,
        help_text=_("For contributions sent by e-mail; the same mail is never taken in twice."),
    )
    intake_note = models.TextField(
        _("note from the mail intake"),
        blank=True,
        editable=False,
        help_text=_("What the mail intake could not keep, such as attachments that are not PDFs."),
    )

    submitted_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("address confirmed"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    edited_at = models.DateTimeField(_("edited by the editors"), null=True, blank=True)
    announced_at = models.DateTimeField(_("followers told"), null=True, blank=True, editable=False)
    anonymised_at = models.DateTimeField(
        _("personal data removed"), null=True, blank=True, editable=False
    )
    picked_at = models.DateTimeField(
        _("editors' pick since"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Shown first on its question's page, on the home page and in the picks' feed."),
    )
    # On PostgreSQL a trigger fills these from the title, the text shown (body_html) and the name
    # on every write (migration search_visible_text_and_trigrams), so that queryset updates keep
    # them current too; elsewhere they stay empty.
    search_vector = SearchVectorField(_("search words"), null=True, editable=False)
    search_text = models.TextField(_("searched text"), default="", editable=False)

    objects = ContributionQuerySet.as_manager()

    class Meta:
        ordering = ["submitted_at", "pk"]
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ContributionStatus.values),
                name="contribution_status_valid",
            ),
            models.CheckConstraint(condition=Q(depth__gte=1), name="contribution_depth_positive"),
            models.UniqueConstraint(
                fields=["message_id"],
                condition=~Q(message_id=""),
                name="contribution_mail_taken_in_once",
            ),
            # A pick is something readers see: whatever takes a contribution off the site ends it.
            models.CheckConstraint(
                condition=Q(picked_at__isnull=True) | Q(status=ContributionStatus.PUBLISHED),
                name="contribution_picked_only_if_published",
            ),
        ]
        indexes = [
            # A thread's outline is read from this index alone on PostgreSQL (an index-only
            # scan), never from the wide rows with their texts.
            models.Index(
                fields=["question", "status"],
                include=["parent", "published_at", "depth", "picked_at"],
                name="contribution_outline",
            ),
            # The latest published, for the home page and the feeds.
            models.Index(
                F("published_at").desc(),
                F("id").desc(),
                condition=Q(status=ContributionStatus.PUBLISHED),
                name="contribution_latest",
            ),
            # The latest picks, for the home page and their feed.
            models.Index(
                F("picked_at").desc(),
                F("id").desc(),
                condition=Q(picked_at__isnull=False),
                name="contribution_picks",
            ),
        ]

    def __str__(self):
        return self.title or _("Contribution by %(name)s") % {"name": self.author_name}

    def get_absolute_url(self):
        """
        Its lasting address, which leads to the page of the thread that shows it; pages that know
        the thread's outline link to that page directly (debates.threads.contribution_url).
        """
        return reverse("debates:contribution-permalink", kwargs={"pk": self.pk})

    @property
    def anchor(self):
        return f"indlaeg-{self.pk}"

    @property
    def affiliation(self):
        return ", ".join(part for part in (self.author_title, self.author_organisation) if part)

    @property
    def is_withdrawn(self):
        """Withdrawn by its author, as opposed to removed by the editors."""
        return self.status == ContributionStatus.WITHDRAWN

    @property
    def is_edited(self):
        return self.edited_at is not None

    @property
    def is_picked(self):
        """An editors' pick: shown first on its question's page and on the home page."""
        return self.picked_at is not None


class AccessibilityCompliance(models.TextChoices):
    FULL = "full", _("fully compliant")
    PARTIAL = "partial", _("partially compliant")
    NONE = "none", _("not compliant")


class AccessibilityStatement(RenderedMarkdown):
    """
    The facts of the site's accessibility statement that change: how well it complies, what is
    known not to, whom to tell, and when it was last looked at. The webmaster keeps them current;
    the page around them (the standard, the law, the complaint route) is the template's.
    """

    # Defined at module level so that Meta's constraint can name the values too.
    Compliance = AccessibilityCompliance

    compliance = models.CharField(
        _("compliance"), max_length=8, choices=Compliance, default=Compliance.PARTIAL
    )
    known_gaps_da = models.TextField(
        _("known gaps (Danish)"),
        blank=True,
        help_text=format_lazy(
            "{} {}",
            _("What does not yet meet the standard, and why. One paragraph per gap."),
            MARKDOWN_HELP,
        ),
    )
    known_gaps_da_html = models.TextField(
        _("known gaps (Danish) as HTML"), blank=True, editable=False
    )
    known_gaps_en = models.TextField(_("known gaps (English)"), blank=True, help_text=MARKDOWN_HELP)
    known_gaps_en_html = models.TextField(
        _("known gaps (English) as HTML"), blank=True, editable=False
    )
    feedback_email = models.EmailField(
        _("address for feedback"),
        blank=True,
        help_text=_("Where readers report barriers. Empty: the webmaster's address."),
    )
    prepared_on = models.DateField(_("statement prepared"))
    reviewed_on = models.DateField(_("last reviewed"))

    history = ContentHistory()

    markdown_fields = ("known_gaps_da", "known_gaps_en")

    class Meta:
        verbose_name = _("accessibility statement")
        verbose_name_plural = _("accessibility statement")
        constraints = [
            models.CheckConstraint(
                condition=Q(compliance__in=AccessibilityCompliance.values),
                name="accessibility_compliance_valid",
            ),
        ]

    def __str__(self):
        return str(_("Accessibility statement"))

    def get_absolute_url(self):
        return reverse("debates:accessibility")

    def known_gaps_in(self, language):
        """The known gaps as (HTML, its language): the reader's, or Danish if none is written."""
        if language == "en" and self.known_gaps_en_html:
            return self.known_gaps_en_html, "en"
        return self.known_gaps_da_html, "da"

    def compliance_sentence(self):
        return {
            AccessibilityCompliance.FULL: _("The site is fully compliant with WCAG 2.1 level AA."),
            AccessibilityCompliance.PARTIAL: _(
                "The site is partially compliant with WCAG 2.1 level AA: the gaps listed below "
                "do not yet meet it."
            ),
            AccessibilityCompliance.NONE: _(
                "The site is not yet compliant with WCAG 2.1 level AA. The gaps are listed below."
            ),
        }[self.compliance]
