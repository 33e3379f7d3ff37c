"""
The outbox: every mail the forum sends is first a row, written inside the caller's transaction,
and sent once that transaction has committed. During a request that is only after its response
has gone out, so that no visitor waits on the mail server; what is not sent then waits for
`send_queued_mail`, which may run on several servers at once: each mail is claimed by one sender.

What the mails say, and to whom, is moderation/emails.py's.
"""

import logging
import re
import time
from contextvars import ContextVar
from email.utils import parseaddr

from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import DatabaseError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from debates.models import Contribution
from moderation.models import OutgoingMail

logger = logging.getLogger(__name__)

# The mails a request has queued, sent once its response is out (see moderation.middleware).
_after_response: ContextVar[list[int] | None] = ContextVar("mail_after_response", default=None)
# Set when a send after a response failed: for a while, requests leave their mail to the outbox.
MAIL_SERVER_FAILING = "moderation:mail-server-failing"

# A signed token as make_token writes it: value, timestamp and signature, joined by colons.
SIGNED_TOKEN = re.compile(r"[\w.-]+:[0-9A-Za-z]+:[\w-]{20,}")


def queue(
    *,
    kind: str,
    recipients: list[str],
    language: str,
    subject: str,
    body_text: str,
    body_html: str,
    contribution: Contribution | None = None,
    headers: dict[str, str] | None = None,
) -> OutgoingMail:
    """Keep a mail to send once the caller's transaction commits; a rollback takes it back."""
    mail = OutgoingMail.objects.create(
        kind=kind,
        contribution=contribution,
        recipients=recipients,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        headers={
            # Written by the forum, not a person: no out-of-office reply should answer it.
            "Auto-Submitted": "auto-generated",
            "X-Auto-Response-Suppress": "All",
            "Content-Language": language,
            **(headers or {}),
        },
    )
    transaction.on_commit(lambda: _send_soon(mail.pk))
    return mail


def redacted(text: str) -> str:
    """A mail's text with its personal links' tokens hidden, for eyes other than the recipient's."""
    return SIGNED_TOKEN.sub(_("[personal link hidden]"), text)


# Sending after the response ---------------------------------------------------------------------


def _send_soon(pk: int) -> None:
    """During a request, after its response; anywhere else (commands, the shell), now."""
    waiting = _after_response.get()
    if waiting is None:
        send_queued(ids=[pk])
    else:
        waiting.append(pk)


def collect_for_after_response():
    """Start keeping this request's mails for later; returns (the list, a token to stop)."""
    waiting: list[int] = []
    return waiting, _after_response.set(waiting)


def stop_collecting(token) -> None:
    _after_response.reset(token)


def send_after_response(ids: list[int]) -> None:
    """
    Send a request's mails once the visitor has the response, within a short budget. A mail
    server that failed a moment ago is left alone: the mail waits for `send_queued_mail`.
    """
    if cache.get(MAIL_SERVER_FAILING):
        return
    try:
        _sent, failed = send_queued(
            ids=ids, timeout=settings.MIA_MAIL_SEND_SECONDS, stop_at_failure=True
        )
    except Exception:
        # The response is out; an error here (the database gone, say) must not reach the server.
        logger.exception("Could not send mail %s after the response", ids)
        return
    if failed:
        cache.set(MAIL_SERVER_FAILING, True, settings.MIA_MAIL_PAUSE_SECONDS)


# Sending ----------------------------------------------------------------------------------------


def build_message(mail: OutgoingMail) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=mail.subject,
        body=mail.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=mail.recipients,
        reply_to=[settings.MIA_WEBMASTER_EMAIL] if settings.MIA_WEBMASTER_EMAIL else None,
        headers={"Message-ID": message_id(mail), **mail.headers},
    )
    if mail.body_html:
        message.attach_alternative(mail.body_html, "text/html")
    return message


