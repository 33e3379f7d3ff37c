"""
Signed links for contributors. A link names one contribution and one purpose, cannot be forged
without the secret key, and expires; single use comes from the state it moves the contribution
out of (a confirmed contribution cannot be confirmed again).
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing


class InvalidLink(Exception):
    """The link was altered, or was made for something else."""


class ExpiredLink(Exception):
    """The link was genuine but is too old; `contribution_id` says what it was for."""

    def __init__(self, contribution_id):
        super().__init__(contribution_id)
        self.contribution_id = contribution_id


def make_token(contribution_id: int, purpose: str) -> str:
    return signing.dumps(contribution_id, salt=f"moderation.{purpose}", compress=False)


def read_token(token: str, purpose: str, max_age: timedelta | None = None) -> int:
    """The contribution id a link was made for; raises InvalidLink or ExpiredLink."""
    salt = f"moderation.{purpose}"
    if max_age is None:
        max_age = timedelta(days=settings.MIA_CONFIRMATION_DAYS)
    try:
        return signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired:
        return _expired(token, salt)
    except signing.BadSignature as error:
        raise InvalidLink from error


def _expired(token, salt):
    try:
        contribution_id = signing.loads(token, salt=salt)
    except signing.BadSignature as error:
        raise InvalidLink from error
    raise ExpiredLink(contribution_id)
