"""
The desk's decisions: one contribution's, from the buttons on its page or its row in the list,
and many at once, from the list's actions; with the page that asks for a reason where one is
needed. Each calls services.decide_many, which takes its rules from the table of decisions.

A button on a contribution's page belongs to the page's own form, so that a decision pressed
with unsaved changes to the text takes them along: they are saved first, as an edit, and the
decision follows. Whatever the rules refuse is refused before anything is saved.
"""

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import Resolver404, resolve
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from debates.models import Contribution
from moderation import services
from moderation.admin.base import button_class, contribution_admin_url, desk_title, queue_url
from moderation.admin.listing import DECIDED_TAG
from moderation.models import SavedReason
from moderation.services.decisions import history_sentence
from moderation.services.transitions import check_allowed, required_reason, version_of

# The lists a decision in a row may return to, with their filters.
_LISTS = {"admin:debates_contribution_changelist", "admin:moderation_queueentry_changelist"}


def bulk_action(rule):
    """The list's action that takes one of a moderator's decisions on the selected rows."""

    def action(modeladmin, request, queryset):
        return decide_selected(modeladmin, request, queryset, rule)

    action.__name__ = f"decide_{rule.action}"
    return admin.action(description=rule.bulk_label, permissions=["moderate"])(action)


def offered(action: str | None) -> services.Rule | None:
    """The moderator's decision of that name, if there is one."""
    return next((r for r in services.moderators_decisions() if r.action == action), None)


# One contribution, from its row --------------------------------------------------------------


def decide_one(modeladmin, request, contribution, back):
    """
    One decision on one contribution from its row in a list (or the reason page a row led
    to): then back to that list, where the confirmation stands above the rows and the next
    contribution waiting comes first. Posted from anywhere else, on to the next one's page.
    """
    rule = offered(request.POST.get("decision"))
    if rule is None:
        return HttpResponseRedirect(back)
    from_list = request.POST.get("from") == "list"
    reason = chosen_reason(request, contribution.language)
    if rule.needs_reason and not reason:
        return reason_page(
            modeladmin,
            request,
            rule,
            [contribution],
            missing_reason=not from_list or bool(request.POST.get("apply")),
        )
    version = request.POST.get("version", "")
    tags = DECIDED_TAG if from_list else ""
    done, refusals = services.decide_many(
        contributions=[contribution],
        action=rule.action,
        actor=request.user,
        reason=reason,
        versions={contribution.pk: int(version)} if version.isdigit() else None,
    )
    for refusal in refusals:
        modeladmin.message_user(request, refusal, messages.ERROR, extra_tags=tags)
    if done:
        tell_decided(modeladmin, request, rule, contribution, extra_tags=tags)
    if not from_list:
        return HttpResponseRedirect(next_page(modeladmin, request, contribution) if done else back)
    # An emptied queue says so in its list.
    return HttpResponseRedirect(f"{list_url(request)}#{DECIDED_TAG}")


def tell_decided(modeladmin, request, rule, contribution, *, extra_tags=""):
    """The confirmation of a decision, naming the contribution as its row does."""
    modeladmin.message_user(
        request,
        _("%(decision)s: “%(contribution)s”.")
        % {"decision": rule.done_label, "contribution": desk_title(contribution)},
        messages.SUCCESS,
        extra_tags=extra_tags,
    )


def list_url(request) -> str:
    """The list (with its filters) that a row's decision came from; the queue if none we know."""
    url = urlsplit(request.POST.get("list", ""))
    if not url.scheme and not url.netloc and url.path.startswith("/"):
        try:
            match = resolve(url.path)
        except Resolver404:
            match = None
        if match is not None and match.view_name in _LISTS:
            return f"{url.path}?{url.query}" if url.query else url.path
    return queue_url()


def next_page(modeladmin, request, contribution):
    """The page of the next contribution waiting, or the queue when none is left."""
    following = next_waiting(contribution)
    if following is None:
        modeladmin.message_user(request, _("The queue is empty: no contribution waits."))
        return queue_url()
    return contribution_admin_url(following.pk)


# One contribution, from its page --------------------------------------------------------------


@dataclass(frozen=True)
class PageDecision:
    """A decision pressed on a contribution's page, with the reason it sent."""

    rule: services.Rule
    reason: str


def pressed_on_page(request, contribution: Contribution | None) -> PageDecision | None:
    """The decision a button on the contribution's page asked for, if one did."""
    rule = offered(request.POST.get("decision")) if request.method == "POST" else None
    if rule is None or contribution is None:
        return None
    return PageDecision(rule=rule, reason=chosen_reason(request, contribution.language))


def opened_version(request) -> int | None:
    """The version of the contribution that the page showed (version_of), if it sent one."""
    version = request.POST.get("version", "") if request.method == "POST" else ""
    return int(version) if version.isdigit() else None


def not_saved(latest) -> str:
    """What a page says when its changes are refused because `latest` came first."""
    change = history_sentence(latest).rstrip(".") if latest else ""
    return _(
        "Not saved: it has changed since you opened it (%(change)s). Your changes are kept "
        "below; look at it again before you save."
    ) % {"change": change}


