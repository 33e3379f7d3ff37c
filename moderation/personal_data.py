"""
Everything the forum holds about one e-mail address, for the person it belongs to: as a page to
read, and as a file (JSON) to download. Both show the same entries under the same names.
"""

from datetime import datetime
from email.utils import getaddresses

from django.utils import formats, timezone
from django.utils.translation import pgettext_lazy

from debates.models import Contribution
from moderation.models import Decision, OutgoingMail, Subscription

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
    "earlier_versions": pgettext_lazy("personal data", "earlier versions, sent back for revision"),
    "note": pgettext_lazy("personal data", "the editors' note"),
    "revised_at": pgettext_lazy("personal data", "replaced by your revision"),
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


def held_about(email: str) -> dict:
    """The contributions, decisions, subscriptions and mails of an address, keyed as in LABELS."""
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
        "generated_at": timezone.now(),
        "contributions": [_contribution(c) for c in contributions],
        "subscriptions": [_subscription(s) for s in subscriptions],
        "mails_sent": _mails_to(email),
    }


def collect_personal_data(email: str) -> dict:
    """The download: every key in the words of the reader's language, every time in ISO 8601."""
    return as_json(held_about(email))


def as_json(data):
    if isinstance(data, dict):
        return {str(LABELS[key]): as_json(value) for key, value in data.items()}
    if isinstance(data, list):
        return [as_json(item) for item in data]
    if isinstance(data, datetime):
        return data.isoformat()
    return data if data is None or isinstance(data, int | str) else str(data)


# The page: each record a list of (name, value) rows, times in the reader's time zone and words.
# The texts, the history and the lists of mails and subscriptions are shown apart from the rows.
CONTRIBUTION_ROWS = (
    "id",
    "question",
    "in_reply_to",
    "status",
    "received_by",
    "language",
    "name",
    "email",
    "job_title",
    "organisation",
    "sent_from_ip_address",
    "paper",
    "reason_given",
    "submitted_at",
    "confirmed_at",
    "decided_at",
    "published_at",
    "edited_by_editors_at",
)

SUBSCRIPTION_ROWS = ("status", "created_at", "confirmed_at", "unsubscribed_at")


def for_reading(data: dict) -> dict:
    """The data as the page shows it, in the active language: all of it, and nothing added."""
    return {
        "email": data["email"],
        "generated_at": shown(data["generated_at"]),
        "labels": {key: str(label) for key, label in LABELS.items()},
        "contributions": [
            {
                "id": c["id"],
                "title": c["title"],
                "rows": rows(c, CONTRIBUTION_ROWS),
                # The title heads the record; what was sent is shown apart where it was edited.
                "texts": [
                    (LABELS[key], c[key])
                    for key, edited in (
                        ("text", "text"),
                        ("title_as_sent", "title"),
                        ("text_as_sent", "text"),
                    )
                    if c[key] and (key == edited or c[key] != c[edited])
                ],
                "history": [{key: shown(value) for key, value in d.items()} for d in c["history"]],
                "earlier_versions": [
                    {key: shown(value) for key, value in v.items()} for v in c["earlier_versions"]
                ],
            }
            for c in data["contributions"]
        ],
        "subscriptions": [
            {"follows": shown(s["follows"]), "rows": rows(s, SUBSCRIPTION_ROWS)}
            for s in data["subscriptions"]
        ],
        "mails_sent": [{k: shown(v) for k, v in m.items()} for m in data["mails_sent"]],
    }


def rows(record: dict, keys) -> list[tuple[str, str]]:
    return [(str(LABELS[key]), shown(record[key])) for key in keys if record[key] not in (None, "")]


def shown(value) -> str:
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")
    return "" if value is None else str(value)


def _mails_to(email):
    """The outbox log (kept MIA_MAIL_LOG_DAYS) holds the mails sent to the address."""
    address = normalised_address(email)
    return [
        {"subject": mail.subject, "queued_at": mail.created_at, "sent_at": mail.sent_at}
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
        "submitted_at": c.submitted_at,
        "confirmed_at": c.confirmed_at,
        "decided_at": c.decided_at,
        "published_at": c.published_at,
        "edited_by_editors_at": c.edited_at,
        "history": [
            {
                "when": d.created_at,
                "what": d.get_action_display(),
                "from": _status_label(d.from_status),
                "to": _status_label(d.to_status),
            }
            for d in c.decisions.all()
        ],
        "earlier_versions": _earlier_versions(c.decisions.all()),
    }


def _earlier_versions(decisions):
    """Each text sent back for revision and then replaced, with the note it was sent back with."""
    versions, note = [], ""
    for d in sorted(decisions, key=lambda d: d.pk):
        if d.action == Decision.Action.SENT_BACK:
            note = d.reason
        elif d.action == Decision.Action.RESUBMITTED:
            versions.append(
                {
                    "revised_at": d.created_at,
                    "note": note,
                    "title": d.earlier_title,
                    "text": d.earlier_body,
                }
            )
    return versions


def _subscription(s):
    return {
        "follows": s.question.title
        if s.question
        else pgettext_lazy("personal data", "replies to contribution number %(number)s")
        % {"number": s.contribution_id},
        "status": s.get_status_display(),
        "created_at": s.created_at,
        "confirmed_at": s.confirmed_at,
        "unsubscribed_at": s.unsubscribed_at,
    }


def _status_label(status):
    return Contribution.Status(status).label if status else ""
