"""Everything the forum holds about one e-mail address, for the person it belongs to."""

from email.utils import getaddresses

from django.utils import timezone

from debates.models import Contribution
from moderation.models import OutgoingMail, Subscription


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
    return {
        "email": email,
        "generated_at": timezone.now().isoformat(),
        "contributions": [_contribution(c) for c in contributions],
        "subscriptions": [_subscription(s) for s in subscriptions],
        "mails_sent": _mails_to(email),
    }


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
        "status": c.status,
        "received_by": c.source,
        "language": c.language,
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
            {"when": _iso(d.created_at), "what": d.action, "from": d.from_status, "to": d.to_status}
            for d in c.decisions.all()
        ],
    }


def _subscription(s):
    return {
        "follows": s.question.title
        if s.question
        else f"replies to contribution {s.contribution_id}",
        "status": s.status,
        "created_at": _iso(s.created_at),
        "confirmed_at": _iso(s.confirmed_at),
        "unsubscribed_at": _iso(s.unsubscribed_at),
    }


def _iso(moment):
    return moment.isoformat() if moment else None