def check_on_page(contribution: Contribution, decision: PageDecision) -> None:
    """
    Refuse (ModerationError), before anything on the page is saved, a decision the rules would
    refuse: one the status (or the pick) does not allow, or one without the reason it needs.
    """
    status, picked_at = Contribution.objects.values_list("status", "picked_at").get(
        pk=contribution.pk
    )
    check_allowed(decision.rule.action, status, is_picked=picked_at is not None)
    if decision.rule.needs_reason:
        required_reason(decision.reason)


def decide_on_page(modeladmin, request, contribution, decision: PageDecision):
    """
    Take the decision pressed on the page, once its changes are saved: then on to the next
    contribution waiting, or back to the queue when none is left.
    """
    done, refusals = services.decide_many(
        contributions=[contribution],
        action=decision.rule.action,
        actor=request.user,
        reason=decision.reason,
    )
    for refusal in refusals:
        modeladmin.message_user(request, refusal, messages.ERROR)
    if not done:
        return HttpResponseRedirect(contribution_admin_url(contribution.pk))
    tell_decided(modeladmin, request, decision.rule, contribution)
    return HttpResponseRedirect(next_page(modeladmin, request, contribution))


# Many contributions, from the list's actions ---------------------------------------------------


def decide_selected(modeladmin, request, queryset, rule):
    """Ask for the reason first where the decision needs one, then decide on each row."""
    reason = request.POST.get("reason", "").strip()
    selected = list(queryset)
    reasons = {}
    if rule.needs_reason and not reason:
        # A saved reason alone reaches each contributor in the language they wrote in.
        reasons = {c.pk: chosen_reason(request, c.language) for c in selected}
    if rule.needs_reason and not (request.POST.get("apply") and (reason or all(reasons.values()))):
        return reason_page(
            modeladmin,
            request,
            rule,
            selected,
            missing_reason=bool(request.POST.get("apply")),
            action=request.POST.get("action"),
        )
    done, refusals = services.decide_many(
        contributions=selected,
        action=rule.action,
        actor=request.user,
        reason=reason,
        reasons=reasons,
    )
    if done:
        modeladmin.message_user(
            request,
            ngettext(
                "%(decision)s: %(count)d contribution.",
                "%(decision)s: %(count)d contributions.",
                done,
            )
            % {"decision": rule.done_label, "count": done},
            messages.SUCCESS,
        )
    for refusal in refusals:
        modeladmin.message_user(request, refusal, messages.WARNING)
    return None


def reason_page(modeladmin, request, rule, contributions, *, missing_reason, action=""):
    """Ask for the reason a decision needs, offering the saved ones."""
    languages = {c.language for c in contributions}
    from_list = request.POST.get("from") == "list"
    if action:
        cancel_url = request.get_full_path()
    else:
        cancel_url = list_url(request) if from_list else contribution_admin_url(contributions[0].pk)
    return TemplateResponse(
        request,
        "admin/moderation/reason.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": rule.label,
            "opts": modeladmin.model._meta,
            "contributions": contributions,
            "rule": rule,
            "action": action,
            "missing_reason": missing_reason,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            # One language among them: a saved reason can fill the field in it.
            "saved_reasons": saved_reasons(languages.pop() if len(languages) == 1 else ""),
            "version": request.POST.get("version", ""),
            "from_list": from_list,
            "list_url": request.POST.get("list", ""),
            "cancel_url": cancel_url,
        },
    )


def page_context(contribution: Contribution, request) -> dict:
    """
    What the decision panel on a contribution's page shows a moderator: after a refusal, the
    reason as it was written and the saved reason as it was picked.
    """
    decisions = services.moderators_decisions(contribution.status, is_picked=contribution.is_picked)
    return {
        "decisions": [(rule, button_class(rule)) for rule in decisions],
        "reason_text": request.POST.get("reason", ""),
        "picked_reason": request.POST.get("saved_reason", ""),
        "reason_required_to": get_text_list(
            [str(rule.verb) for rule in decisions if rule.needs_reason], _("or")
        ),
        "saved_reasons": saved_reasons(contribution.language),
        "version": version_of(contribution),
        "next_waiting": next_waiting(contribution),
    }


def next_waiting(contribution: Contribution) -> Contribution | None:
    """The contribution that has waited longest, other than this one."""
    return (
        Contribution.objects.awaiting_moderation()
        .exclude(pk=contribution.pk)
        .order_by("confirmed_at", "pk")
        .first()
    )


def saved_reasons(language: str) -> list[tuple[SavedReason, str]]:
    """The reasons on offer, each with its text in the language given ("" for none)."""
    return [
        (reason, reason.text_in(language) if language else "")
        for reason in SavedReason.objects.filter(is_active=True)
    ]


def chosen_reason(request, language: str) -> str:
    """The reason as written; where none was, the text of the saved reason picked."""
    reason = request.POST.get("reason", "").strip()
    picked = request.POST.get("saved_reason", "")
    if reason or not picked.isdigit():
        return reason
    saved = SavedReason.objects.filter(pk=picked, is_active=True).first()
    return saved.text_in(language).strip() if saved else ""
