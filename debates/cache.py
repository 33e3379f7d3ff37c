"""
What anonymous readers see, served from the cache, and forgotten the moment it changes.

Whole pages. A view marked @public_page is rendered once per language and address and kept in
the cache, compressed. Every page's key carries the site's *generation*, a random value that
`content_changed()` replaces whenever something a reader could see changes (the signals in
debates/signals.py and moderation/signals.py say what counts), so all pages are rebuilt on their
next visit and none is ever served stale. The key also carries a fingerprint of the templates,
the translations and the site's settings, so that a new release or configuration starts afresh.

Only what is the same for every visitor is cached: a request with a session or a pending
message, any method but GET and HEAD, a query string the page does not name, or a response that
sets a cookie, is rendered as usual and not kept. The one thing on a public page that differs
per visitor, the CSRF token in its forms, is cut out before the page is stored and put back,
freshly masked for the visitor, each time it is served; the page is compressed in pieces around
those tokens, so that serving it costs no compression (see `StoredPage`). Compressing a public
page is safe from BREACH: the only secret on it is that token, which Django masks anew in every
response, and which goes out uncompressed.

The cache must be one that every process serving the site shares (Redis through CACHE_URL, or
the local memory of a single process); MIA_PAGE_CACHE_SECONDS=0 turns whole pages off.
"""

import contextlib
import hashlib
import logging
import re
import struct
import threading
import uuid
import zlib
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache as memoise
from functools import lru_cache, wraps
from pathlib import Path

import redis
from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.signals import setting_changed
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import get_language

logger = logging.getLogger(__name__)
GENERATION_KEY = "mia:generation"
# zlib's level for pages: 5 sends a thread's page 5% larger than 6 does, built in 20% less time.
COMPRESSION_LEVEL = 5
# What a cache that does not answer raises: Redis's errors (all OSError or redis.RedisError).
CACHE_ERRORS = (OSError, redis.RedisError)
TOKEN_FIELD = b'name="csrfmiddlewaretoken" value="'
TOKEN = re.compile(rb"[A-Za-z0-9]{64}\"")
ACCEPTS_GZIP = re.compile(r"\bgzip\b")
# Headers that belong to one response, never to the stored page. The view's own Vary is kept,
# and Accept-Encoding and Cookie are added to it as each response is served.
PER_RESPONSE_HEADERS = {
    "content-length",
    "content-encoding",
    "cache-control",
    "expires",
    "set-cookie",
}


# The generation --------------------------------------------------------------------------------


def content_changed() -> None:
    """
    Something a reader could see has changed (or is about to, when its transaction commits):
    every cached page is out of date. The generation changes now, so that this process and its
    tests see the change at once, and again after the commit, so that no page rendered from the
    database as it was before the commit outlives it.
    """
    _new_generation()
    connection = transaction.get_connection()
    if connection.in_atomic_block and not any(
        callback is _new_generation for _savepoints, callback, _robust in connection.run_on_commit
    ):
        # Once per transaction, however many changes it makes.
        transaction.on_commit(_new_generation)


def _new_generation() -> None:
    cache.set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)


