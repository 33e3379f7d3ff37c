"""One raw e-mail message, parsed into what a contribution needs: sender, subject, text, PDFs."""

import base64
import binascii
import codecs
import email.charset
import email.errors
import email.header
import email.utils
import re
import unicodedata
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

from moderation.intake.html_text import html_to_text
from moderation.text import one_line

# Parsing a message -------------------------------------------------------------------------------


class MalformedMessage(Exception):
    """
    A message that cannot become a contribution; str(exc) is a clear English reason for the log.
    """


class AutomaticMessage(MalformedMessage):
    """
    An out-of-office reply, a bounce or other machine-sent mail (RFC 3834): not a contribution,
    and never to be answered with a confirmation mail, or two machines would write forever.
    """


@dataclass(frozen=True)
class Attachment:
    filename: str  # decoded (RFC 2231 / encoded-word), never empty ("attachment" fallback)
    content_type: str  # as declared, lower-case
    data: bytes


@dataclass(frozen=True)
class IncomingMail:
    message_id: str  # the Message-ID without angle brackets, stripped; "" if missing
    sender_name: str  # decoded display name ("" if none)
    sender_address: str  # lower-cased address
    subject: str  # decoded, whitespace-collapsed; "" if missing
    text: str  # the body as plain text, stripped, \n line endings
    pdfs: tuple[Attachment, ...]  # attachments that are PDFs by their content
    # One note per attachment that was not kept, e.g. "photo.jpg (image/jpeg)".
    dropped: tuple[str, ...]


# A message nested deeper than this is not something a mail client wrote.
_MAX_DEPTH = 20

# PDF readers look for the header in the first 1024 bytes and for the end marker in the last 1024.
_PDF_WINDOW = 1024

_HEADER_BODY_SEPARATOR = re.compile(rb"\r?\n\r?\n")


def parse_message(raw: bytes) -> IncomingMail:
    """
    Turn one raw RFC 5322 message into an `IncomingMail`, or raise `MalformedMessage`.

    Called by the mail import for every message a source yields. It never raises anything else for
    bad input: whatever goes wrong inside the stdlib parser becomes `MalformedMessage`, so one
    broken message cannot stop an import run.
    """
    if not isinstance(raw, bytes | bytearray | memoryview):
        raise TypeError(f"parse_message() takes the raw message as bytes, not {type(raw).__name__}")
    try:
        return _parse(bytes(raw))
    except MalformedMessage:
        raise
    except Exception as exc:
        raise MalformedMessage(
            f"the message could not be parsed ({type(exc).__name__}: {exc})"
        ) from exc


def _parse(raw: bytes) -> IncomingMail:
    # Saved messages sometimes start with a byte-order mark or blank lines; the parser would take
    # either for the end of an empty header section.
    raw = raw.removeprefix(b"\xef\xbb\xbf").lstrip(b"\r\n")
    if not raw.strip():
        raise MalformedMessage("the message is empty")

    message = BytesParser(policy=policy.default).parsebytes(raw)
    if not message.keys():
        raise MalformedMessage("this is not an e-mail message: it does not start with headers")
    if any(isinstance(d, email.errors.MissingHeaderBodySeparatorDefect) for d in message.defects):
        raise MalformedMessage(
            "the header section is broken (a line in it is not a header); "
            "the message is probably truncated or damaged"
        )
    if not _HEADER_BODY_SEPARATOR.search(raw):
        raise MalformedMessage(
            "the message ends inside its header section and has no body; it is probably truncated"
        )

    _refuse_automatic(message)
    sender_name, sender_address = _sender(message)
    body = _BodyWalker()
    text = _clean_text(body.text_of(message))
    if not text and not body.pdfs:
        reason = "the message has no text and no PDF attachment"
        if body.dropped:
            reason += f" (dropped: {', '.join(body.dropped)})"
        raise MalformedMessage(reason)

    return IncomingMail(
        message_id=_message_id(message),
        sender_name=sender_name,
        sender_address=sender_address,
        subject=one_line(_header_text(message, "subject")),
        text=text,
        pdfs=tuple(body.pdfs),
        dropped=tuple(body.dropped),
    )


