"""
Blocking senders, everywhere a visitor writes to the site. A blocked sender gets the answer anyone
gets, so they learn nothing from it, and `rule_for` is the one test every way in asks:
- a contribution is taken in and confirmed as anyone's, then goes to spam, with the rule as the
  recorded reason, where the webmaster can still see it and put it back;
- a reader's report is thanked, and nothing reaches the desk;
- a follower is asked to check their mail, and nothing is stored or sent;
- a request for one's data gets the page everyone gets, and no mail. (The person may still write
  to the data protection officer the privacy notice names, whom no rule stops.)

Addresses are compared parsed (see moderation/addresses.py for what is one mailbox and one
network address): an e-mail address as its mailbox, whatever its case, quoting or "+" tag; a
domain matches an address whose domain is it or one of its subdomains (blocking example.com
blocks mail.example.com, never notexample.com); a network contains the address, an IPv4 visitor
written as IPv6 (::ffff:203.0.113.5) included.
"""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from debates.models import Contribution
from moderation import addresses
from moderation.models import BlockRule

Kind = BlockRule.Kind


def normalise(kind: str, value: str) -> str:
    """The value as rules store and compare it; ValueError names what is wrong with it."""
    value = (value or "").strip()
    if kind == Kind.EMAIL:
        try:
            return addresses.mailbox(value)
        except ValueError:
            raise ValueError(
                _("“%(value)s” is not an e-mail address.") % {"value": value}
            ) from None
    if kind == Kind.DOMAIN:
        try:
            return addresses.domain(value.rpartition("@")[2])
        except ValueError:
            raise ValueError(_("“%(value)s” is not a domain.") % {"value": value}) from None
    if kind == Kind.NETWORK:
        try:
            return str(addresses.network(value))
        except ValueError:
            raise ValueError(
                _("“%(value)s” is not a network address such as 203.0.113.0/24.") % {"value": value}
            ) from None
    raise ValueError(f"unknown kind of block: {kind!r}")


def active_rules(*, now: datetime | None = None):
    now = now or timezone.now()
    return BlockRule.objects.filter(is_active=True).filter(
        models.Q(expires_at=None) | models.Q(expires_at__gt=now)
    )


@dataclass(frozen=True)
class Sender:
    """A sender's addresses, parsed once: mailbox, its domain and parents, network address."""

    mailbox: str | None
    domains: tuple[str, ...]
    ip: addresses.IPAddress | None

    @classmethod
    def of(cls, *, email: str = "", ip: str | None = None) -> "Sender":
        try:
            mailbox = addresses.mailbox(email) if email else None
        except ValueError:
            mailbox = None
        domains = ()
        if mailbox:
            labels = addresses.domain_of(mailbox).split(".")
            # The domain and every parent domain down to two labels: mail.example.com, example.com.
            domains = tuple(".".join(labels[i:]) for i in range(len(labels) - 1))
        return cls(mailbox, domains, addresses.ip(ip))


def rule_for(
    *, email: str = "", ip: str | None = None, rules: list[BlockRule] | None = None
) -> BlockRule | None:
    """
    The active rule that blocks this sender (by address, domain or network), if any: looked up,
    or found among `rules` (the active ones, read once for a whole list of contributions).
    """
    sender = Sender.of(email=email, ip=ip)
    if rules is None:
        candidates = []
        if sender.mailbox:
            # Rules stored before a change in how addresses are written still match: each
            # address rule of the domain is parsed again below.
            domain = addresses.domain_of(sender.mailbox)
            candidates.append(models.Q(kind=Kind.EMAIL, value__iendswith=f"@{domain}"))
            candidates.append(models.Q(kind=Kind.DOMAIN, value__in=sender.domains))
        if sender.ip is not None:
            candidates.append(models.Q(kind=Kind.NETWORK))
        if not candidates:
            return None
        query = models.Q()
        for candidate in candidates:
            query |= candidate
        rules = active_rules().filter(query)
    for rule in sorted(rules, key=lambda rule: (rule.kind, rule.pk)):
        if _blocks(rule, sender):
            return rule
    return None


def _blocks(rule, sender):
    try:
        if rule.kind == Kind.EMAIL:
            return sender.mailbox is not None and addresses.mailbox(rule.value) == sender.mailbox
        if rule.kind == Kind.DOMAIN:
            return addresses.domain(rule.value) in sender.domains
        if sender.ip is None:
            return False
        network = addresses.network(rule.value)
    except ValueError:  # a rule written in by hand that does not parse blocks nobody
        return False
    return network.version == sender.ip.version and sender.ip in network


def sharing(*, kind: str, value: str) -> QuerySet[Contribution]:
    """
    The contributions, of any status, whose sender a rule of this kind and value would block, by
    the same matching as blocking: for the desk, before a moderator blocks. ValueError as
    normalise() for a value that does not parse.
    """
    rule = BlockRule(kind=kind, value=normalise(kind, value))
    if kind == Kind.NETWORK:
        field, written = "submitter_ip", Contribution.objects.exclude(submitter_ip=None)

        def matching(address):
            return _blocks(rule, Sender.of(ip=address))

    else:
        field, written = "author_email", Contribution.objects.exclude(author_email="")
        ruled = addresses.domain_of(rule.value) if kind == Kind.EMAIL else rule.value

        def matching(address):
            # Only an address in the rule's domain (or below) can match: its domain is one
            # cached look-up, and the whole address is parsed only then.
            try:
                host = addresses.domain(address.strip().rpartition("@")[2])
            except ValueError:
                return False
            within = host == ruled or host.endswith(f".{ruled}")
            return within and _blocks(rule, Sender.of(email=address))

    # Each different address once: a site's contributors number thousands, not millions.
    written = written.order_by().values_list(field, flat=True).distinct()
    found = [address for address in written.iterator() if matching(address)]
    return Contribution.objects.filter(**{f"{field}__in": found})


def count_sharing(*, kind: str, value: str) -> int:
    """How many contributions a rule of this kind and value would block (see sharing())."""
    return sharing(kind=kind, value=value).count()


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
