"""
The desk's decisions: one contribution's, from the buttons on its page or its row in the list,
and many at once, from the list's actions; with the page that asks for a reason where one is
needed. Each calls services.decide_many, which takes its rules from the table of decisions.
"""

from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from debates.models import Contribution
from moderation import services
from moderation.admin.base import contribution_admin_url, queue_url
from moderation.models import SavedReason
from moderation.services.transitions import version_of


def bulk_action(rule):
    """The list's action that takes one of a moderator's decisions on the selected rows."""

    def action(modeladmin, request, queryset):
        return decide_selected(modeladmin, request, queryset, rule)

    action.__name__ = f"decide_{rule.action}"
    return admin.action(description=rule.bulk_label, permissions=["moderate"])(action)


def decide_one(modeladmin, request, contribution, back):
    """
    One decision on one contribution, from the buttons on its page or its row in the list;
    then on to the next contribution waiting, or back to the queue when none is left.
    """
    offered = {rule.action: rule for rule in services.moderators_decisions()}
    rule = offered.get(request.POST.get("decision"))
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
    done, refusals = services.decide_many(
        contributions=[contribution],
        action=rule.action,
        actor=request.user,
        reason=reason,
        versions={contribution.pk: int(version)} if version.isdigit() else None,
    )
    for refusal in refusals:
        modeladmin.message_user(request, refusal, messages.ERROR)
    if not done:
        return HttpResponseRedirect(queue_url() if from_list else back)
    modeladmin.message_user(
        request,
        _("%(decision)s: “%(contribution)s”.")
        % {"decision": rule.done_label, "contribution": contribution},
        messages.SUCCESS,
    )
    return HttpResponseRedirect(next_url(modeladmin, request, contribution, from_list=from_list))


def next_url(modeladmin, request, contribution, *, from_list):
    """The next contribution waiting (in the list or on its page), or the empty queue."""
    following = next_waiting(contribution)
    if following is None:
        modeladmin.message_user(request, _("The queue is empty: no contribution waits."))
        return queue_url()
    if from_list:
        return f"{queue_url()}#mia-contribution-{following.pk}"
    return contribution_admin_url(following.pk)


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
        cancel_url = queue_url() if from_list else contribution_admin_url(contributions[0].pk)
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
            "cancel_url": cancel_url,
        },
    )


def page_context(contribution: Contribution) -> dict:
    """What the decision panel on a contribution's page shows a moderator."""
    decisions = services.moderators_decisions(contribution.status)
    return {
        "decisions": decisions,
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