# Headers

_AUTOMATIC_PRECEDENCE = {"bulk", "junk", "list", "auto_reply"}
_AUTOMATIC_SENDERS = re.compile(r"^(?:mailer-daemon|postmaster|no-?reply)@", re.IGNORECASE)


def _refuse_automatic(message: EmailMessage) -> None:
    auto_submitted = _header_text(message, "auto-submitted").strip().lower()
    if auto_submitted and auto_submitted != "no":
        raise AutomaticMessage(f"it is sent automatically (Auto-Submitted: {auto_submitted})")
    precedence = _header_text(message, "precedence").strip().lower()
    if precedence in _AUTOMATIC_PRECEDENCE:
        raise AutomaticMessage(f"it is sent automatically (Precedence: {precedence})")
    if any(_header_text(message, name) for name in ("x-autoreply", "x-autorespond")):
        raise AutomaticMessage("it is an automatic reply (X-Autoreply)")
    if message.get_content_type() == "multipart/report":
        raise AutomaticMessage("it is a delivery report (a bounce)")
    addresses = email.utils.getaddresses([_header_text(message, "from")])
    if any(_AUTOMATIC_SENDERS.match(address) for _name, address in addresses):
        raise AutomaticMessage("it comes from a mail system, not a person")


def _header_text(message: EmailMessage, name: str) -> str:
    """The decoded value of a header, or "" when it is missing."""
    try:
        value = message[name]
    except Exception:
        # The structured header parser gives up on some damaged headers; decode them by hand.
        value = next((v for k, v in message.raw_items() if k.lower() == name), None)
        if value is None:
            return ""
        value = _decode_encoded_words(value)
    return "" if value is None else _repair_surrogates(str(value))


def _decode_encoded_words(value: str) -> str:
    try:
        return str(email.header.make_header(email.header.decode_header(value)))
    except (email.errors.HeaderParseError, LookupError, UnicodeError, ValueError):
        return value


def _repair_surrogates(value: str) -> str:
    """
    Decode raw 8-bit bytes in a header.

    The parser keeps bytes it cannot decode as lone surrogates. Mail clients that put raw bytes in
    headers use UTF-8 (RFC 6532) or, in old clients, a Western European code page.
    """
    if not any("\udc80" <= char <= "\udcff" for char in value):
        return value
    data = value.encode("utf-8", "surrogateescape")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace")


def _sender(message: EmailMessage) -> tuple[str, str]:
    """The first address in From, as (display name, lower-cased address)."""
    if "from" not in message:
        raise MalformedMessage("the message has no From header")
    try:
        addresses = [(a.display_name, a.username, a.domain) for a in message["from"].addresses]
    except Exception:
        addresses = []
        for name, address in email.utils.getaddresses([_header_text(message, "from")]):
            local, _, domain = address.rpartition("@")
            addresses.append((name, local, domain))
    for name, local, domain in addresses:
        if local and domain:
            address = unicodedata.normalize("NFC", _repair_surrogates(f"{local}@{domain}"))
            return one_line(_repair_surrogates(name)), address.lower()
    shown = one_line(_header_text(message, "from"))[:200]
    raise MalformedMessage(f"the From header contains no usable address: {shown!r}")


def _message_id(message: EmailMessage) -> str:
    value = _header_text(message, "message-id").strip()
    bracketed = re.search(r"<([^<>]*)>", value)
    return (bracketed.group(1) if bracketed else value).strip()


# Body and attachments


@dataclass(frozen=True)
class _Text:
    kind: str  # "plain" or "html"
    text: str