def message_id(mail: OutgoingMail) -> str:
    """
    One Message-ID per outbox mail, whichever attempt sends it: should a mail go out twice (sent,
    then the database gone before it was marked sent), mail programs see one message.
    """
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "mia.localhost"
    return f"<outbox-{mail.pk}.{mail.created_at:%Y%m%d%H%M%S}@{domain}>"


def send_queued(
    *,
    ids=None,
    limit: int | None = None,
    timeout: float | None = None,
    stop_at_failure: bool = False,
) -> tuple[int, int]:
    """
    Send unsent mail (these ids, or all of it), each mail server answer within `timeout` seconds
    (EMAIL_TIMEOUT if None); return (sent, failed). Safe to run on several servers at once.
    """
    mail_connection = get_connection(timeout=timeout) if timeout else None
    pending = OutgoingMail.objects.filter(sent_at=None).order_by("created_at", "pk")
    if ids is not None:
        pending = pending.filter(pk__in=ids)
    pks = list((pending[:limit] if limit else pending).values_list("pk", flat=True))
    send_one = (
        _send_locked if connection.features.has_select_for_update_skip_locked else _send_claimed
    )
    sent = failed = 0
    for pk in pks:
        outcome = send_one(pk, mail_connection)
        if outcome is None:  # sent, or being sent, by another sender
            continue
        if outcome:
            sent += 1
        else:
            failed += 1
            if stop_at_failure:
                break
    return sent, failed


# Claiming a row ---------------------------------------------------------------------------------


def _send_locked(pk: int, mail_connection) -> bool | None:
    """
    Send one mail while holding its row, which other senders pass over until it is committed as
    sent (or failed); None if another sender holds it or has sent it.
    """
    delivered = False
    try:
        with transaction.atomic():
            mail = (
                OutgoingMail.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, sent_at=None)
                .first()
            )
            if mail is None:
                return None
            error = _deliver(mail, mail_connection)
            if error:
                OutgoingMail.objects.filter(pk=pk).update(
                    attempts=F("attempts") + 1, last_error=error
                )
                return False
            delivered = True
            OutgoingMail.objects.filter(pk=pk).update(
                attempts=F("attempts") + 1, sent_at=timezone.now(), last_error=""
            )
    except DatabaseError:
        if not delivered:
            raise
        # Delivered, and the database gone before it was recorded: record it once it is back.
        _mark_sent(mail)
    return True


def _send_claimed(pk: int, mail_connection) -> bool | None:
    """
    Send one mail claimed by counting its attempt (SQLite, which has no row locks to skip, and
    one machine to serve); None if another sender claimed it first.
    """
    mail = OutgoingMail.objects.filter(pk=pk, sent_at=None).first()
    if mail is None:
        return None
    claimed = OutgoingMail.objects.filter(pk=pk, sent_at=None, attempts=mail.attempts).update(
        attempts=F("attempts") + 1
    )
    if not claimed:
        return None
    error = _deliver(mail, mail_connection)
    if error:
        OutgoingMail.objects.filter(pk=pk).update(last_error=error)
        return False
    _mark_sent(mail)
    return True


def _mark_sent(mail: OutgoingMail) -> None:
    """Record the send, waiting out a short database outage, so that it is not sent again."""
    for attempt in range(10):
        try:
            OutgoingMail.objects.filter(pk=mail.pk).update(sent_at=timezone.now(), last_error="")
            return
        except DatabaseError:
            # Inside a transaction the update cannot be retried alone; asking for autocommit
            # would connect, and fail, while the database is still away.
            if attempt == 9 or connection.in_atomic_block:
                raise
            connection.close()
            time.sleep(1)


def _deliver(mail: OutgoingMail, mail_connection) -> str:
    """Hand the mail to the mail server; the error in words if it would not take it."""
    message = build_message(mail)
    message.connection = mail_connection
    try:
        message.send()
    except Exception as error:
        logger.warning("Could not send mail %s (%s): %s", mail.pk, mail.subject, error)
        return str(error)[:2000] or type(error).__name__
    return ""
