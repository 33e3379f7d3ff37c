"""
What a page tells link previews and search engines about itself: the Open Graph and Twitter card
tags every page carries (templates/_page_meta.html), and the schema.org description of a question
and its published contributions that a question's page carries as JSON-LD.

Both are part of the cached page, so they are made only of the page's content and its canonical
address (MIA_SITE_URL and the page's path, without a visitor's query string), never of who asks.
"""

import html
import json
import re

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.templatetags.static import static
from django.utils.html import strip_tags

from debates.models import Contribution, Question
from debates.threads import ThreadPage, page_url

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
    Two queries: the question's first version, and the contributions' names and texts.
    """
    first_version = (
        question.history.order_by("history_date").values_list("history_date", flat=True).first()
    )
    shown = _published_pks(thread.nodes)
    contributions = {
        c.pk: c for c in Contribution.objects.published().filter(pk__in=shown).only(*COMMENT_FIELDS)
    }
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
    if first_version:
        posting["datePublished"] = first_version
    comments = _comments(thread.nodes, contributions, address)
    if comments:
        posting["comment"] = comments
    return posting


def _published_pks(nodes) -> list[int]:
    pks = []
    for node in nodes:
        if not node.is_placeholder:
            pks.append(node.contribution.pk)
        pks += _published_pks(node.children)
    return pks


def _comments(nodes, contributions: dict[int, Contribution], address: str) -> list[dict]:
    """The nodes' published contributions as Comments; a placeholder's replies take its place."""
    comments = []
    for node in nodes:
        c = contributions.get(node.contribution.pk)
        replies = _comments(node.children, contributions, address)
        if node.is_placeholder or c is None:
            comments += replies
            continue
        comment = {
            "@type": "Comment",
            "url": f"{address}#{c.anchor}",
            "author": {"@type": "Person", "name": c.author_name},
            "datePublished": c.published_at,
            # A paper sent with no words of its own is still described by its name.
            "text": summary(c.body_html, COMMENT_CHARS) or c.title or c.attachment_name,
        }
        if c.title:
            comment["headline"] = c.title
        if c.edited_at:
            comment["dateModified"] = c.edited_at
        if replies:
            comment["comment"] = replies
        comments.append(comment)
    return comments