class _BodyWalker:
    """
    Walk a message's MIME tree once: return its text and collect its attachments.

    A part is an attachment when it is application/pdf, when it is marked as an attachment, when
    it is a text part with a filename that is not marked inline, or when it is any other non-text
    part that is not a resource of a multipart/related body. The last rule keeps Outlook's and
    Gmail's inline signature logos out of the notes, but still reports what Apple Mail attaches
    "inline" in a multipart/mixed (photos, documents).
    """

    def __init__(self) -> None:
        self.pdfs: list[Attachment] = []
        self.dropped: list[str] = []

    def text_of(self, message: EmailMessage) -> str:
        found = self._walk(message, 0, resource=False)
        return found.text if found else ""

    def _walk(self, part: EmailMessage, depth: int, resource: bool) -> _Text | None:
        if depth > _MAX_DEPTH:
            raise MalformedMessage(f"the message nests its parts more than {_MAX_DEPTH} deep")
        maintype, subtype = part.get_content_maintype(), part.get_content_subtype()
        if _is_attachment(part, resource):
            self._keep_or_drop(part)
            return None
        if maintype == "multipart":
            children = list(part.iter_parts())
            if subtype == "alternative":
                return _preferred([self._walk(c, depth + 1, resource=False) for c in children])
            if subtype == "related":
                # Only the root part is the body; the others are what it shows inline.
                root = _related_root(part, children)
                found = None
                for child in children:
                    text = self._walk(child, depth + 1, resource=child is not root)
                    found = text if child is root else found
                return found
            return _joined([self._walk(c, depth + 1, resource=False) for c in children])
        if maintype == "text" and subtype in ("plain", "html") and not resource:
            return _leaf_text(part)
        return None

    def _keep_or_drop(self, part: EmailMessage) -> None:
        filename = _filename(part)
        content_type = part.get_content_type()
        if part.get_content_maintype() == "message":  # a forwarded message, not opened
            self.dropped.append(f"{filename} ({content_type})")
            return
        data = _payload_bytes(part)
        if b"%PDF-" in data[:_PDF_WINDOW]:
            if b"%%EOF" in data[-_PDF_WINDOW:]:
                self.pdfs.append(Attachment(filename, content_type, data))
            else:
                self.dropped.append(
                    f"{filename} (an incomplete PDF: it does not end with %%EOF, "
                    "so the message was probably cut short)"
                )
        elif content_type == "application/pdf" or filename.lower().endswith(".pdf"):
            self.dropped.append(f"{filename} (not a PDF by its content)")
        else:
            self.dropped.append(f"{filename} ({content_type})")


def _is_attachment(part: EmailMessage, resource: bool) -> bool:
    maintype = part.get_content_maintype()
    if maintype == "multipart":
        return False
    if part.get_content_type() == "application/pdf":
        return True
    disposition = part.get_content_disposition()
    if disposition == "attachment":
        return True
    if maintype == "text":
        return disposition != "inline" and bool(_raw_filename(part))
    return not resource


def _related_root(part: EmailMessage, children: list[EmailMessage]) -> EmailMessage | None:
    start = part.get_param("start")
    if isinstance(start, str) and start.strip():
        for child in children:
            if str(child.get("content-id", "")).strip() == start.strip():
                return child
    return children[0] if children else None


def _preferred(alternatives: list[_Text | None]) -> _Text | None:
    """The plain-text alternative if there is one with text, else the last (richest) HTML one."""
    usable = [found for found in alternatives if found and found.text.strip()]
    for found in usable:
        if found.kind == "plain":
            return found
    return usable[-1] if usable else None


def _joined(parts: list[_Text | None]) -> _Text | None:
    usable = [found for found in parts if found and found.text.strip()]
    if not usable:
        return None
    kind = "plain" if all(found.kind == "plain" for found in usable) else "html"
    return _Text(kind, "\n\n".join(found.text.strip("\n") for found in usable))


def _leaf_text(part: EmailMessage) -> _Text:
    text = _decode(_payload_bytes(part), part.get_content_charset())
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if part.get_content_subtype() == "html":
        return _Text("html", html_to_text(text))
    if str(part.get_param("format", "")).lower() == "flowed":
        text = _unflow(text, delsp=str(part.get_param("delsp", "")).lower() == "yes")
    return _Text("plain", text)


def _payload_bytes(part: EmailMessage) -> bytes:
    encoding = str(part.get("content-transfer-encoding", "")).strip().lower()
    payload = part.get_payload()
    if encoding == "base64" and isinstance(payload, str):
        return _decode_base64(payload)
    data = part.get_payload(decode=True)
    return data if isinstance(data, bytes) else b""


