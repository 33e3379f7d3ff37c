"""Everything the forum holds about one e-mail address, for the person it belongs to."""

from email.utils import getaddresses

from django.utils import timezone
from django.utils.translation import pgettext_lazy

from debates.models import Contribution
from moderation.models import OutgoingMail, Subscription

# What each entry is called in the download, in the language of the link's page.
LABELS = {
    "email": pgettext_lazy("personal data", "e-mail address"),
    "generated_at": pgettext_lazy("personal data", "generated"),
    "contributions": pgettext_lazy("personal data", "contributions"),
    "subscriptions": pgettext_lazy("personal data", "following"),
    "mails_sent": pgettext_lazy("personal data", "mails sent to you"),
    "id": pgettext_lazy("personal data", "number"),
    "question": pgettext_lazy("personal data", "question"),
    "in_reply_to": pgettext_lazy("personal data", "in reply to contribution number"),
    "status": pgettext_lazy("personal data", "status"),
    "received_by": pgettext_lazy("personal data", "received by"),
    "language": pgettext_lazy("personal data", "language"),
    "name": pgettext_lazy("personal data", "name"),
    "job_title": pgettext_lazy("personal data", "job title"),
    "organisation": pgettext_lazy("personal data", "organisation"),
    "sent_from_ip_address": pgettext_lazy("personal data", "sent from network address"),
    "title": pgettext_lazy("personal data", "title"),
    "text": pgettext_lazy("personal data", "text"),
    "title_as_sent": pgettext_lazy("personal data", "title as you sent it"),
    "text_as_sent": pgettext_lazy("personal data", "text as you sent it"),
    "paper": pgettext_lazy("personal data", "paper (file name)"),
    "reason_given": pgettext_lazy("personal data", "reason given"),
    "submitted_at": pgettext_lazy("personal data", "sent in"),
    "confirmed_at": pgettext_lazy("personal data", "address confirmed"),
    "decided_at": pgettext_lazy("personal data", "decided"),
    "published_at": pgettext_lazy("personal data", "published"),
    "edited_by_editors_at": pgettext_lazy("personal data", "edited by the editors"),
    "history": pgettext_lazy("personal data", "history"),
    "when": pgettext_lazy("personal data", "when"),
    "what": pgettext_lazy("personal data", "what"),
    "from": pgettext_lazy("personal data", "from"),
    "to": pgettext_lazy("personal data", "to"),
    "follows": pgettext_lazy("personal data", "follows"),
    "created_at": pgettext_lazy("personal data", "created"),
    "unsubscribed_at": pgettext_lazy("personal data", "unsubscribed"),
    "subject": pgettext_lazy("personal data", "subject"),
    "queued_at": pgettext_lazy("personal data", "queued"),
    "sent_at": pgettext_lazy("personal data", "sent"),
}


def collect_personal_data(email: str) -> dict:
    """A JSON-ready account of the contributions, decisions and subscriptions of an address."""
    contributions = (
        Contribution.objects.filter(author_email__iexact=email)
        .select_related("question", "parent")
        .prefetch_related("decisions")
        .order_by("submitted_at", "pk")
    )
    subscriptions = Subscription.objects.filter(email__iexact=email).select_related(
        "question", "contribution"
    )
    return _labelled(
        {
            "email": email,
            "generated_at": timezone.now().isoformat(),
            "contributions": [_contribution(c) for c in contributions],
            "subscriptions": [_subscription(s) for s in subscriptions],
            "mails_sent": _mails_to(email),
        }
    )


def _labelled(data):
    """The same data with every key put in words the reader's language uses."""
    if isinstance(data, dict):
        return {str(LABELS[key]): _labelled(value) for key, value in data.items()}
    if isinstance(data, list):
        return [_labelled(item) for item in data]
    return data


def _mails_to(email):
    """The outbox log (kept MIA_MAIL_LOG_DAYS) holds the mails sent to the address."""
    address = normalised_address(email)
    return [
        {"subject": mail.subject, "queued_at": _iso(mail.created_at), "sent_at": _iso(mail.sent_at)}
        for mail in OutgoingMail.objects.order_by("created_at")
        .only("subject", "recipients", "created_at", "sent_at")
        .iterator()
        if address in _addresses(mail.recipients)
    ]


def normalised_address(address: str) -> str:
    """
    The bare address of "Name <local@domain>" or "local@domain", lower-cased throughout, as the
    forum matches addresses without regard to case; "" when there is none.
    """
    found = _addresses([address])
    return next(iter(found)) if len(found) == 1 else ""


def _addresses(recipients):
    return {addr.strip().lower() for _name, addr in getaddresses(recipients) if "@" in addr}


def _contribution(c):
    return {
        "id": c.pk,
        "question": c.question.title,
        "in_reply_to": c.parent_id,
        "status": c.get_status_display(),
        "received_by": c.get_source_display(),
        "language": c.get_language_display(),
        "name": c.author_name,
        "email": c.author_email,
        "job_title": c.author_title,
        "organisation": c.author_organisation,
        "sent_from_ip_address": c.submitter_ip,
        "title": c.title,
        "text": c.body,
        "title_as_sent": c.original_title,
        "text_as_sent": c.original_body,
        "paper": c.attachment_name,
        "reason_given": c.rejection_reason,
        "submitted_at": _iso(c.submitted_at),
        "confirmed_at": _iso(c.confirmed_at),
        "decided_at": _iso(c.decided_at),
        "published_at": _iso(c.published_at),
        "edited_by_editors_at": _iso(c.edited_at),
        "history": [
            {
                "when": _iso(d.created_at),
                "what": d.get_action_display(),
                "from": _status_label(d.from_status),
                "to": _status_label(d.to_status),
            }
            for d in c.decisions.all()
        ],
    }


def _subscription(s):
    return {
        "follows": s.question.title
        if s.question
        else pgettext_lazy("personal data", "replies to contribution number %(number)s")
        % {"number": s.contribution_id},
        "status": s.get_status_display(),
        "created_at": _iso(s.created_at),
        "confirmed_at": _iso(s.confirmed_at),
        "unsubscribed_at": _iso(s.unsubscribed_at),
    }


def _status_label(status):
    return Contribution.Status(status).label if status else ""


def _iso(moment):
    return moment.isoformat() if moment else None
