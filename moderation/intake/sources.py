"""Where mail comes from: .eml files, mbox files, Maildir folders and IMAP mailboxes."""

import base64
import errno
import imaplib
import logging
import mailbox
import os
import pathlib
import ssl
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Self

logger = logging.getLogger(__name__)


# Reading mail sources ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceMessage:
    key: str  # where the message is, for logs (see `read_source`)
    raw: bytes


_MAILDIR_COLON = ":"  # separates a Maildir file's unique name from its flags, e.g. "…:2,S"


def read_source(path: pathlib.Path) -> Iterator[SourceMessage]:
    """
    Yield the messages of a local mail source one at a time, so a large mailbox never has to fit
    in memory. Called by the mail import with the path the webmaster gave it.

    - A Maildir (a directory with cur/, new/ and tmp/): the messages in new/, then those in cur/,
      each sorted by file name. The key is the message file's path, "<maildir>/new/<file>", which
      is what `mark_maildir_processed` takes. Messages already marked are read again; telling
      them apart from new ones (by Message-ID) is the caller's job.
    - Any other directory: its *.eml files, sorted by name; the key is the file's path.
    - A file ending in .eml: that message; the key is its path.
    - Any other file: an mbox mailbox; the key is "<mbox path>#<index>", counting from 0.

    Raises FileNotFoundError when the path does not exist, and ValueError for a file that is
    neither a .eml file nor an mbox.
    """
    path = pathlib.Path(path)
    if not path.exists():
        raise FileNotFoundError(errno.ENOENT, "the mail source does not exist", str(path))
    if path.is_dir():
        if is_maildir(path):
            yield from _read_maildir(path)
        else:
            for file in sorted(p for p in path.iterdir() if _is_eml(p)):
                yield SourceMessage(str(file), file.read_bytes())
    elif _is_eml(path):
        yield SourceMessage(str(path), path.read_bytes())
    elif path.is_file():
        yield from _read_mbox(path)
    else:
        raise ValueError(f"{path} is neither a directory nor a regular file")


def is_maildir(path: pathlib.Path) -> bool:
    """
    Whether `read_source` reads the path as a Maildir (a directory with cur/, new/ and tmp/), so
    that the caller marks what it took in with `mark_maildir_processed`.
    """
    path = pathlib.Path(path)
    return path.is_dir() and all((path / sub).is_dir() for sub in ("cur", "new", "tmp"))


def _is_eml(path: pathlib.Path) -> bool:
    return path.suffix.lower() == ".eml" and path.is_file()


def _read_maildir(path: pathlib.Path) -> Iterator[SourceMessage]:
    maildir = mailbox.Maildir(path, factory=None, create=False)
    for sub in ("new", "cur"):
        for name in sorted(os.listdir(path / sub)):
            file = path / sub / name
            if name.startswith(".") or not file.is_file():
                continue
            try:
                raw = maildir.get_bytes(name.split(_MAILDIR_COLON)[0])
            except KeyError:
                logger.warning("Skipped %s: it disappeared while the Maildir was read", file)
                continue
            yield SourceMessage(str(file), raw)


def _read_mbox(path: pathlib.Path) -> Iterator[SourceMessage]:
    with path.open("rb") as file:
        start = file.read(5)
    if start and start != b"From ":
        raise ValueError(
            f"{path} is neither a .eml file nor an mbox mailbox (an mbox starts with 'From ')"
        )
    box = mailbox.mbox(path, factory=None, create=False)
    try:
        for key in box.iterkeys():
            yield SourceMessage(f"{path}#{key}", box.get_bytes(key))
    finally:
        box.close()


