"""The record of the way in: every decision on a contribution, and the mail it caused."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from debates.models import Contribution, Question


class DecisionAction(models.TextChoices):
    SUBMITTED = "submitted", _("sent in")
    CONFIRMED = "confirmed", _("address confirmed")
    PUBLISHED = "published", _("published")
    REJECTED = "rejected", _("rejected")
    MARKED_SPAM = "marked_spam", _("marked as spam")
    REOPENED = "reopened", _("put back in the queue")
    UNPUBLISHED = "unpublished", _("unpublished")
    WITHDRAWN = "withdrawn", _("withdrawn by the contributor")
    EDITED = "edited", _("edited by the editors")
    # Sending back for revision, and what follows it.
    SENT_BACK = "sent_back", _("sent back for revision")
    RESUBMITTED = "resubmitted", _("revised by the contributor")
    REVISION_LAPSED = "revision_lapsed", _("not revised in time")
    # The editors' picks: the status stays published.
    PICKED = "picked", _("made an editors' pick")
    UNPICKED = "unpicked", _("removed from the editors' picks")


class Decision(models.Model):
    """One change to a contribution: who made it, when, from which state to which, and why."""

    # Defined at module level so that Meta's constraint can name the values too.
    Action = DecisionAction

    contribution = models.ForeignKey(
        Contribution,
        on_delete=models.CASCADE,
        related_name="decisions",
        verbose_name=_("contribution"),
    )
    action = models.CharField(_("action"), max_length=16, choices=Action)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="moderation_decisions",
        verbose_name=_("by"),
    )
    # Kept as text too, so the record survives the account being deleted.
    actor_name = models.CharField(_("by (name)"), max_length=150)
    from_status = models.CharField(
        _("from"), max_length=16, choices=Contribution.Status, blank=True
    )
    to_status = models.CharField(_("to"), max_length=16, choices=Contribution.Status)
    reason = models.TextField(_("reason or note"), blank=True)
    # A revised version replaces the text it was sent back with; that text is kept here.
    earlier_title = models.CharField(_("earlier title"), max_length=200, blank=True)
    earlier_body = models.TextField(_("earlier text"), blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("moderation decision")
        verbose_name_plural = _("moderation decisions")
        permissions = [
            (
                "moderate_contributions",
                _("Can publish, reject and otherwise moderate contributions"),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(action__in=DecisionAction.values), name="decision_action_valid"
            ),
        ]

    def __str__(self):
        return f"{self.get_action_display()}: {self.contribution} ({self.actor_name})"


class OutgoingMailKind(models.TextChoices):
    CONFIRMATION = "confirmation", _("confirm your address")
    NEW_CONTRIBUTION = "new_contribution", _("new contribution for the editors")
    PUBLISHED = "published", _("published")
    REJECTED = "rejected", _("rejected")
    UNPUBLISHED = "unpublished", _("unpublished")
    FOLLOW_CONFIRMATION = "follow_confirmation", _("confirm following")
    FOLLOW_NOTICE = "follow_notice", _("new replies for a follower")
    DATA_EXPORT = "data_export", _("link to your data")
    QUESTION_CLOSED = "question_closed", _("question closed, for a follower")
    SENT_BACK = "sent_back", _("sent back for revision")
    PICKED = "picked", _("made an editors' pick")


class OutgoingMail(models.Model):
    """
    A mail the site has to send. Written in the same transaction as the change that causes it
    and sent right after commit; one that could not be sent stays here for `send_queued_mail`.
    """

    # Defined at module level so that Meta's constraint can name the values too.
    Kind = OutgoingMailKind

    kind = models.CharField(_("kind"), max_length=24, choices=Kind)
    contribution = models.ForeignKey(
        Contribution,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mails",
        verbose_name=_("contribution"),
    )
    recipients = models.JSONField(_("to"), default=list)
    subject = models.CharField(_("subject"), max_length=300)
    body_text = models.TextField(_("text"))
    body_html = models.TextField(_("HTML"), blank=True)
    headers = models.JSONField(_("extra headers"), default=dict, blank=True)
    created_at = models.DateTimeField(_("queued"), auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("outgoing mail")
        verbose_name_plural = _("outgoing mail")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=OutgoingMailKind.values), name="outgoingmail_kind_valid"
            ),
        ]

    def __str__(self):
        return self.subject


class SubscriptionStatus(models.TextChoices):
    UNCONFIRMED = "unconfirmed", _("awaiting confirmation")
    ACTIVE = "active", _("active")
    UNSUBSCRIBED = "unsubscribed", _("unsubscribed")


class Subscription(models.Model):
    """
    Someone who wants a mail when replies are published: to a question, or to their own
    contribution. Double opt-in: nothing is sent until the address is confirmed.
    """

    Status = SubscriptionStatus

    email = models.EmailField(_("e-mail"))
    question = models.ForeignKey(
        Question,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="subscriptions",
        verbose_name=_("question"),
    )
    contribution = models.ForeignKey(
        Contribution,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="subscriptions",
        verbose_name=_("replies to the contribution"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status, default=Status.UNCONFIRMED
    )
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("follower")
        verbose_name_plural = _("followers")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=SubscriptionStatus.values),
                name="subscription_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(question__isnull=True) ^ models.Q(contribution__isnull=True),
                name="subscription_follows_one_thing",
            ),
            models.UniqueConstraint(
                fields=["email", "question"],
                condition=models.Q(question__isnull=False),
                name="subscription_once_per_question",
            ),
            models.UniqueConstraint(
                fields=["email", "contribution"],
                condition=models.Q(contribution__isnull=False),
                name="subscription_once_per_contribution",
            ),
        ]

    def __str__(self):
        return f"{self.email} → {self.question or self.contribution}"

    @property
    def is_unsubscribed(self):
        return self.status == SubscriptionStatus.UNSUBSCRIBED

    @property
    def thread(self):
        """The question whose page the followed thread is on."""
        return self.question or self.contribution.question


class SavedReason(models.Model):
    """
    A standard reason the webmaster picks when rejecting or unpublishing, in both languages; the
    contributor is sent the text in the language they wrote in, and it can be adjusted first.
    """

    title = models.CharField(_("title"), max_length=100)
    text_da = models.TextField(_("text in Danish"))
    text_en = models.TextField(_("text in English"), blank=True)
    is_active = models.BooleanField(_("offered"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("saved reason")
        verbose_name_plural = _("saved reasons")

    def __str__(self):
        return self.title

    def text_in(self, language: str) -> str:
        """The text in the given language, the Danish one where there is no English."""
        if language.startswith("en") and self.text_en.strip():
            return self.text_en
        return self.text_da


class QueueEntry(Contribution):
    """The contributions as the moderation queue shows them: the same rows, the editors' view."""

    class Meta:
        proxy = True
        verbose_name = _("contribution in the queue")
        verbose_name_plural = _("contributions in the queue")


