"""Signs that a contribution may be spam, shown to the webmaster as hints; nothing is decided."""

import re

from django.utils.translation import gettext as _

from debates.models import Contribution
from moderation.services.blocking import blocked_reason, rule_for

LINK = re.compile(r"https?://|www\.", re.IGNORECASE)
SHOUTING = re.compile(r"[A-ZÆØÅ]{4,}")
SALES_WORDS = re.compile(
    r"\b(casino|viagra|crypto|bitcoin|loan|seo|backlinks?|porn|forex|betting|lån)\b",
    re.IGNORECASE,
)


def spam_hints(contribution: Contribution, *, rules: list | None = None) -> list[str]:
    """
    Short reasons to look twice at a contribution, most telling first. A list of many passes
    the active block rules, read once, as `rules`.
    """
    hints = []
    text = f"{contribution.title}\n{contribution.body}"
    if contribution.author_email or contribution.submitter_ip:
        rule = rule_for(email=contribution.author_email, ip=contribution.submitter_ip, rules=rules)
        if rule:
            hints.append(blocked_reason(rule))
    if contribution.is_honeypot_tripped:
        hints.append(_("filled in a field hidden from people"))
    links = len(LINK.findall(text))
    if links >= 3:
        hints.append(_("%(count)s links") % {"count": links})
    elif links and len(contribution.body.split()) < 25:
        hints.append(_("a short text with a link"))
    if LINK.search(contribution.author_name):
        hints.append(_("a web address in the name"))
    if SALES_WORDS.search(text):
        hints.append(_("words common in spam"))
    words = text.split()
    if (
        len(words) >= 5
        and sum(bool(SHOUTING.fullmatch(w.strip(".,!?"))) for w in words) > len(words) / 3
    ):
        hints.append(_("mostly capital letters"))
    return hints
