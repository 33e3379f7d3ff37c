"""
When two differently written addresses are one sender: the same mailbox, the same network
address. Blocking and the site's limits compare addresses only through these functions, parsed,
never as strings; each raises ValueError (or, for a visitor's address, gives None) for what does
not parse.

The same mailbox, and why:
- the local part quoted or not: "spammer"@example.com is spammer@example.com (RFC 5322 3.4.1:
  the quoted and unquoted forms are equivalent), and a quoted pair \\x is x;
- in any case: RFC 5321 lets a host tell case apart in the local part, but no mail service in use
  does, and the forum has always compared addresses in lower case;
- with or without a tag after "+": spammer+x@example.com is delivered to spammer@example.com by
  the mail services people use (Gmail, Outlook, iCloud, Fastmail, Postfix and Exim by default;
  RFC 5233 sub-addressing). Other separators ("-", used by qmail) are not cut off, because in
  most places anne-marie@ and anne@ are two people; nor are dots, which only Gmail ignores;
- the domain in any case, with or without its final dot (example.com. is example.com), and in
  Unicode or ASCII (bølle.dk is xn--blle-gra.dk): IDNA, as the mail system resolves it;
- the same characters composed or not (Unicode NFC, as RFC 6532 asks of internationalised mail).

The same network address: an IPv4 address written inside an IPv6 one, as a dual-stack server sees
an IPv4 visitor (::ffff:203.0.113.5) or a NAT64/SIIT translator hands one on (64:ff9b::203.0.113.5,
RFC 6052), is that IPv4 address; an IPv6 zone (%eth0) is dropped. 6to4 and Teredo addresses are
other addresses of a network, not another way of writing its IPv4 one, and stay IPv6; so do the
deprecated IPv4-compatible ones (::203.0.113.5), whose range holds ::1.
"""

import functools
import ipaddress
import re
import unicodedata

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# IPv6 prefixes whose last 32 bits are an IPv4 address, written another way.
IPV4_INSIDE_IPV6 = (ipaddress.ip_network("::ffff:0:0/96"), ipaddress.ip_network("64:ff9b::/96"))
QUOTED_PAIR = re.compile(r"\\(.)", re.DOTALL)
ATEXT = r"[\w!#$%&'*+/=?^`{|}~-]+"
DOT_ATOM = re.compile(rf"{ATEXT}(?:\.{ATEXT})*\Z")
SUBADDRESS_SEPARATOR = "+"
# Longer than any address a mail system takes (RFC 5321: 254), so parsing is bounded.
MAX_ADDRESS_CHARS = 320


@functools.lru_cache(maxsize=4096)
def mailbox(address: str) -> str:
    """The mailbox an e-mail address delivers to, written one way: local@domain, lower case."""
    address = unicodedata.normalize("NFC", address.strip())
    if len(address) > MAX_ADDRESS_CHARS:
        raise ValueError(address)
    local, at, host = address.rpartition("@")
    if len(local) >= 2 and local[0] == local[-1] == '"':
        local = QUOTED_PAIR.sub(r"\1", local[1:-1])
    local = local.lower()
    base, separator, _tag = local.partition(SUBADDRESS_SEPARATOR)
    if separator and base:
        local = base
    if not at or not local:
        raise ValueError(address)
    if not DOT_ATOM.match(local):
        local = '"' + local.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"{local}@{domain(host)}"


@functools.lru_cache(maxsize=4096)
def domain(value: str) -> str:
    """A domain name written one way: ASCII (IDNA), lower case, without a final dot."""
    name = value.strip().strip(".").lower()
    try:
        name = name.encode("idna").decode("ascii")
    except UnicodeError:
        raise ValueError(value) from None
    if not name or "." not in name or any(not label for label in name.split(".")):
        raise ValueError(value)
    return name


def domain_of(address: str) -> str:
    """The domain of a mailbox as mailbox() writes it."""
    return address.rpartition("@")[2]


def ip(value: str | None) -> IPAddress | None:
    """A visitor's address written one way, an IPv4 one as IPv4; None if it is none."""
    if not value:
        return None
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    if address.version == 6:
        address = ipaddress.IPv6Address(int(address))  # without its zone
        for prefix in IPV4_INSIDE_IPV6:
            if address in prefix:
                return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address


@functools.lru_cache(maxsize=4096)
def network(value: str) -> IPNetwork:
    """A network written one way: 203.0.113.0/24 for 203.0.113.77/24 or ::ffff:203.0.113.0/120."""
    found = ipaddress.ip_network(value.strip(), strict=False)
    if found.version == 6:
        for prefix in IPV4_INSIDE_IPV6:
            if found.subnet_of(prefix):
                bits = int(found.network_address) & 0xFFFFFFFF
                return ipaddress.IPv4Network((bits, found.prefixlen - prefix.prefixlen))
    return found
