"""Following a debate by e-mail: double opt-in, one mail per publishing batch, one-click stop."""

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from debates.models import Contribution, Question
from moderation import emails
from moderation.models import Subscription
from moderation.services.blocking import rule_for
from moderation.services.transitions import ModerationError, QuestionClosed

Status = Contribution.Status


# Following a debate ---------------------------------------------------------------------------


def follow_question(
    *,
    question: Question,
    email: str,
    language: str = settings.LANGUAGE_CODE,
    ip: str | None = None,
) -> Subscription | None:
    """
    Anyone may follow an open question. Nothing is sent until the address is confirmed by the
    mailed link; asking again resends that link, and an active follower is left as they are. A
    blocked sender (by address or network) is answered as anyone is, and nothing is stored (None).
    """
    if not question.is_open:
        raise QuestionClosed(question)
    if rule_for(email=email, ip=ip):
        return None
    email = email.strip().lower()
    with transaction.atomic():
        subscription, _created = Subscription.objects.select_for_update().get_or_create(
            email=email, question=question, defaults={"language": language}
        )
        if subscription.status != Subscription.Status.ACTIVE:
            subscription.status = Subscription.Status.UNCONFIRMED
            subscription.language = language
            subscription.unsubscribed_at = None
            subscription.save(update_fields=["status", "language", "unsubscribed_at"])
            emails.queue_follow_confirmation(subscription)
    return subscription


def confirm_subscription(*, subscription: Subscription) -> Subscription:
    """The follower, by the mailed link, confirms the address (again, harmlessly)."""
    updated = Subscription.objects.filter(
        pk=subscription.pk, status=Subscription.Status.UNCONFIRMED
    ).update(status=Subscription.Status.ACTIVE, confirmed_at=timezone.now())
    subscription.refresh_from_db()
    if not updated and subscription.status != Subscription.Status.ACTIVE:
        raise ModerationError(_("This subscription has been cancelled; follow the question again."))
    return subscription


def unsubscribe(*, subscription: Subscription) -> Subscription:
    """The follower, with one click on the link in any notice, stops the mails."""
    Subscription.objects.filter(pk=subscription.pk).exclude(
        status=Subscription.Status.UNSUBSCRIBED
    ).update(status=Subscription.Status.UNSUBSCRIBED, unsubscribed_at=timezone.now())
    subscription.refresh_from_db()
    return subscription


def announce_published() -> int:
    """
    Tell followers about contributions published since the last announcement: one mail per
    follower for the whole batch. Runs after each commit that published something; running it
    again finds nothing new. Returns the number of mails queued.
    """
    with transaction.atomic():
        batch = list(
            Contribution.objects.published()
            .filter(announced_at=None)
            .select_related("question", "parent")
            # Lock only the announced rows: a parent may be missing (an outer join).
            .select_for_update(of=("self",))
            .order_by("published_at", "pk")
        )
        if not batch:
            return 0
        Contribution.objects.filter(pk__in=[c.pk for c in batch]).update(
            announced_at=timezone.now()
        )
        news = {}
        followers = Subscription.objects.filter(status=Subscription.Status.ACTIVE).filter(
            models.Q(question__in={c.question_id for c in batch})
            | models.Q(contribution__in={c.parent_id for c in batch if c.parent_id})
        )
        for subscription in followers:
            items = [
                c
                for c in batch
                if _concerns(subscription, c) and c.author_email.lower() != subscription.email
            ]
            if items:
                news[subscription] = items
        for subscription, items in news.items():
            emails.queue_follow_notice(subscription, items)
    return len(news)


def _concerns(subscription, contribution):
    if subscription.question_id is not None:
        return contribution.question_id == subscription.question_id
    return contribution.parent_id == subscription.contribution_id
