"""The contributor's way in: write, preview, send, and confirm the address by the mailed link."""

import functools
import logging
from contextlib import nullcontext

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from debates.attachments import pdf_filename
from debates.cache import public_page
from debates.markup import render_markdown
from debates.models import Contribution, Question
from moderation import services, throttle
from moderation.forms import ContributionForm, EmailForm, ReportForm, RevisionForm
from moderation.models import Subscription
from moderation.personal_data import collect_personal_data, for_reading, held_about
from moderation.services import staging
from moderation.tokens import (
    CONFIRMATION_PERIOD,
    REVISION_PERIOD,
    ExpiredLink,
    InvalidLink,
    read_token,
)

SENT_SESSION_KEY = "moderation.sent_contribution"

logger = logging.getLogger(__name__)


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
        if is_valid and "preview" in request.POST:
            if throttle.admit(request, form, limits=throttle.PREVIEW):
                preview_html = render_markdown(form.cleaned_data["body"])
        elif is_valid and throttle.admit(request, form, email=form.cleaned_data["author_email"]):
            try:
                contribution = _submit(request, form, question, parent)
            except services.ModerationError as error:
                form.add_error(None, str(error))
            else:
                request.session[SENT_SESSION_KEY] = contribution.pk
                return redirect("moderation:contribution-sent")
        _carry_attachment(request, form, park=preview_html is not None or not is_valid)
    elif request.method == "POST":
        return _closed_meanwhile(request, question, form)
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


def _closed_meanwhile(request, question, form):
    """
    The question closed while the visitor wrote: their text comes back to them in the form, which
    now sends it to the general debate (if that is open) instead.
    """
    form.is_valid()
    _carry_attachment(request, form, park=True)
    general = Question.objects.general().open().filter(paper=question.paper_id).first()
    return render(
        request,
        "moderation/contribution_closed.html",
        {"question": question, "general": general, "form": form, "section": "debate"},
        status=409,
    )


def _carry_attachment(request, form, *, park):
    """
    The paper the page carries to the next request, so that a preview or a field to correct does
    not lose it: a new upload is parked when `park`, within the staging limits. A refused request
    (over a limit, or the question closed) writes nothing, and asks for a new upload again.
    """
    data = form.cleaned_data
    staged = staging.read(data.get("attachment_token", ""))
    upload = data.get("attachment")
    if staged and (upload or data.get("remove_attachment")):
        staging.discard(staged)
        staged = None
    if upload and park:
        visitor = throttle.network_of(throttle.client_ip(request))
        try:
            staged = staging.park(upload, visitor=visitor)
        except staging.StagingFull:
            form.add_error(
                "attachment",
                _(
                    "The site holds as many unsent files as it can just now, so “%(name)s” "
                    "was not kept. Attach it again when you send."
                )
                % {"name": upload.name},
            )
    elif upload:
        form.add_error(
            "attachment",
            _("“%(name)s” was not kept. Attach it again when you send.") % {"name": upload.name},
        )
    form.carry_staged(staged)


def _submit(request, form, question, parent):
    """Send the contribution with the paper just attached, or else the one parked before."""
    data = form.cleaned_data
    upload = data["attachment"]
    staged = staging.read(data["attachment_token"])
    if upload:
        paper, name = nullcontext(upload), upload.name
    elif staged and not data["remove_attachment"]:
        paper, name = staged.open(), staged.name
    else:
        paper, name = nullcontext(), ""
    with paper as attachment:
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
            attachment_name=pdf_filename(name) if attachment else "",
            language=request.LANGUAGE_CODE,
            submitter_ip=throttle.client_ip(request),
            is_honeypot_tripped=bool(data["website"]),
            wants_reply_notice=data["wants_reply_notice"],
        )
    if staged:
        staging.discard(staged)
    return contribution


def contribution_sent(request, *, resent=False):
    """What happens next, for whoever has just sent a contribution or asked for a new link."""
    pk = request.session.get(SENT_SESSION_KEY)
    contribution = Contribution.objects.filter(pk=pk).select_related("question").first()
    if contribution is None:
        raise Http404
    return render(
        request,
        "moderation/link_resent.html" if resent else "moderation/contribution_sent.html",
        {
            "contribution": contribution,
            "valid_days": settings.MIA_CONFIRMATION_DAYS,
            "section": "debate",
        },
    )


