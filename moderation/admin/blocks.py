"""Blocked senders: the list of rules, and the one-click block from a contribution's page."""

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from moderation import services
from moderation.admin.base import ModerationAdmin
from moderation.models import BlockRule
from moderation.services import blocking


class BlockRuleForm(forms.ModelForm):
    class Meta:
        model = BlockRule
        fields = ["kind", "value", "reason", "expires_at", "is_active"]

    def clean(self):
        data = super().clean()
        kind, value = data.get("kind"), data.get("value")
        if kind and value:
            try:
                data["value"] = self.instance.value = blocking.normalise(kind, value)
            except ValueError as error:
                self.add_error("value", str(error))
        if kind == BlockRule.Kind.NETWORK and not data.get("expires_at"):
            self.add_error("expires_at", _("A network is blocked for a time: give an end."))
        return data


@admin.register(BlockRule)
class BlockRuleAdmin(ModerationAdmin):
    """Staff who may moderate add, end and change blocks; a rule is ended, never deleted."""

    form = BlockRuleForm
    list_display = [
        "value",
        "kind",
        "reason",
        "is_active",
        "expires_at",
        "created_by",
        "created_at",
    ]
    list_filter = ["kind", "is_active"]
    search_fields = ["value", "reason"]
    list_select_related = ["created_by"]
    readonly_fields = ["created_by", "created_at"]
    actions = ["end_selected"]

    def has_add_permission(self, request):
        return self.has_moderate_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.has_moderate_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description=gettext_lazy("End the selected blocks"), permissions=["moderate"])
    def end_selected(self, request, queryset):
        ended = queryset.filter(is_active=True).update(is_active=False)
        self.message_user(request, _("Blocks ended: %(count)d.") % {"count": ended})

    def get_urls(self):
        return [
            self.contribution_button_url(
                "sender", self.block_sender_view, "moderation_blockrule_sender"
            ),
            *super().get_urls(),
        ]

    def block_sender_view(self, request, contribution, back):
        """One click on a contribution's page blocks its sender's address, or their domain."""
        try:
            rule = services.block_sender(
                contribution=contribution, kind=request.POST.get("kind"), actor=request.user
            )
        except ValueError as error:
            self.message_user(request, str(error), messages.ERROR)
        else:
            self.message_user(
                request,
                _(
                    "Blocked: %(rule)s. Contributions confirmed from now on go to spam; "
                    "this one stays as it is."
                )
                % {"rule": rule},
                messages.SUCCESS,
            )
        return HttpResponseRedirect(back)
