"""What the queue leaves behind: the decisions, the mail sent, and the followers."""

from django.contrib import admin
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from moderation import outbox
from moderation.admin.base import RecordAdmin
from moderation.models import Decision, OutgoingMail, Subscription


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["email", "question", "contribution", "status", "created_at", "confirmed_at"]
    list_filter = ["status", "question"]
    search_fields = ["email"]
    list_select_related = ["question", "contribution"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Decision)
class DecisionAdmin(RecordAdmin):
    list_display = [
        "created_at",
        "contribution",
        "action",
        "from_status",
        "to_status",
        "actor_label",
        "reason",
    ]
    list_filter = ["action", "to_status", "created_at"]
    search_fields = ["contribution__title", "contribution__author_name", "actor_name", "reason"]
    date_hierarchy = "created_at"
    list_select_related = ["contribution"]

    @admin.display(description=gettext_lazy("by"), ordering="actor_name")
    def actor_label(self, obj):
        return obj.actor_name or _("the contributor")


@admin.register(OutgoingMail)
class OutgoingMailAdmin(RecordAdmin):
    list_display = ["created_at", "kind", "subject", "sent_at", "attempts", "last_error"]
    list_filter = ["kind", ("sent_at", admin.EmptyFieldListFilter)]
    search_fields = ["subject", "recipients"]
    readonly_fields = [
        "kind",
        "contribution",
        "recipients",
        "subject",
        "text",
        "created_at",
        "sent_at",
        "attempts",
        "last_error",
    ]
    # The mail as sent (for retries) holds the recipient's personal links; the desk shows the text
    # with them hidden, so that nobody at the desk can act as the contributor.
    exclude = ["body_text", "body_html", "headers"]
    actions = ["send_now"]

    @admin.display(description=gettext_lazy("text"))
    def text(self, obj):
        return outbox.redacted(obj.body_text)

    @admin.action(
        description=gettext_lazy("Try to send the selected unsent mail now"),
        permissions=["moderate"],
    )
    def send_now(self, request, queryset):
        sent, failed = outbox.send_queued(ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request, _("Sent: %(sent)d. Failed: %(failed)d.") % {"sent": sent, "failed": failed}
        )