def mark_maildir_processed(path: pathlib.Path, key: str) -> None:
    """
    Mark a Maildir message as processed: move it from new/ to cur/ and add the "S" (seen) flag.

    Called by the mail import after it has handled a message from `read_source`; `key` is that
    message's `SourceMessage.key` ("<maildir>/new/<file>" or "<maildir>/cur/<file>"). The message
    file is renamed, never rewritten or deleted, and other flags are kept. If another program
    moved the message meanwhile, it is looked up by its unique name.
    """
    maildir = pathlib.Path(path)
    current = pathlib.Path(key)
    unique = current.name.split(_MAILDIR_COLON)[0]
    if not current.is_file():
        current = _find_in_maildir(maildir, unique)
    if current.parent.name not in ("new", "cur") or (
        current.parent.parent.resolve() != maildir.resolve()
    ):
        raise ValueError(f"{key} is not a message of the Maildir {maildir}")

    _, _, info = current.name.partition(_MAILDIR_COLON)
    flags = set(info[2:]) if info.startswith("2,") else set()
    target = maildir / "cur" / f"{unique}{_MAILDIR_COLON}2,{''.join(sorted(flags | {'S'}))}"
    if target == current:
        return
    if target.exists():
        raise FileExistsError(errno.EEXIST, "refusing to overwrite a Maildir message", str(target))
    os.rename(current, target)


def _find_in_maildir(maildir: pathlib.Path, unique: str) -> pathlib.Path:
    for sub in ("new", "cur"):
        for file in (maildir / sub).iterdir():
            if file.name.split(_MAILDIR_COLON)[0] == unique:
                return file
    raise FileNotFoundError(errno.ENOENT, "no such message in the Maildir", f"{maildir}: {unique}")


# IMAP --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImapSettings:
    host: str
    port: int
    user: str
    password: str = field(repr=False)
    mailbox: str = "INBOX"
    processed_folder: str | None = None  # copy processed messages here (they stay in the mailbox)


def parse_imap_url(url: str) -> ImapSettings:
    """
    Read `imaps://user:password@host[:port]/MAILBOX[?processed=Folder]`.

    User, password and mailbox are percent-decoded (write "@" in a password as %40). The mailbox
    defaults to INBOX and the port to 993. Only imaps:// is accepted: plain imap:// would send the
    password unencrypted.
    """
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "imap":
        raise ValueError(
            "imap:// is refused because TLS is required; use imaps:// (IMAP over TLS, port 993)"
        )
    if scheme != "imaps":
        raise ValueError(f"an IMAP source must be an imaps:// URL, not {scheme or 'no'} scheme")
    if not parts.hostname:
        raise ValueError("the imaps:// URL names no host")
    if not parts.username or parts.password is None:
        raise ValueError(
            "the imaps:// URL needs a user and a password: imaps://user:password@host/"
        )
    try:
        port = parts.port or 993
    except ValueError as exc:
        raise ValueError(f"the imaps:// URL has an invalid port: {exc}") from None

    query = urllib.parse.parse_qs(parts.query, keep_blank_values=True)
    unknown = set(query) - {"processed"}
    if unknown:
        raise ValueError(f"unknown parameter in the imaps:// URL: {', '.join(sorted(unknown))}")
    processed = query.get("processed", [""])[-1].strip() or None

    return ImapSettings(
        host=parts.hostname,
        port=port,
        user=urllib.parse.unquote(parts.username),
        password=urllib.parse.unquote(parts.password),
        mailbox=urllib.parse.unquote(parts.path.lstrip("/")) or "INBOX",
        processed_folder=processed,
    )


