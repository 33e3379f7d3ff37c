"""
What the forum's mails say, and to whom: to contributors (confirm your address, published,
rejected, taken down, sent back for revision, made an editors' pick), to followers (confirm, new
contributions, the question closed), to anyone who asks for their data, and to the editors (a new
contribution waits). Each is rendered in its reader's language, as plain text with an HTML
alternative, and handed to the outbox (moderation/outbox.py), which sends it once the caller's
transaction has committed.
"""

import logging
from email.headerregistry import Address

from django.conf import settings
from django.contrib.auth import get_user_model
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from debates.models import Contribution
from debates.threads import contribution_url, with_thread_pages
from moderation import outbox
from moderation.models import OutgoingMail, Subscription
from moderation.roles import MODERATE_PERMISSION
from moderation.text import one_line
from moderation.tokens import make_token

logger = logging.getLogger(__name__)


def absolute_url(path: str) -> str:
    return f"{settings.MIA_SITE_URL}{path}"


def signed_url(viewname: str, value: int | str, purpose: str, language: str) -> str:
    """A link for one thing and one purpose (see tokens.py), opening pages in `language`."""
    with translation.override(language):
        return absolute_url(reverse(viewname, kwargs={"token": make_token(value, purpose)}))


def personal_data_page_url(language: str) -> str:
    with translation.override(language):
        return absolute_url(reverse("moderation:personal-data"))


def public_url(contribution: Contribution) -> str:
    with translation.override(contribution.language):
        return absolute_url(contribution_url(contribution))


def admin_url(contribution: Contribution) -> str:
    return absolute_url(reverse("admin:debates_contribution_change", args=[contribution.pk]))


