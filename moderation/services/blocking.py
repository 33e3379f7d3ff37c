"""
Blocking senders. A blocked sender's contributions are taken in and confirmed as anyone's, so they
learn nothing from the site's answers; on confirmation they go to spam, with the rule as the
recorded reason, where the webmaster can still see them and put them back.

Addresses are compared parsed: an e-mail address as a whole, in lower case; a domain matches an
address whose part after the last "@" is the domain or one of its subdomains (blocking
example.com blocks mail.example.com, never notexample.com); a network contains the address.
"""

import ipaddress
from datetime import datetime

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from debates.models import Contribution
from moderation.models import BlockRule

Kind = BlockRule.Kind


def normalise(kind: str, value: str) -> str:
    """The value as rules store and compare it; ValueError names what is wrong with it."""
    value = (value or "").strip()
    if kind == Kind.EMAIL:
        local, at, domain = value.rpartition("@")
        if not at or not local or not domain:
            raise ValueError(_("“%(value)s” is not an e-mail address.") % {"value": value})
        return f"{local}@{_domain(domain)}".lower()
    if kind == Kind.DOMAIN:
        return _domain(value.rpartition("@")[2])
    if kind == Kind.NETWORK:
        try:
            return str(ipaddress.ip_network(value, strict=False))
        except ValueError:
            raise ValueError(
                _("“%(value)s” is not a network address such as 203.0.113.0/24.") % {"value": value}
            ) from None
    raise ValueError(f"unknown kind of block: {kind!r}")


def _domain(value):
    domain = value.strip().strip(".").lower()
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        raise ValueError(_("“%(value)s” is not a domain.") % {"value": value}) from None
    if not domain or "." not in domain or any(not label for label in domain.split(".")):
        raise ValueError(_("“%(value)s” is not a domain.") % {"value": value})
    return domain


def active_rules(*, now: datetime | None = None):
    now = now or timezone.now()
    return BlockRule.objects.filter(is_active=True).filter(
        models.Q(expires_at=None) | models.Q(expires_at__gt=now)
    )


def rule_for(
    *, email: str = "", ip: str | None = None, rules: list[BlockRule] | None = None
) -> BlockRule | None:
    """
    The active rule that blocks this sender (by address, domain or network), if any: looked up,
    or found among `rules` (the active ones, read once for a whole list of contributions).
    """
    address = _address_or_none(email)
    sender_ip = _ip_or_none(ip)
    domains = []
    if address:
        labels = address.rpartition("@")[2].split(".")
        # The domain and every parent domain down to two labels: mail.example.com, example.com.
        domains = [".".join(labels[i:]) for i in range(len(labels) - 1)]
    if rules is None:
        candidates = []
        if address:
            candidates.append(models.Q(kind=Kind.EMAIL, value=address))
            candidates.append(models.Q(kind=Kind.DOMAIN, value__in=domains))
        if sender_ip is not None:
            candidates.append(models.Q(kind=Kind.NETWORK))
        if not candidates:
            return None
        query = models.Q()
        for candidate in candidates:
            query |= candidate
        rules = active_rules().filter(query)
    for rule in sorted(rules, key=lambda rule: (rule.kind, rule.pk)):
        if _blocks(rule, address, domains, sender_ip):
            return rule
    return None


def _blocks(rule, address, domains, sender_ip):
    if rule.kind == Kind.EMAIL:
        return address is not None and rule.value == address
    if rule.kind == Kind.DOMAIN:
        return rule.value in domains
    if sender_ip is None:
        return False
    network = ipaddress.ip_network(rule.value)
    return network.version == sender_ip.version and sender_ip in network


def _address_or_none(email):
    try:
        return normalise(Kind.EMAIL, email) if email else None
    except ValueError:
        return None


def _ip_or_none(ip):
    try:
        return ipaddress.ip_address(ip) if ip else None
    except ValueError:
        return None


def block(
    *,
    kind: str,
    value: str,
    actor: AbstractBaseUser | None,
    reason: str = "",
    expires_at: datetime | None = None,
) -> BlockRule:
    """
    A moderator blocks an address, a domain, or for a time a network. Blocking what is already
    blocked returns the rule that does it.
    """
    value = normalise(kind, value)
    if kind == Kind.NETWORK and expires_at is None:
        raise ValueError(_("A network is blocked for a time: give an end."))
    existing = active_rules().filter(kind=kind, value=value).first()
    if existing:
        return existing
    return BlockRule.objects.create(
        kind=kind,
        value=value,
        reason=reason.strip(),
        created_by=actor,
        expires_at=expires_at,
    )


def block_sender(
    *, contribution: Contribution, kind: str, actor: AbstractBaseUser, reason: str = ""
) -> BlockRule:
    """A moderator blocks the address, or the whole domain, a contribution came from."""
    if kind not in (Kind.EMAIL, Kind.DOMAIN) or not contribution.author_email:
        raise ValueError(_("This contribution has no address to block."))
    with translation.override(settings.LANGUAGE_CODE):
        reason = reason or _("Sender of “%(contribution)s”") % {"contribution": contribution}
    return block(kind=kind, value=contribution.author_email, actor=actor, reason=reason)


def blocked_reason(rule: BlockRule) -> str:
    """The reason recorded on a blocked sender's contribution, in the editors' language."""
    with translation.override(settings.LANGUAGE_CODE):
        return _("Blocked: %(rule)s") % {"rule": rule}
