"""
How often one network address may write to the site: contributions, follows and requests for
personal data together, MIA_SUBMISSIONS_PER_HOUR times an hour. The count is kept in the Django
cache, which every process shares when CACHE_URL points at Redis.
"""

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import ngettext

PERIOD_SECONDS = 60 * 60


def client_ip(request) -> str | None:
    """
    The visitor's address. Behind MIA_PROXY_COUNT trusted proxies it is the one the outermost
    of them saw, which a visitor cannot forge by sending an X-Forwarded-For of their own.
    """
    proxies = settings.MIA_PROXY_COUNT
    forwarded = [
        a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()
    ]
    if proxies and len(forwarded) >= proxies:
        return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR") or None


def admit(request, form) -> bool:
    """
    Count what the visitor is about to send against their address's hour. Past the limit, the
    form says so (and keeps what was typed) and nothing may be sent.
    """
    key = f"moderation:submissions:{client_ip(request)}"
    # Adding, then incrementing, is atomic in the cache: parallel requests cannot share a slot.
    cache.add(key, 0, timeout=PERIOD_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # the count expired between the two calls
        cache.add(key, 1, timeout=PERIOD_SECONDS)
        count = 1
    limit = settings.MIA_SUBMISSIONS_PER_HOUR
    if count <= limit:
        return True
    form.add_error(
        None,
        ngettext(
            "The site takes at most %(limit)s submission an hour from one network address. "
            "Try again later.",
            "The site takes at most %(limit)s submissions an hour from one network address. "
            "Try again later.",
            limit,
        )
        % {"limit": limit},
    )
    return False