def editor_addresses() -> list[str]:
    """The webmaster's address, and those of active moderators who have one."""
    moderators = (
        get_user_model()
        .objects.with_perm(MODERATE_PERMISSION, include_superusers=False)
        .filter(is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    addresses = [settings.MIA_WEBMASTER_EMAIL, *moderators]
    return list(dict.fromkeys(a for a in addresses if a))


# What each mail says -------------------------------------------------------------------------


def queue_confirmation(contribution: Contribution) -> OutgoingMail:
    url = signed_url(
        "moderation:contribution-confirm", contribution.pk, "confirm", contribution.language
    )
    return _queue_to_contributor(
        contribution,
        OutgoingMail.Kind.CONFIRMATION,
        {"confirm_url": url, "valid_days": settings.MIA_CONFIRMATION_DAYS},
    )


def queue_published(contribution: Contribution) -> OutgoingMail:
    return _queue_to_contributor(
        contribution, OutgoingMail.Kind.PUBLISHED, {"public_url": public_url(contribution)}
    )


def queue_rejected(contribution: Contribution) -> OutgoingMail:
    return _queue_to_contributor(contribution, OutgoingMail.Kind.REJECTED, {})


def queue_unpublished(contribution: Contribution) -> OutgoingMail:
    return _queue_to_contributor(contribution, OutgoingMail.Kind.UNPUBLISHED, {})


def queue_sent_back(contribution: Contribution) -> OutgoingMail:
    """The editors' note, quoted, and the link to the form that holds the contributor's text."""
    url = signed_url(
        "moderation:contribution-revise", contribution.pk, "revise", contribution.language
    )
    return _queue_to_contributor(
        contribution,
        OutgoingMail.Kind.SENT_BACK,
        {
            "note": contribution.rejection_reason,
            "revise_url": url,
            "valid_days": settings.MIA_REVISION_DAYS,
        },
    )


def queue_picked(contribution: Contribution) -> OutgoingMail:
    return _queue_to_contributor(
        contribution, OutgoingMail.Kind.PICKED, {"public_url": public_url(contribution)}
    )


def queue_follow_confirmation(subscription: Subscription) -> OutgoingMail:
    url = signed_url("moderation:follow-confirm", subscription.pk, "follow", subscription.language)
    context = {
        "question": subscription.question,
        "confirm_url": url,
        "valid_days": settings.MIA_CONFIRMATION_DAYS,
    }
    return _compose(
        OutgoingMail.Kind.FOLLOW_CONFIRMATION,
        None,
        [subscription.email],
        subscription.language,
        context,
    )


def queue_follow_notice(subscription: Subscription, contributions) -> OutgoingMail:
    """One mail to a follower for everything published for them in one batch."""
    with translation.override(subscription.language):
        items = [(c, absolute_url(c.thread_url)) for c in with_thread_pages(contributions)]
    context = {
        "subscription": subscription,
        "question": subscription.thread,
        "followed": subscription.contribution,
        "items": items,
    }
    return _queue_to_follower(subscription, OutgoingMail.Kind.FOLLOW_NOTICE, context)


def queue_question_closed(subscription: Subscription) -> OutgoingMail:
    """A follower of a question hears that it has closed, with the editors' synthesis."""
    with translation.override(subscription.language):
        question_url = absolute_url(subscription.question.get_absolute_url())
    context = {"question": subscription.question, "question_url": question_url}
    return _queue_to_follower(subscription, OutgoingMail.Kind.QUESTION_CLOSED, context)


def queue_data_export(email: str, language: str) -> OutgoingMail:
    url = signed_url("moderation:personal-data-download", email, "personal-data", language)
    return _compose(
        OutgoingMail.Kind.DATA_EXPORT,
        None,
        [email],
        language,
        {"download_url": url, "valid_days": settings.MIA_CONFIRMATION_DAYS},
    )


def queue_new_contribution(contribution: Contribution) -> OutgoingMail | None:
    """Tell the editors that a confirmed contribution waits in the queue (in Danish)."""
    recipients = editor_addresses()
    if not recipients:
        logger.warning(
            "No address to tell of contribution %s; set MIA_WEBMASTER_EMAIL.", contribution.pk
        )
        return None
    waiting = Contribution.objects.awaiting_moderation().count()
    return _compose(
        OutgoingMail.Kind.NEW_CONTRIBUTION,
        contribution,
        recipients,
        settings.LANGUAGE_CODE,
        {
            "question": contribution.question,
            "admin_url": admin_url(contribution),
            "waiting": waiting,
        },
    )


# Who gets it, and in which words ----------------------------------------------------------------


def _queue_to_contributor(contribution, kind, context):
    if not contribution.author_email:
        return None
    to = str(Address(display_name=contribution.author_name, addr_spec=contribution.author_email))
    context = {
        "question": contribution.question,
        # The author's link to withdraw; it works for as long as the mail is kept.
        "withdraw_url": signed_url(
            "moderation:contribution-withdraw", contribution.pk, "withdraw", contribution.language
        ),
        "data_url": personal_data_page_url(contribution.language),
        **context,
    }
    return _compose(kind, contribution, [to], contribution.language, context)


def _queue_to_follower(subscription, kind, context):
    """Every mail to a follower carries the link to stop, in its text and for mail programs."""
    unsubscribe = signed_url(
        "moderation:follow-unsubscribe", subscription.pk, "unsubscribe", subscription.language
    )
    headers = {
        "List-Unsubscribe": f"<{unsubscribe}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    return _compose(
        kind,
        None,
        [subscription.email],
        subscription.language,
        {**context, "unsubscribe_url": unsubscribe},
        headers,
    )


def _compose(kind, contribution, recipients, language, context, headers=None):
    context = {
        "contribution": contribution,
        "site_url": settings.MIA_SITE_URL,
        "institution": settings.MIA_INSTITUTION,
        **context,
    }
    with translation.override(language):
        subject = render_to_string(f"moderation/email/{kind}_subject.txt", context)
        body_text = render_to_string(f"moderation/email/{kind}.txt", context)
        body_html = render_to_string(f"moderation/email/{kind}.html", context)
    return outbox.queue(
        kind=kind,
        contribution=contribution,
        recipients=recipients,
        language=language,
        subject=one_line(subject),
        body_text=body_text.strip() + "\n",
        body_html=body_html,
        headers=headers,
    )
