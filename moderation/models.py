"""The record of the way in: every decision on a contribution, and the mail it caused."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from debates.models import Contribution


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


class OutgoingMail(models.Model):
    """
    A mail the site has to send. Written in the same transaction as the change that causes it
    and sent right after commit; one that could not be sent stays here for `send_queued_mail`.
    """

    class Kind(models.TextChoices):
        CONFIRMATION = "confirmation", _("confirm your address")
        NEW_CONTRIBUTION = "new_contribution", _("new contribution for the editors")
        PUBLISHED = "published", _("published")
        REJECTED = "rejected", _("rejected")
        UNPUBLISHED = "unpublished", _("unpublished")

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

    def __str__(self):
        return self.subject
