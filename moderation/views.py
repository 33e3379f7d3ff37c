"""The contributor's way in: write, preview, send, and confirm the address by the mailed link."""

from django.conf import settings
from django.core.cache import cache
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from debates.markup import render_markdown
from debates.models import Contribution, Question
from moderation import services
from moderation.forms import ContributionForm
from moderation.tokens import ExpiredLink, InvalidLink, read_token

SENT_SESSION_KEY = "moderation.sent_contribution"


def contribution_new(request, slug, parent=None):
    """Anyone may write to an open question, or reply to a published contribution on it."""
    question = get_object_or_404(Question.objects.select_related("paper"), slug=slug)
    parent = (
        get_object_or_404(Contribution.objects.published(), pk=parent, question=question)
        if parent
        else None
    )
    form = ContributionForm(request.POST or None, request.FILES or None)
    preview_html = None
    if request.method == "POST" and question.is_open:
        is_valid = form.is_valid()
        form.keep_attachment()
        if is_valid and "preview" in request.POST:
            preview_html = render_markdown(form.cleaned_data["body"])
        elif is_valid and _too_many_submissions(request):
            form.add_error(
                None, _("You have sent many contributions in a short time. Try again in an hour.")
            )
        elif is_valid:
            try:
                contribution = _submit(request, form, question, parent)
            except services.ModerationError as error:
                form.add_error(None, str(error))
            else:
                request.session[SENT_SESSION_KEY] = contribution.pk
                return redirect("moderation:contribution-sent")
    return render(
        request,
        "moderation/contribution_form.html",
        {
            "question": question,
            "parent": parent,
            "form": form,
            "preview_html": preview_html,
            "section": "debate",
        },
        status=200 if form.is_bound is False or not form.errors else 400,
    )


def _submit(request, form, question, parent):
    data = form.cleaned_data
    attachment, attachment_name = form.attachment_file()
    contribution = services.submit_contribution(
        question=question,
        parent=parent,
        author_name=data["author_name"],
        author_email=data["author_email"],
        author_title=data["author_title"],
        author_organisation=data["author_organisation"],
        title=data["title"],
        body=data["body"],
        attachment=attachment,
        attachment_name=attachment_name,
        language=request.LANGUAGE_CODE,
        submitter_ip=request.META.get("REMOTE_ADDR"),
        is_honeypot_tripped=bool(data["website"]),
    )
    form.discard_staged()
    _count_submission(request)
    return contribution


def _throttle_key(request):
    return f"moderation:submissions:{request.META.get('REMOTE_ADDR', '')}"


def _too_many_submissions(request):
    return cache.get(_throttle_key(request), 0) >= settings.MIA_SUBMISSIONS_PER_HOUR


def _count_submission(request):
    key = _throttle_key(request)
    cache.add(key, 0, timeout=60 * 60)
    cache.incr(key)


def contribution_sent(request):
    """What happens next, for the person who has just sent a contribution."""
    pk = request.session.get(SENT_SESSION_KEY)
    contribution = Contribution.objects.filter(pk=pk).select_related("question").first()
    if contribution is None:
        raise Http404
    return render(
        request,
        "moderation/contribution_sent.html",
        {
            "contribution": contribution,
            "valid_days": settings.MIA_CONFIRMATION_DAYS,
            "section": "debate",
        },
    )


def contribution_confirm(request, token):
    """The holder of a confirmation link confirms (POST) what the page shows them (GET)."""
    try:
        pk = read_token(token, "confirm")
    except InvalidLink:
        return render(request, "moderation/link_invalid.html", status=400)
    except ExpiredLink:
        return render(request, "moderation/link_expired.html", {"token": token}, status=410)
    contribution = get_object_or_404(Contribution.objects.select_related("question"), pk=pk)
    context = {"contribution": contribution, "token": token, "section": "debate"}
    if contribution.status != Contribution.Status.UNCONFIRMED:
        return render(request, "moderation/contribution_confirmed.html", {**context, "again": True})
    if request.method == "POST":
        try:
            services.confirm_contribution(contribution=contribution)
        except services.TransitionNotAllowed:
            return render(
                request, "moderation/contribution_confirmed.html", {**context, "again": True}
            )
        return render(request, "moderation/contribution_confirmed.html", context)
    return render(request, "moderation/contribution_confirm.html", context)


@require_POST
def contribution_resend(request, token):
    """A genuine but expired confirmation link can ask for a fresh one, sent to the same address."""
    try:
        pk = read_token(token, "confirm")
    except InvalidLink:
        return render(request, "moderation/link_invalid.html", status=400)
    except ExpiredLink as expired:
        pk = expired.contribution_id
    contribution = get_object_or_404(Contribution, pk=pk)
    try:
        services.resend_confirmation(contribution=contribution)
    except services.TransitionNotAllowed:
        return render(
            request,
            "moderation/contribution_confirmed.html",
            {"contribution": contribution, "again": True},
        )
    return render(request, "moderation/link_resent.html", {"contribution": contribution})


def privacy(request):
    return render(
        request,
        "moderation/privacy.html",
        {
            "retention_months": settings.MIA_RETENTION_MONTHS,
            "confirmation_days": settings.MIA_CONFIRMATION_DAYS,
            "dpo_email": settings.MIA_DPO_EMAIL,
        },
    )


def guidelines(request):
    return render(request, "moderation/guidelines.html")
