"""
Signed links for contributors and followers. A link names one thing (a contribution, a
subscription, an address) and one purpose, cannot be forged without the secret key, and expires
unless it is meant to work for as long as our mails are kept (withdrawing, unsubscribing).
Single use comes from the state it changes: a confirmed contribution cannot be confirmed again.
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing

CONFIRMATION_PERIOD = object()
REVISION_PERIOD = object()


class InvalidLink(Exception):
    """The link was altered, or was made for something else."""


class ExpiredLink(Exception):
    """The link was genuine but is too old; `value` says what it was for."""

    def __init__(self, value):
        super().__init__(value)
        self.value = value
        self.contribution_id = value


def make_token(value: int | str, purpose: str) -> str:
    return signing.dumps(value, salt=f"moderation.{purpose}", compress=False)


def read_token(token: str, purpose: str, *, max_age=CONFIRMATION_PERIOD) -> int | str:
    """
    What a link was made for; raises InvalidLink or ExpiredLink. By default a link lasts as long
    as a confirmation link (MIA_CONFIRMATION_DAYS); REVISION_PERIOD, as long as a contribution
    sent back waits for its revision (MIA_REVISION_DAYS); `max_age=None` means it never expires.
    """
    salt = f"moderation.{purpose}"
    if max_age is CONFIRMATION_PERIOD:
        max_age = timedelta(days=settings.MIA_CONFIRMATION_DAYS)
    elif max_age is REVISION_PERIOD:
        max_age = timedelta(days=settings.MIA_REVISION_DAYS)
    try:
        return signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired:
        return _expired(token, salt)
    except signing.BadSignature as error:
        raise InvalidLink from error


def _expired(token, salt):
    try:
        value = signing.loads(token, salt=salt)
    except signing.BadSignature as error:
        raise InvalidLink from error
    raise ExpiredLink(value)