# The links in our mails ------------------------------------------------------------------------
# A link's POST redirects to the link's outcome page (`done`), which a reload cannot repeat;
# the link itself, opened again later, says that it has been used.


def signed_link(purpose, *, max_age=CONFIRMATION_PERIOD):
    """
    The view gets what the link names, after the token. A link that was altered, or made for
    something else, gets a page that says so (400); an expired one, a page with the way on (410).
    """

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, token, **kwargs):
            try:
                value = read_token(token, purpose, max_age=max_age)
            except InvalidLink:
                return render(request, "moderation/link_invalid.html", status=400)
            except ExpiredLink:
                way_on = _after_expiry(purpose, token)
                return render(request, "moderation/link_expired.html", way_on, status=410)
            return view(request, token, value, **kwargs)

        return wrapped

    return decorator


def _after_expiry(purpose, token):
    if purpose == "confirm":
        return {"resend_url": reverse("moderation:contribution-resend", args=[token])}
    if purpose == "personal-data":
        return {"retry_url": reverse("moderation:personal-data")}
    if purpose == "revise":
        return {"revision_days": settings.MIA_REVISION_DAYS}
    return {}


@signed_link("confirm")
def contribution_confirm(request, token, pk, *, done=False):
    """The holder of a confirmation link confirms (POST) what the page shows them (GET)."""
    contribution = get_object_or_404(Contribution.objects.select_related("question"), pk=pk)
    context = {"contribution": contribution, "section": "debate"}
    if contribution.status != Contribution.Status.UNCONFIRMED:
        context["again"] = not done
        return render(request, "moderation/contribution_confirmed.html", context)
    if done:
        return redirect("moderation:contribution-confirm", token)
    if request.method == "POST":
        try:
            services.confirm_contribution(contribution=contribution)
        except services.TransitionNotAllowed:
            # Another click confirmed it a moment ago; the link's page now says it has been used.
            return redirect("moderation:contribution-confirm", token)
        return redirect("moderation:contribution-confirmed", token)
    return render(request, "moderation/contribution_confirm.html", context)


@require_POST
@signed_link("confirm", max_age=None)
def contribution_resend(request, token, pk):
    """A genuine but expired confirmation link can ask for a fresh one, sent to the same address."""
    contribution = Contribution.objects.filter(pk=pk).select_related("question").first()
    if contribution is None:
        # Never-confirmed contributions are deleted some time after their link expired.
        return render(request, "moderation/link_gone.html", status=410)
    try:
        services.resend_confirmation(contribution=contribution)
    except services.TransitionNotAllowed:
        return render(
            request,
            "moderation/contribution_confirmed.html",
            {"contribution": contribution, "again": True},
        )
    request.session[SENT_SESSION_KEY] = contribution.pk
    return redirect("moderation:contribution-resent")


@signed_link("withdraw", max_age=None)
def contribution_withdraw(request, token, pk, *, done=False):
    """The author, by the link in our mails, withdraws a contribution (GET shows, POST does)."""
    contribution = get_object_or_404(Contribution.objects.select_related("question"), pk=pk)
    if contribution.status == Contribution.Status.WITHDRAWN:
        return render(
            request,
            "moderation/contribution_withdrawn.html",
            {"contribution": contribution, "again": not done},
        )
    if done:
        return redirect("moderation:contribution-withdraw", token)
    if request.method == "POST":
        # Something else may change it first: a second click, or an editor's decision.
        try:
            services.withdraw(contribution=contribution)
        except services.ModerationError as error:
            return render(
                request,
                "moderation/contribution_withdraw_conflict.html",
                {"contribution": contribution, "error": str(error), "token": token},
                status=409,
            )
        return redirect("moderation:contribution-withdrawn", token)
    return render(request, "moderation/contribution_withdraw.html", {"contribution": contribution})


