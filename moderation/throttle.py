"""
How often visitors may write to the site. Each kind of request counts on its own, so that one
kind cannot use up another's share: contributions, follows and requests for personal data each
per e-mail address (its mailbox: case, quoting and "+" tags aside) and per network; readers'
reports and previews per network, each with its own ceiling. A network has a higher ceiling than
an e-mail address because a whole ministry may sit behind one address, and its colleagues' reports
or follows must not shut it out of the debate.

The counts live in the Django cache. With CACHE_URL pointing at Redis, every process and server
counts against the same numbers, and Redis's INCR makes each count atomic. The default local-memory
cache counts in each process alone, which is right for one `runserver` and wrong for several
workers: production sets CACHE_URL. (The database would be shared too, but it has no atomic
counter that expires by itself; it would need a table, and a write to it on every request.)
"""

import hashlib
import ipaddress
from dataclasses import dataclass, replace

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import ngettext_lazy

from moderation import addresses

PERIOD_SECONDS = 60 * 60
# All of an IPv6 /64 is one visitor: a single connection is given a /64 to choose addresses from.
IPV6_VISITOR_PREFIX = 64


@dataclass(frozen=True)
class Limit:
    scope: str  # who is counted: "email" or "network"
    setting: str  # the setting that holds how many an hour
    message: str
    kind: str = "contribution"  # what is counted: each kind in counts of its own


SUBMISSION_BY_EMAIL = Limit(
    "email",
    "MIA_SUBMISSIONS_PER_EMAIL_PER_HOUR",
    ngettext_lazy(
        "The site takes at most %(limit)s submission an hour from one e-mail address, and this "
        "address has reached it. Please try again in an hour.",
        "The site takes at most %(limit)s submissions an hour from one e-mail address, and this "
        "address has reached it. Please try again in an hour.",
        "limit",
    ),
)
SUBMISSION_BY_NETWORK = Limit(
    "network",
    "MIA_SUBMISSIONS_PER_NETWORK_PER_HOUR",
    ngettext_lazy(
        "The site takes at most %(limit)s submission an hour from one network, and yours has "
        "reached it; others on your network may have sent some. Please try again in an hour.",
        "The site takes at most %(limit)s submissions an hour from one network, and yours has "
        "reached it; others on your network may have sent some. Please try again in an hour.",
        "limit",
    ),
)
PREVIEW_BY_NETWORK = Limit(
    "network",
    "MIA_PREVIEWS_PER_HOUR",
    ngettext_lazy(
        "The site shows at most %(limit)s preview an hour to one network, and yours has reached "
        "it. You can still send your contribution.",
        "The site shows at most %(limit)s previews an hour to one network, and yours has reached "
        "it. You can still send your contribution.",
        "limit",
    ),
    kind="preview",
)
REPORT_BY_NETWORK = Limit(
    "network",
    "MIA_REPORTS_PER_NETWORK_PER_HOUR",
    ngettext_lazy(
        "The site takes at most %(limit)s report an hour from one network, and yours has "
        "reached it; others on your network may have sent some. Please try again in an hour.",
        "The site takes at most %(limit)s reports an hour from one network, and yours has "
        "reached it; others on your network may have sent some. Please try again in an hour.",
        "limit",
    ),
    kind="report",
)
SUBMISSION = (SUBMISSION_BY_EMAIL, SUBMISSION_BY_NETWORK)
# Follows and data requests are held to a contribution's ceilings, in counts of their own.
FOLLOW = tuple(replace(limit, kind="follow") for limit in SUBMISSION)
DATA_REQUEST = tuple(replace(limit, kind="data-request") for limit in SUBMISSION)
REPORT = (REPORT_BY_NETWORK,)
PREVIEW = (PREVIEW_BY_NETWORK,)


def client_ip(request) -> str | None:
    """
    The visitor's address. Behind MIA_PROXY_COUNT trusted proxies it is the one the outermost
    of them saw, which a visitor cannot forge by sending an X-Forwarded-For of their own.
    """
    proxies = settings.MIA_PROXY_COUNT
    forwarded = [
        a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()
    ]
    seen = forwarded[-proxies] if proxies and len(forwarded) >= proxies else None
    address = addresses.ip(seen or request.META.get("REMOTE_ADDR"))
    # One way of writing each: an IPv4 visitor on a dual-stack server is stored as IPv4.
    return str(address) if address else None


def network_of(ip: str | None) -> str:
    """The visitor an address stands for: an IPv4 address, or the /64 an IPv6 one is in."""
    address = addresses.ip(ip)
    if address is None:
        return "unknown"
    if address.version == 4:
        return str(address)
    return str(ipaddress.ip_network(f"{address}/{IPV6_VISITOR_PREFIX}", strict=False))


def normalise_email(email: str) -> str:
    """The mailbox an address is counted under, so that "+" tags do not multiply its share."""
    try:
        return addresses.mailbox(email)
    except ValueError:
        return email.strip().lower()


def admit(request, form, *, limits=SUBMISSION, email: str = "") -> bool:
    """
    Count what the visitor is about to do against each of the limits, in order. Past one, the
    form says which (and keeps what was typed), later limits are not counted, and nothing may be
    done. Without an e-mail address, the limits on e-mail addresses do not apply.
    """
    for limit in limits:
        if limit.scope == "email" and not email:
            continue
        subject = (
            normalise_email(email) if limit.scope == "email" else network_of(client_ip(request))
        )
        ceiling = getattr(settings, limit.setting)
        # Hashed: the cache holds no e-mail addresses, and any key is valid in any backend.
        digest = hashlib.sha256(subject.encode()).hexdigest()[:32]
        if _count(f"moderation:throttle:{limit.kind}:{limit.scope}:{digest}") > ceiling:
            form.add_error(None, limit.message % {"limit": ceiling})
            return False
    return True


def _count(key: str) -> int:
    """One more in the key's hour, atomically: parallel requests never share a number."""
    cache.add(key, 0, timeout=PERIOD_SECONDS)
    try:
        return cache.incr(key)
    except ValueError:  # the count expired between the two calls
        cache.add(key, 0, timeout=PERIOD_SECONDS)
        return cache.incr(key)