def generation() -> str:
    value = cache.get(GENERATION_KEY)
    if value is None:
        # Never set, or evicted: a value never used before, whoever adds it first.
        cache.add(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
        value = cache.get(GENERATION_KEY)
    return value


def release() -> str:
    """
    What shapes a page besides the database: the templates, translations and settings. Worked out
    once per process; with DEBUG on, again whenever a template or catalogue file changes, since
    the development server does not restart for those.
    """
    files = _page_files()
    stamp = tuple(path.stat().st_mtime_ns for path in files) if settings.DEBUG else None
    return _release(tuple(files), stamp)


@memoise
def _page_files() -> list[Path]:
    base = Path(settings.BASE_DIR)
    return sorted(
        [
            *(base / "templates").rglob("*.html"),
            *(base / "templates").rglob("*.txt"),
            *base.glob("locale/*/LC_MESSAGES/*.mo"),
        ]
    )


@lru_cache(maxsize=4)
def _release(files: tuple[Path, ...], stamp) -> str:
    digest = hashlib.blake2b(digest_size=8)
    base = Path(settings.BASE_DIR)
    for path in files:
        digest.update(str(path.relative_to(base)).encode())
        digest.update(path.read_bytes())
    for name in sorted(dir(settings)):
        if name.startswith("MIA_") or name in ("LANGUAGES", "TIME_ZONE", "STATIC_URL"):
            digest.update(f"{name}={getattr(settings, name)!r}".encode())
    return digest.hexdigest()


def _forget_release(setting, **kwargs):
    if setting.startswith("MIA_") or setting in ("LANGUAGES", "TIME_ZONE", "STATIC_URL"):
        _release.cache_clear()


setting_changed.connect(_forget_release)


class LocalCopies:
    """
    This process's own copies of values whose keys never change meaning, because each key holds
    the site's generation or a digest of what the value shows: a copy is never stale, and using
    it saves a round trip to a shared cache and the unpickling of what it sends. Bounded in
    bytes; the least recently used go first.
    """

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._items: OrderedDict[str, tuple[object, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            self._items.move_to_end(key)
            return item[0]

    def put(self, key, value, size: int) -> None:
        if size > self.max_bytes // 4:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._items[key] = (value, size)
            self._bytes += size
            while self._bytes > self.max_bytes:
                _key, (_value, dropped) = self._items.popitem(last=False)
                self._bytes -= dropped

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0


local_copies = LocalCopies(max_bytes=32 * 1024 * 1024)


# Marking pages ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PagePolicy:
    # The query parameters the page reads; each is part of the cached page's key.
    query: tuple[str, ...] = ()
    # Whether the page is kept; one whose addresses have no end (a search) is only compressed.
    keep: bool = True
    # For an address that answers in more than one form as the request asks (a feed for feed
    # readers, a page about it for browsers): the name of the form a request gets, kept apart.
    form: Callable[[HttpRequest], str] | None = None


def public_page(view=None, *, query=(), keep=True, form=None):
    """
    Mark a view whose page is the same for every anonymous reader, to be cached whole (or, with
    keep=False, only sent compressed). `query` names the parameters the view reads; a request
    with any other is not cached. `form` names the form of the page a request gets, where the
    view answers one address in more than one (and says so in its Vary header).
    """

    def mark(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            return view(*args, **kwargs)

        wrapper.public_page = PagePolicy(tuple(query), keep, form)
        return wrapper

    return mark(view) if view is not None else mark


# The middleware --------------------------------------------------------------------------------


class PublicPageCacheMiddleware:
    """
    Serve @public_page views from the cache for anonymous readers, and keep what they render.
    With the page cache off (MIA_PAGE_CACHE_SECONDS=0) such pages are still sent compressed.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        key = getattr(request, "_public_page_key", None)
        if key is None:
            return response
        page = StoredPage.from_response(request, response)
        if page is None:
            return response
        if key:
            with contextlib.suppress(*CACHE_ERRORS):
                cache.set(key, page, timeout=settings.MIA_PAGE_CACHE_SECONDS)
                local_copies.put(key, page, page.size)
        return page.response_for(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        policy = getattr(view_func, "public_page", None)
        if policy is None:
            return None
        if not shared(request, policy):
            return None
        if not (settings.MIA_PAGE_CACHE_SECONDS and policy.keep):
            request._public_page_key = ""  # rendered and compressed, but not kept
            return None
        try:
            key = page_key(request, policy)
            page = local_copies.get(key)
            if page is None:
                page = cache.get(key)
                if page is not None:
                    local_copies.put(key, page, page.size)
        except CACHE_ERRORS:
            # Readers still read while the cache is away; their pages are built, not kept.
            logger.warning("The cache did not answer; %s is built without it.", request.path)
            request._public_page_key = ""
            return None
        if page is not None:
            return page.response_for(request)
        request._public_page_key = key
        return None


def shared(request, policy: PagePolicy) -> bool:
    """Whether this request's page is the one every anonymous reader gets."""
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
        and all(name in policy.query for name in request.GET)
    )


def page_key(request, policy: PagePolicy) -> str:
    """The page's key in the cache, for this generation of the site."""
    query = "&".join(f"{name}={request.GET[name]}" for name in policy.query if name in request.GET)
    form = policy.form(request) if policy.form else ""
    address = hashlib.blake2b(
        f"{request.scheme}://{request.get_host()}{request.path}?{query}#{form}".encode(),
        digest_size=16,
    ).hexdigest()
    return f"mia:page:{release()}:{generation()}:{get_language()}:{address}"


@dataclass
class StoredPage:
    """
    A rendered page without its CSRF tokens, kept compressed: the text between the tokens is
    compressed piece by piece (raw deflate, each piece on its own and flushed to a byte
    boundary), so that the page is sent as one gzip stream with fresh tokens written between the
    pieces as stored (uncompressed) blocks. The gzip trailer's CRC-32 of the whole text is
    combined from each piece's, so serving a page reads none of it again.
    """

    status: int
    headers: list[tuple[str, str]]
    compressed: list[bytes]
    crcs: list[int]
    lengths: list[int]

    @classmethod
    def from_response(cls, request, response):
        """The page to keep, or None if the response is not the same for every reader."""
        if (
            response.status_code != 200
            or response.streaming
            or response.cookies
            or response.has_header("Content-Encoding")
            or "private" in response.get("Cache-Control", "")
            or "no-store" in response.get("Cache-Control", "")
            or len(messages.get_messages(request))
            or (hasattr(request, "session") and request.session.modified)
        ):
            return None
        content = response.content
        pieces = _without_tokens(content)
        secret = request.META.get("CSRF_COOKIE")
        if pieces is None or (secret and secret.encode() in content):
            # A token somewhere the page does not expect one: not something to share.
            return None
        compressed = []
        for index, piece in enumerate(pieces):
            compressor = zlib.compressobj(COMPRESSION_LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
            last = index == len(pieces) - 1
            compressed.append(
                compressor.compress(piece)
                + compressor.flush(zlib.Z_FINISH if last else zlib.Z_FULL_FLUSH)
            )
        headers = [
            (name, value)
            for name, value in response.items()
            if name.lower() not in PER_RESPONSE_HEADERS
        ]
        return cls(
            status=response.status_code,
            headers=headers,
            compressed=compressed,
            crcs=[zlib.crc32(piece) for piece in pieces],
            lengths=[len(piece) for piece in pieces],
        )

    @property
    def size(self) -> int:
        return sum(map(len, self.compressed))

    def response_for(self, request) -> HttpResponse:
        # One token, freshly masked, serves every form on the page: it goes out uncompressed.
        token = get_token(request).encode() if len(self.compressed) > 1 else b""
        tokens = [token] * (len(self.compressed) - 1)
        if ACCEPTS_GZIP.search(request.headers.get("Accept-Encoding", "")):
            body = self.gzipped(tokens)
        else:
            body = self.plain(tokens)
        response = HttpResponse(body, status=self.status)
        for name, value in self.headers:
            response[name] = value
        if body[:2] == GZIP_HEADER[:2]:
            response["Content-Encoding"] = "gzip"
        response["Content-Length"] = str(len(body))
        patch_vary_headers(response, ["Accept-Encoding", "Cookie"])
        # The page carries this visitor's token: no shared cache downstream may keep it.
        patch_cache_control(response, private=True, no_cache=True)
        return response

    def plain(self, tokens: list[bytes]) -> bytes:
        parts = []
        for compressed, token in zip(self.compressed, [*tokens, None], strict=True):
            parts.append(zlib.decompressobj(-zlib.MAX_WBITS).decompress(compressed))
            if token is not None:
                parts.append(token)
        return b"".join(parts)

    def gzipped(self, tokens: list[bytes]) -> bytes:
        parts = [GZIP_HEADER, self.compressed[0]]
        crc, size = self.crcs[0], self.lengths[0]
        for token, compressed, piece_crc, length in zip(
            tokens, self.compressed[1:], self.crcs[1:], self.lengths[1:], strict=True
        ):
            # A stored block, not the last: type 00 on a byte boundary, then LEN and NLEN.
            parts.append(struct.pack("<BHH", 0, len(token), 0xFFFF ^ len(token)) + token)
            parts.append(compressed)
            crc = _crc32_combine(crc, zlib.crc32(token), len(token))
            crc = _crc32_combine(crc, piece_crc, length)
            size += len(token) + length
        parts.append(struct.pack("<II", crc, size & 0xFFFFFFFF))
        return b"".join(parts)


def _without_tokens(content: bytes) -> list[bytes] | None:
    """The text around each form's CSRF token, or None if a token is anywhere else."""
    pieces, start = [], 0
    while (found := content.find(TOKEN_FIELD, start)) != -1:
        token_start = found + len(TOKEN_FIELD)
        if not TOKEN.match(content, token_start):
            return None
        pieces.append(content[start:token_start])
        start = token_start + 64
    pieces.append(content[start:])
    if any(b"csrfmiddlewaretoken" in piece[: -len(TOKEN_FIELD)] for piece in pieces[:-1]) or (
        b"csrfmiddlewaretoken" in pieces[-1]
    ):
        return None
    return pieces


GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # deflate, no name, no time, any OS


# CRC-32 of two texts joined, from the CRC-32 of each and the second's length, as zlib's
# crc32_combine() (which Python's zlib does not offer) works it out: the first CRC moved on by
# the second text's length in zero bits (a product modulo the CRC's polynomial), then added.
_POLYNOMIAL = 0xEDB88320


def _multiply(a: int, b: int) -> int:
    """a × b modulo the polynomial, both in zlib's reflected bit order."""
    m, product = 1 << 31, 0
    while True:
        if a & m:
            product ^= b
            if not a & (m - 1):
                return product
        m >>= 1
        b = (b >> 1) ^ _POLYNOMIAL if b & 1 else b >> 1


_X_TO_2_TO_THE = [1 << 30]  # x^(2^n) modulo the polynomial, for n = 0, 1, ...
for _ in range(31):
    _X_TO_2_TO_THE.append(_multiply(_X_TO_2_TO_THE[-1], _X_TO_2_TO_THE[-1]))


@lru_cache(maxsize=4096)
def _zeros(length: int) -> int:
    """x^(8 × length) modulo the polynomial: moving a CRC on by `length` bytes multiplies by it."""
    product, n, k = 1 << 31, length, 3
    while n:
        if n & 1:
            product = _multiply(_X_TO_2_TO_THE[k & 31], product)
        n >>= 1
        k += 1
    return product


def _crc32_combine(crc1: int, crc2: int, length2: int) -> int:
    return _multiply(_zeros(length2), crc1) ^ crc2
