"""The contributor's rights: withdrawal, access to their data, and the retention rules."""

import calendar
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.storage import storages
from django.db import models, transaction
from django.utils import timezone

from debates.models import Contribution
from moderation import emails
from moderation.models import Decision, OutgoingMail, Report, Subscription
from moderation.services import staging
from moderation.services.blocking import rule_for
from moderation.services.decisions import DECISIONS
from moderation.services.revisions import lapse_unrevised
from moderation.services.transitions import transition
from moderation.tokens import read_token

Status = Contribution.Status


# The contributor's rights ---------------------------------------------------------------------

# Every status but withdrawn: the reason is written beside its row in decisions.py.
WITHDRAWABLE = DECISIONS[Decision.Action.WITHDRAWN].allowed_from


def withdraw(*, contribution: Contribution) -> Contribution:
    """
    The author, by the signed link in any of our mails, withdraws a contribution. It leaves the
    site and its text, name and addresses are erased; replies by others keep their place under a
    marker, and the record of the decisions keeps only who decided what, and when.
    """
    with transaction.atomic():
        contribution = transition(
            contribution,
            action=Decision.Action.WITHDRAWN,
            decided_at=timezone.now(),
        )
        _erase_personal_data(contribution)
    return contribution


def _erase_personal_data(contribution):
    attachment = contribution.attachment.name
    Contribution.objects.filter(pk=contribution.pk).update(
        author_name="",
        author_email="",
        author_title="",
        author_organisation="",
        submitter_ip=None,
        title="",
        body="",
        body_html="",
        original_title="",
        original_body="",
        attachment="",
        attachment_name="",
        rejection_reason="",
        intake_note="",
        anonymised_at=timezone.now(),
    )
    contribution.decisions.update(reason="", earlier_title="", earlier_body="")
    contribution.subscriptions.all().delete()
    OutgoingMail.objects.filter(contribution=contribution).delete()
    if attachment:
        storage = contribution.attachment.storage
        transaction.on_commit(lambda: storage.delete(attachment))
    contribution.refresh_from_db()


def request_personal_data(
    *, email: str, language: str = settings.LANGUAGE_CODE, ip: str | None = None
) -> bool:
    """
    Anyone may ask for the data held about an address; the link to it goes only to that
    address, and only if we hold anything and no rule blocks the sender (by address or network).
    Returns whether a mail was queued.
    """
    if rule_for(email=email, ip=ip):
        return False
    email = email.strip().lower()
    held = (
        Contribution.objects.filter(author_email__iexact=email).exists()
        or Subscription.objects.filter(email__iexact=email).exists()
    )
    if held:
        with transaction.atomic():
            emails.queue_data_export(email, language)
    return held


def address_from_data_link(token: str) -> str:
    """The address a data link was sent to (tokens.InvalidLink or ExpiredLink otherwise)."""
    return read_token(token, "personal-data")


@dataclass
class RetentionReport:
    unconfirmed_deleted: int = 0
    addresses_removed: int = 0
    subscriptions_deleted: int = 0
    mails_deleted: int = 0
    uploads_deleted: int = 0
    report_addresses_removed: int = 0
    revisions_lapsed: int = 0


def apply_retention(*, now: datetime | None = None, dry_run: bool = False) -> RetentionReport:
    """
    The retention rules of the privacy notice, for the scheduled job: never-confirmed
    contributions go when their link has expired; those sent back for revision and not revised
    within MIA_REVISION_DAYS are closed as rejected, and kept as such from then on; e-mail and
    network addresses go MIA_RETENTION_MONTHS after the editors' decision (a reader's report's,
    after the report); the mail log, stale subscriptions and parked uploads go when they have
    served their purpose.
    With dry_run, only count.
    """
    now = now or timezone.now()
    link_expiry = now - timedelta(days=settings.MIA_CONFIRMATION_DAYS)
    decided_before = _months_before(now, settings.MIA_RETENTION_MONTHS)
    mail_expiry = now - timedelta(days=settings.MIA_MAIL_LOG_DAYS)

    unconfirmed = Contribution.objects.filter(
        status=Status.UNCONFIRMED, submitted_at__lt=link_expiry
    )
    with_addresses = Contribution.objects.filter(decided_at__lt=decided_before).exclude(
        author_email="", submitter_ip=None
    )
    subscriptions = Subscription.objects.filter(
        models.Q(status=Subscription.Status.UNCONFIRMED, created_at__lt=link_expiry)
        | models.Q(status=Subscription.Status.UNSUBSCRIBED, unsubscribed_at__lt=mail_expiry)
        | models.Q(contribution__in=with_addresses)
    )
    mails = OutgoingMail.objects.filter(
        models.Q(created_at__lt=mail_expiry)
        | models.Q(contribution__in=unconfirmed)
        | models.Q(contribution__in=with_addresses)
    )
    uploads = staging.expired(now=now)
    # A reader's network address serves the rate limit and the desk's judgement, for as long.
    reporters = Report.objects.filter(created_at__lt=decided_before).exclude(reporter_ip=None)
    report = RetentionReport(
        unconfirmed_deleted=unconfirmed.count(),
        addresses_removed=with_addresses.count(),
        subscriptions_deleted=subscriptions.count(),
        mails_deleted=mails.count(),
        uploads_deleted=len(uploads),
        report_addresses_removed=reporters.count(),
    )
    if dry_run:
        report.revisions_lapsed = lapse_unrevised(now=now, dry_run=True)
        return report
    with transaction.atomic():
        report.revisions_lapsed = lapse_unrevised(now=now)
        mails.delete()
        subscriptions.delete()
        files = [c.attachment.name for c in unconfirmed.exclude(attachment="")]
        unconfirmed.delete()
        with_addresses.update(author_email="", submitter_ip=None)
        reporters.update(reporter_ip=None)
    storage = storages["contributions"]
    for name in [*files, *uploads]:
        storage.delete(name)
    return report


def _months_before(moment, months):
    year, month_index = divmod(moment.year * 12 + moment.month - 1 - months, 12)
    day = min(moment.day, calendar.monthrange(year, month_index + 1)[1])
    return moment.replace(year=year, month=month_index + 1, day=day)
