"""Read sent mail back the way a mail client would: from its bytes."""

import email
import re
from email import policy
from email.utils import getaddresses
from urllib.parse import urlsplit

URL = re.compile(r"https?://[^\s<>\"]+")


def parse(message):
    """The Django message as a parsed RFC 5322 message (email.message.EmailMessage)."""
    return email.message_from_bytes(message.message().as_bytes(), policy=policy.default)


def text_of(message):
    return parse(message).get_body(preferencelist=("plain",)).get_content()


def html_of(message):
    return parse(message).get_body(preferencelist=("html",)).get_content()


def links(message):
    """Every address in the plain-text part, in order."""
    return URL.findall(text_of(message))


def path_of(url):
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def mails_to(outbox, address):
    """The mails addressed to exactly this address (in any case), not to one that contains it."""
    address = address.lower()
    return [m for m in outbox if address in {a.lower() for _name, a in getaddresses(m.to)}]