class Viewing(models.Model):
    """Who last opened a contribution's page in the admin, so that two editors see each other."""

    contribution = models.OneToOneField(
        Contribution,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="last_viewing",
        verbose_name=_("contribution"),
    )
    viewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("opened by"),
    )
    # Kept as text too, as on a decision, so the note survives the account being deleted.
    viewed_by_name = models.CharField(_("opened by (name)"), max_length=150)
    viewed_at = models.DateTimeField(_("opened"))

    class Meta:
        verbose_name = _("last opened")
        verbose_name_plural = _("last opened")

    def __str__(self):
        return f"{self.contribution_id}: {self.viewed_by_name}"


class BlockKind(models.TextChoices):
    EMAIL = "email", _("e-mail address")
    DOMAIN = "domain", _("domain")
    NETWORK = "network", _("network address")


class BlockRule(models.Model):
    """
    A sender the webmaster will not hear from: an address, a whole domain (with its subdomains),
    or for a time a network. Their contributions are taken in as usual and go to spam on
    confirmation, with this rule as the reason; the sender is told nothing different.
    """

    Kind = BlockKind

    kind = models.CharField(_("kind"), max_length=8, choices=Kind)
    value = models.CharField(
        _("blocked"),
        max_length=255,
        help_text=_(
            "An e-mail address, a domain such as example.com (its subdomains too), or a "
            "network such as 203.0.113.0/24 or 2001:db8::/32."
        ),
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="block_rules",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(
        _("expires"),
        null=True,
        blank=True,
        help_text=_("Required for a network, which others may share or get later."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("block")
        verbose_name_plural = _("blocks")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=BlockKind.values), name="blockrule_kind_valid"
            ),
            models.CheckConstraint(
                condition=~models.Q(kind=BlockKind.NETWORK) | models.Q(expires_at__isnull=False),
                name="blockrule_network_expires",
                violation_error_message=_("A network is blocked for a time: give an end."),
            ),
        ]

    def __str__(self):
        text = f"{self.get_kind_display()} {self.value}"
        return f"{text} ({self.reason})" if self.reason else text


class ReportReason(models.TextChoices):
    PERSONAL_ATTACK = "attack", _("a personal attack")
    PERSONAL_DATA = "personal_data", _("personal data about others")
    SPAM = "spam", _("spam or advertising")
    OFF_TOPIC = "off_topic", _("off topic")
    OTHER = "other", _("something else")


class ReportStatus(models.TextChoices):
    OPEN = "open", _("open")
    DISMISSED = "dismissed", _("dismissed")
    ACTED_ON = "acted_on", _("acted on: unpublished")


class Report(models.Model):
    """
    A reader tells the editors that a published contribution should not be there. Nothing is
    hidden by a report: the webmaster dismisses it or unpublishes the contribution.
    """

    Reason = ReportReason
    Status = ReportStatus

    contribution = models.ForeignKey(
        Contribution,
        on_delete=models.CASCADE,
        related_name="reports",
        verbose_name=_("contribution"),
    )
    reason = models.CharField(_("reason"), max_length=16, choices=Reason)
    text = models.TextField(_("the reader's words"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.OPEN)
    reporter_ip = models.GenericIPAddressField(_("sent from IP address"), null=True, blank=True)
    created_at = models.DateTimeField(_("reported"), auto_now_add=True, db_index=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="decided_reports",
        verbose_name=_("decided by"),
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("reader's report")
        verbose_name_plural = _("readers' reports")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(reason__in=ReportReason.values), name="report_reason_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=ReportStatus.values), name="report_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["contribution", "status"])]

    def __str__(self):
        return f"{self.get_reason_display()}: {self.contribution}"
