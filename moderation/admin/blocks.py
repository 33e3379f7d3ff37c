"""
Blocked senders: the list of rules, and the block from a contribution's page, which says how
many earlier contributions came from the address or the domain and asks to be confirmed.
"""

from dataclasses import dataclass

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from debates.models import Contribution
from moderation import services
from moderation.admin.base import ModerationAdmin
from moderation.models import BlockRule
from moderation.services import blocking

Kind = BlockRule.Kind


@dataclass
class Sharing:
    """How many other contributions came from a sender a block would catch, and how many are out."""

    total: int = 0
    published: int = 0


def sharing_sender(contribution: Contribution, kind: str) -> Sharing:
    """
    The other contributions whose sender a block of this kind (the address, or its domain) on
    this contribution's sender would catch. Each address is put to the blocking services' own
    test, so the count is what the rule would match, however addresses are compared there;
    the database only narrows them down to the addresses ending in the domain.
    """
    rule = BlockRule(kind=kind, value=blocking.normalise(kind, contribution.author_email))
    domain = contribution.author_email.rpartition("@")[2].strip().lower()
    ending = Q(author_email__iendswith=domain) | Q(
        author_email__iendswith=blocking.normalise(Kind.DOMAIN, domain)
    )
    found = Sharing()
    rows = (
        Contribution.objects.filter(ending)
        .exclude(pk=contribution.pk)
        .values("author_email", "status")
        .annotate(count=Count("pk"))
        .order_by()
    )
    for row in rows:
        if blocking.rule_for(email=row["author_email"], rules=[rule]) is not None:
            found.total += row["count"]
            if row["status"] == Contribution.Status.PUBLISHED:
                found.published += row["count"]
    return found


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
        """
        From a contribution's page, a moderator blocks its sender's address, or their domain:
        first a page says how many earlier contributions came from it, and asks to confirm.
        """
        kind = request.POST.get("kind")
        if not request.POST.get("confirmed"):
            return self.confirm_block(request, contribution, kind, back)
        try:
            rule = services.block_sender(contribution=contribution, kind=kind, actor=request.user)
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

    def confirm_block(self, request, contribution, kind, back):
        try:
            if kind not in (Kind.EMAIL, Kind.DOMAIN):
                raise ValueError(_("This contribution has no address to block."))
            sharing = sharing_sender(contribution, kind)
        except ValueError as error:
            self.message_user(request, str(error), messages.ERROR)
            return HttpResponseRedirect(back)
        address = contribution.author_email.strip()
        domain = address.rpartition("@")[2].lower()
        if kind == Kind.EMAIL:
            title = _("Block the address %(address)s") % {"address": address}
        else:
            title = _("Block the whole domain %(domain)s") % {"domain": domain}
        return TemplateResponse(
            request,
            "admin/moderation/block_sender.html",
            {
                **self.admin_site.each_context(request),
                "title": title,
                "opts": self.model._meta,
                "kind": kind,
                "address": address,
                "domain": domain,
                "sharing": sharing,
                "contribution": contribution,
                "cancel_url": back,
            },
        )