@signed_link("revise", max_age=REVISION_PERIOD)
def contribution_revise(request, token, pk, *, done=False):
    """
    The author of a contribution sent back for revision, by the link in the editors' mail, sees
    their note and their text in a form (GET), and sends the revised version (POST).
    """
    contribution = get_object_or_404(Contribution.objects.select_related("question"), pk=pk)
    if contribution.status != Contribution.Status.SENT_BACK:
        return render(
            request,
            "moderation/contribution_revised.html",
            {"contribution": contribution, "again": not done, "section": "debate"},
        )
    if done:
        return redirect("moderation:contribution-revise", token)
    initial = {"title": contribution.title, "body": contribution.body}
    form = RevisionForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        paper_name=contribution.attachment_name if contribution.attachment else "",
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["attachment"]
        try:
            services.resubmit(
                contribution=contribution,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                attachment=upload,
                attachment_name=pdf_filename(upload.name) if upload else "",
            )
        except services.ModerationError as error:
            form.add_error(None, str(error))
        else:
            return redirect("moderation:contribution-revised", token)
    return render(
        request,
        "moderation/contribution_revise.html",
        {"contribution": contribution, "form": form, "section": "debate"},
        status=400 if form.errors else 200,
    )


def personal_data(request):
    """Anyone may ask for the data held about an address; the answer goes to that address."""
    form = EmailForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and throttle.admit(
            request, form, limits=throttle.DATA_REQUEST, email=form.cleaned_data["email"]
        )
    ):
        email = form.cleaned_data["email"]
        # Whether the address is known must not show in how long the page takes: the page is the
        # same for every address, and the look-up and the mail wait until it has been sent.
        return ThenResponse(
            render_to_string("moderation/personal_data_sent.html", {"email": email}, request),
            then=functools.partial(
                services.request_personal_data,
                email=email,
                language=request.LANGUAGE_CODE,
                ip=throttle.client_ip(request),
            ),
        )
    return render(
        request, "moderation/personal_data.html", {"form": form}, status=400 if form.errors else 200
    )


class ThenResponse(HttpResponse):
    """
    A page that has more to do once the visitor has it. The server closes a response when it has
    sent it, and `then` runs at that moment, before the request's database connection is let go.
    """

    def __init__(self, content, *, then, **kwargs):
        super().__init__(content, **kwargs)
        self.then = then

    def close(self):
        then, self.then = self.then, None
        if then is not None:
            try:
                then()
            except Exception:  # the page has been sent; what is left is for the log
                logger.exception("Work after sending %s failed", self)
        super().close()


@signed_link("personal-data")
def personal_data_download(request, token, email):
    """The holder of a data link reads everything held about its address, on a page of its own."""
    return _private(
        render(
            request,
            "moderation/personal_data_page.html",
            {
                "data": for_reading(held_about(email)),
                "json_url": reverse("moderation:personal-data-json", args=[token]),
                "mail_log_days": settings.MIA_MAIL_LOG_DAYS,
            },
        )
    )


@signed_link("personal-data")
def personal_data_json(request, token, email):
    """The same as a file (JSON) to keep, in the words of the page it was downloaded from."""
    response = JsonResponse(
        collect_personal_data(email),
        json_dumps_params={"ensure_ascii": False, "indent": 2},
    )
    response["Content-Disposition"] = 'attachment; filename="mia-debat-mine-data.json"'
    return _private(response)


def _private(response):
    # One person's data: kept by no cache, shown by no search engine, and its address (which
    # opens it) sent on to no other page, not even in our own logs' Referer.
    patch_cache_control(response, private=True, no_store=True, max_age=0)
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


# Following a debate ----------------------------------------------------------------------------


@require_POST
def follow_question(request, slug):
    """Anyone may follow an open question by e-mail, once they confirm the address."""
    question = get_object_or_404(Question, slug=slug)
    form = EmailForm(request.POST)
    if form.is_valid() and throttle.admit(
        request, form, limits=throttle.FOLLOW, email=form.cleaned_data["email"]
    ):
        try:
            services.follow_question(
                question=question,
                email=form.cleaned_data["email"],
                language=request.LANGUAGE_CODE,
                ip=throttle.client_ip(request),
            )
        except services.QuestionClosed as error:
            form.add_error(None, str(error))
        else:
            return render(
                request,
                "moderation/follow_sent.html",
                {"question": question, "email": form.cleaned_data["email"]},
            )
    return render(
        request, "moderation/follow_form.html", {"question": question, "form": form}, status=400
    )


