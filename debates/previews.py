"""
What a page tells link previews and search engines about itself: the Open Graph and Twitter card
tags every page carries (templates/_page_meta.html), and the schema.org description of a question
and its published contributions that a question's page carries as JSON-LD.

Both are part of the cached page, so they are made only of the page's content and its canonical
address (MIA_SITE_URL and the page's path, without a visitor's query string), never of who asks.
"""

import contextlib
import html
import json
import re

from django.conf import settings
from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.templatetags.static import static
from django.utils.html import strip_tags

from debates.cache import CACHE_ERRORS, local_copies
from debates.fragments import FRAGMENT_SECONDS
from debates.models import Contribution, Question
from debates.threads import Continued, Node, Shown, ThreadPage, page_url

# The site's logo as a link preview's image (templates/_page_meta.html), and the organisation's.
LOGO = "img/mia-logo.png"
# Open Graph names a locale by language and country; the site's languages, as its readers use them.
OG_LOCALES = {"da": "da_DK", "en": "en_GB"}
# Room for a description in a link preview: LinkedIn and Teams show two or three lines of it.
DESCRIPTION_CHARS = 200
# Each contribution's text in the JSON-LD: enough to say what it is about, and a page with many
# contributions does not carry all their words twice.
COMMENT_CHARS = 500
ELLIPSIS = "…"
# Each contribution's Comment in the cache, by the digest of what its page shows; the number
# changes with what a Comment is made of, so that a release never reads an older kind.
COMMENT_KEY = "mia:comment:1:"
# What a Comment says of a contribution: all of it shown on the page (debates/_reply.html) too.
COMMENT_FIELDS = (
    "pk",
    "author_name",
    "title",
    "body_html",
    "attachment_name",
    "published_at",
    "edited_at",
)
_BLOCK_TAG = re.compile(r"<(?=/?(?:p|br|li|ul|ol|h[1-6]|blockquote|pre|div|hr|table|tr|td|th)\b)")
# What a JSON text inside <script> may not hold as it is, written as JSON's escapes instead.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def shorten(text: str, limit: int = DESCRIPTION_CHARS) -> str:
    """The text on one line, cut at a word boundary with an ellipsis if it is longer than limit."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - len(ELLIPSIS) + 1]
    space = cut.rfind(" ")
    cut = cut[:space] if space > limit // 2 else cut[: limit - len(ELLIPSIS)]
    return cut.rstrip(" ,;:.–-") + ELLIPSIS


def plain_text(sanitised_html: str) -> str:
    """The words of HTML the site has sanitised, as plain text: a space where a block ends."""
    return html.unescape(strip_tags(_BLOCK_TAG.sub(" <", sanitised_html)))


def summary(sanitised_html: str, limit: int = DESCRIPTION_CHARS) -> str:
    return shorten(plain_text(sanitised_html), limit)


def absolute(path: str) -> str:
    return f"{settings.MIA_SITE_URL}{path}"


def json_ld(data: dict) -> str:
    """The data as JSON that cannot end the <script> element it is written into."""
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_SCRIPT_ESCAPES)


def institution() -> dict:
    return {
        "@type": "Organization",
        "name": settings.MIA_INSTITUTION["name"],
        "url": absolute("/"),
        "logo": absolute(static(LOGO)),
    }


def discussion_posting(question: Question, thread: ThreadPage) -> dict:
    """
    The question as a schema.org DiscussionForumPosting on a page of its thread, with every
    published contribution that page shows as a Comment, nested as the thread nests them.
    The question comes annotated `with_first_version()`. One query, for the contributions whose
    words are neither in the cache nor loaded by the page already.
    """
    address = absolute(page_url(question, thread.number))
    organisation = institution()
    posting = {
        "@context": "https://schema.org",
        "@type": "DiscussionForumPosting",
        "@id": absolute(question.get_absolute_url()),
        "url": address,
        "headline": question.title,
        "text": question.text,
        "inLanguage": "da",
        "author": organisation,
        "publisher": organisation,
        "isAccessibleForFree": True,
        "interactionStatistic": {
            "@type": "InteractionCounter",
            "interactionType": "https://schema.org/CommentAction",
            "userInteractionCount": thread.reply_count,
        },
    }
    if question.first_version_at:
        posting["datePublished"] = question.first_version_at
    comments = _comments(thread.nodes, _described(thread.nodes), address)
    if comments:
        posting["comment"] = comments
    return posting


def _described(nodes: list[Node]) -> dict[int, dict]:
    """
    What a Comment says of each published contribution besides its place and date: from the
    cache, under the digest of what the page shows of it (threads.Shown), or from the database.
    A contribution the page has just loaded whole (debates/fragments.py) is described as it is,
    and kept in the cache for the next time the page is built.
    """
    published = [n.contribution for n in _walk(nodes) if not n.is_placeholder]
    keys = {c.pk: COMMENT_KEY + c.digest for c in published}
    described, new = {}, {}
    for c in published:
        if not isinstance(c, Shown):
            described[c.pk] = new[keys[c.pk]] = _description(c)
            local_copies.put(keys[c.pk], described[c.pk], _size(described[c.pk]))
    for pk, key in keys.items():
        if (found := local_copies.get(key)) is not None:
            described[pk] = found
    wanted = [key for pk, key in keys.items() if pk not in described]
    if wanted:
        try:
            fetched = cache.get_many(wanted)
        except CACHE_ERRORS:
            fetched = {}
        for pk, key in keys.items():
            if key in fetched:
                described[pk] = fetched[key]
                local_copies.put(key, fetched[key], _size(fetched[key]))
    missing = [pk for pk in keys if pk not in described]
    if missing:
        for c in Contribution.objects.published().filter(pk__in=missing).only(*COMMENT_FIELDS):
            described[c.pk] = new[keys[c.pk]] = _description(c)
            local_copies.put(keys[c.pk], described[c.pk], _size(described[c.pk]))
    if new:
        with contextlib.suppress(*CACHE_ERRORS):
            cache.set_many(new, timeout=FRAGMENT_SECONDS)
    return described


def _description(c: Contribution) -> dict:
    description = {
        "author": {"@type": "Person", "name": c.author_name},
        # A paper sent with no words of its own is still described by its name.
        "text": summary(c.body_html, COMMENT_CHARS) or c.title or c.attachment_name,
    }
    if c.title:
        description["headline"] = c.title
    if c.edited_at:
        description["dateModified"] = c.edited_at
    return description


def _size(description: dict) -> int:
    return len(description["text"]) + len(description.get("headline", "")) + 200


def _walk(nodes: list[Node]):
    for node in nodes:
        # Replies continued from an earlier page: their parent is not shown here.
        if not isinstance(node, Continued):
            yield node
        yield from _walk(node.children)


def _comments(nodes: list[Node], described: dict[int, dict], address: str) -> list[dict]:
    """The nodes' published contributions as Comments; a placeholder's replies take its place."""
    comments = []
    for node in nodes:
        replies = _comments(node.children, described, address)
        # Replies continued from an earlier page stand at the top, as under a placeholder.
        if isinstance(node, Continued):
            comments += replies
            continue
        c = node.contribution
        if node.is_placeholder or c.pk not in described:
            comments += replies
            continue
        comment = {
            "@type": "Comment",
            "url": f"{address}#{c.anchor}",
            "datePublished": c.published_at,
            **described[c.pk],
        }
        if replies:
            comment["comment"] = replies
        comments.append(comment)
    return comments