class ImapSource:
    """
    The unread messages of an IMAP mailbox, over TLS.

        with ImapSource(url) as source:
            for uid, raw in source.messages():
                ...  # parse and store the message
                source.mark_processed(uid)

    `messages()` yields (UID, raw bytes) for every message without the \\Seen flag, fetched with
    BODY.PEEK[] so that reading does not mark them. `mark_processed(uid)` sets \\Seen and, when the
    URL has ?processed=Folder, copies the message there. Nothing is ever flagged \\Deleted or
    expunged; a message that fails to parse is left unread for a person to look at.
    """

    def __init__(self, url: str, *, timeout: float = 60) -> None:
        self.settings = parse_imap_url(url)
        self.timeout = timeout
        self._connection: imaplib.IMAP4_SSL | None = None

    def __enter__(self) -> Self:
        settings = self.settings
        connection = imaplib.IMAP4_SSL(
            settings.host,
            settings.port,
            ssl_context=ssl.create_default_context(),
            timeout=self.timeout,
        )
        try:
            if settings.password.isascii() and settings.user.isascii():
                connection.login(settings.user, settings.password)
            else:
                # LOGIN only takes ASCII; SASL PLAIN carries UTF-8 (æøå in a password).
                credentials = f"\0{settings.user}\0{settings.password}".encode()
                connection.authenticate("PLAIN", lambda _challenge: credentials)
            _expect_ok(
                connection.select(_imap_mailbox_name(settings.mailbox)),
                f"cannot open the mailbox {settings.mailbox!r}",
            )
        except BaseException:
            _logout(connection)
            raise
        self._connection = connection
        return self

    def __exit__(self, *exc_info: object) -> None:
        # LOGOUT without CLOSE: CLOSE would expunge messages that someone else flagged \Deleted.
        if self._connection is not None:
            _logout(self._connection)
            self._connection = None

    def messages(self) -> Iterator[tuple[str, bytes]]:
        connection = self._open_connection()
        _, data = _expect_ok(connection.uid("SEARCH", "UNSEEN"), "cannot search for unread mail")
        uids = data[0].split() if data and data[0] else []
        for uid in (u.decode("ascii") for u in uids):
            _, fetched = _expect_ok(
                connection.uid("FETCH", uid, "(BODY.PEEK[])"), f"cannot fetch message {uid}"
            )
            raw = _fetched_body(fetched)
            if raw is None:
                logger.warning("IMAP message %s disappeared before it could be fetched", uid)
                continue
            yield uid, raw

    def mark_processed(self, uid: str) -> None:
        connection = self._open_connection()
        _expect_ok(
            connection.uid("STORE", str(uid), "+FLAGS", "(\\Seen)"),
            f"cannot mark message {uid} as read",
        )
        folder = self.settings.processed_folder
        if folder:
            _expect_ok(
                connection.uid("COPY", str(uid), _imap_mailbox_name(folder)),
                f"cannot copy message {uid} to {folder!r} (does the folder exist?)",
            )

    def _open_connection(self) -> imaplib.IMAP4_SSL:
        if self._connection is None:
            raise RuntimeError("use ImapSource in a `with` block; it is not connected")
        return self._connection


def _expect_ok(response: tuple[str, list], failure: str) -> tuple[str, list]:
    status, data = response
    if status != "OK":
        detail = b" ".join(d for d in data if isinstance(d, bytes)).decode("utf-8", "replace")
        raise imaplib.IMAP4.error(f"{failure}: {status} {detail}".strip())
    return response


def _fetched_body(data: list) -> bytes | None:
    for item in data or []:
        if isinstance(item, tuple) and len(item) == 2 and b"BODY[]" in item[0].upper():
            return item[1]
    return None


def _logout(connection: imaplib.IMAP4) -> None:
    try:
        connection.logout()
    except (imaplib.IMAP4.error, OSError) as exc:
        logger.warning("IMAP logout failed: %s", exc)


def _imap_mailbox_name(name: str) -> str:
    """A mailbox name as IMAP wants it: modified UTF-7 (RFC 3501 5.1.3), quoted."""
    encoded: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            chunk = base64.b64encode("".join(pending).encode("utf-16-be")).decode("ascii")
            encoded.append("&" + chunk.rstrip("=").replace("/", ",") + "-")
            pending.clear()

    for char in name:
        if " " <= char <= "~":
            flush()
            encoded.append("&-" if char == "&" else char)
        else:
            pending.append(char)
    flush()
    quoted = "".join(encoded).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{quoted}"'
