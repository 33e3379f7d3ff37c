"""The editors' picks: published contributions the webmaster shows first, and takes back."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from debates.models import Contribution
from moderation import emails
from moderation.models import Decision
from moderation.services.transitions import transition

Action = Decision.Action


def pick(*, contribution: Contribution, actor: AbstractBaseUser) -> Contribution:
    """
    A moderator makes a published contribution an editors' pick. Its author is mailed the first
    time only: picked again after being taken back, it is not news to them.
    """
    with transaction.atomic():
        contribution = transition(
            contribution, action=Action.PICKED, actor=actor, picked_at=timezone.now()
        )
        # Counted under the row's lock, which this transaction holds: of two picks, one is first.
        if contribution.decisions.filter(action=Action.PICKED).count() == 1:
            emails.queue_picked(contribution)
    return contribution


def unpick(*, contribution: Contribution, actor: AbstractBaseUser) -> Contribution:
    """A moderator removes a contribution from the editors' picks; it stays published, unmailed."""
    return transition(contribution, action=Action.UNPICKED, actor=actor, picked_at=None)