def _decode_base64(payload: str) -> bytes:
    """
    Decode base64 leniently.

    The stdlib hands back the still-encoded text when the length is wrong, which is exactly what a
    truncated message produces; decode the complete groups instead.
    """
    cleaned = re.sub(r"[^A-Za-z0-9+/=]", "", payload)
    try:
        return binascii.a2b_base64(cleaned)
    except binascii.Error:
        cleaned = cleaned.replace("=", "")
        if len(cleaned) % 4 == 1:  # a lone trailing character holds no whole byte
            cleaned = cleaned[:-1]
        return base64.b64decode(cleaned + "=" * (-len(cleaned) % 4))


def _decode(data: bytes, charset: str | None) -> str:
    """
    Decode a text part's bytes; never fails.

    ISO-8859-1 is read as Windows-1252, as browsers do: Outlook declares the one and sends the
    other's curly quotes, dashes and euro sign. A missing, US-ASCII, unknown or non-text charset
    label is tried as UTF-8 first and then as Windows-1252, the two encodings Danish mail is
    actually written in.
    """
    label = (charset or "").strip().strip('"').lower()
    label = email.charset.ALIASES.get(label, label)
    try:
        codec = codecs.lookup(label).name if label else ""
    except LookupError:
        codec = ""
    if codec == "iso8859-1":
        codec = "cp1252"
    if codec and codec != "ascii":
        try:
            return data.decode(codec, "replace")
        except LookupError:
            pass  # a bytes-to-bytes codec such as "base64" given as a charset
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace")


def _unflow(text: str, delsp: bool) -> str:
    """Join the soft line breaks of format=flowed text (RFC 3676), as Thunderbird sends it."""
    lines: list[str] = []
    paragraph: str | None = None
    paragraph_depth = 0

    def finish() -> None:
        nonlocal paragraph
        if paragraph is not None:
            prefix = ">" * paragraph_depth
            lines.append(f"{prefix} {paragraph}" if prefix and paragraph else prefix + paragraph)
            paragraph = None

    for line in text.split("\n"):
        depth = len(line) - len(line.lstrip(">"))
        content = line[depth:].removeprefix(" ")  # undo space-stuffing
        is_signature_separator = content == "-- "
        flowed = content.endswith(" ") and not is_signature_separator
        if flowed and delsp:
            content = content[:-1]
        if paragraph is not None and (depth != paragraph_depth or is_signature_separator):
            finish()
        if paragraph is None:
            paragraph, paragraph_depth = content, depth
        else:
            paragraph += content
        if not flowed:
            finish()
    finish()
    return "\n".join(lines)


_SIGNATURE_SEPARATOR = re.compile(r"^-- $", re.MULTILINE)


def _clean_text(text: str) -> str:
    """Strip the signature, stray control characters and surrounding blank space."""
    separator = _SIGNATURE_SEPARATOR.search(text)
    if separator:
        text = text[: separator.start()]
    return _without_controls(unicodedata.normalize("NFC", text), keep="\n\t").strip()


def _without_controls(text: str, keep: str) -> str:
    # PostgreSQL refuses NUL in text columns, and no other control character belongs in a post.
    return "".join(c for c in text if c in keep or unicodedata.category(c) != "Cc")


def _raw_filename(part: EmailMessage) -> str:
    for header, parameter in (("content-disposition", "filename"), ("content-type", "name")):
        try:
            value = part[header].params.get(parameter) if header in part else None
        except Exception:
            value = None
        if value:
            return str(value)
    try:
        return part.get_filename() or ""
    except Exception:
        return ""


def _filename(part: EmailMessage) -> str:
    """
    The attachment's file name: decoded, without any directory part, never empty.

    Encoded words in a filename are not standard, but Outlook and Gmail write them.
    """
    name = _raw_filename(part)
    if "=?" in name:
        name = _decode_encoded_words(name)
    name = one_line(_repair_surrogates(name))
    name = re.split(r"[/\\]", name)[-1].strip()
    return name if name not in ("", ".", "..") else "attachment"