@signed_link("follow")
def follow_confirm(request, token, pk, *, done=False):
    """The follower confirms the address by the mailed link (GET shows, POST confirms)."""
    subscription = _subscription(pk)
    context = {"subscription": subscription}
    if subscription.status == Subscription.Status.ACTIVE:
        return render(request, "moderation/follow_confirmed.html", context)
    if done:
        return redirect("moderation:follow-confirm", token)
    if request.method == "POST":
        try:
            services.confirm_subscription(subscription=subscription)
        except services.ModerationError as error:
            context["error"] = str(error)
            return render(request, "moderation/follow_confirm.html", context, status=409)
        return redirect("moderation:follow-confirmed", token)
    return render(request, "moderation/follow_confirm.html", context)


@csrf_exempt
@signed_link("unsubscribe", max_age=None)
def follow_unsubscribe(request, token, pk, *, done=False):
    """
    One click stops the mails: the link shows a button, and mail programs POST to it directly
    (RFC 8058), which is why the signed link, not a CSRF token, is what authorises it.
    """
    subscription = _subscription(pk)
    if request.method == "POST":
        services.unsubscribe(subscription=subscription)
        if request.POST.get("List-Unsubscribe") == "One-Click":
            # RFC 8058 forbids a redirect in the answer to a mail program.
            return render(request, "moderation/unsubscribed.html", {"subscription": subscription})
        return redirect("moderation:follow-unsubscribed", token)
    if done and subscription.status == Subscription.Status.UNSUBSCRIBED:
        return render(request, "moderation/unsubscribed.html", {"subscription": subscription})
    if done:
        return redirect("moderation:follow-unsubscribe", token)
    return render(request, "moderation/unsubscribe.html", {"subscription": subscription})


def _subscription(pk):
    queryset = Subscription.objects.select_related("question", "contribution__question")
    return get_object_or_404(queryset, pk=pk)


@public_page
def privacy(request):
    return render(
        request,
        "moderation/privacy.html",
        {
            "retention_months": settings.MIA_RETENTION_MONTHS,
            "confirmation_days": settings.MIA_CONFIRMATION_DAYS,
            "revision_days": settings.MIA_REVISION_DAYS,
            "dpo_email": settings.MIA_DPO_EMAIL,
        },
    )


@public_page
def guidelines(request):
    questions = Question.objects.open().exclude(paragraph=None).order_by("paper", "position")
    return render(
        request,
        "moderation/guidelines.html",
        {"questions": questions, "intake_email": settings.MIA_INTAKE_EMAIL},
    )


# Readers' reports ------------------------------------------------------------------------------


def contribution_report(request, pk):
    """Any reader may report a published contribution to the editors; nothing is hidden by it."""
    contribution = get_object_or_404(
        Contribution.objects.published().select_related("question"), pk=pk
    )
    form = ReportForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and throttle.admit(request, form, limits=throttle.REPORT)
    ):
        # An automated sender is thanked like a person, and nothing reaches the desk.
        if not form.cleaned_data["website"]:
            services.report_contribution(
                contribution=contribution,
                reason=form.cleaned_data["reason"],
                text=form.cleaned_data["text"],
                reporter_ip=throttle.client_ip(request),
            )
        return redirect("moderation:contribution-reported", pk=contribution.pk)
    return render(
        request,
        "moderation/report_form.html",
        {"contribution": contribution, "form": form, "section": "debate"},
        status=400 if form.errors else 200,
    )


def contribution_reported(request, pk):
    """
    The reader's thanks, after a report: what happens now. Only for a published contribution,
    so that the page says nothing of one that is not (or no longer) on the site: any other
    number, known or not, is not found.
    """
    contribution = get_object_or_404(
        Contribution.objects.published().select_related("question"), pk=pk
    )
    return render(
        request,
        "moderation/report_sent.html",
        {"contribution": contribution, "section": "debate"},
    )
