"""
A thread as HTML, put together from each contribution's own HTML, which is cached.

A contribution's HTML (debates/_reply.html) is cached under a digest of everything it shows: its
text, names, dates, its place and what it answers, its question's state, the language and the
release. A change to any of them is a new key, so a fragment is never stale and never needs
forgetting; a page rebuilt after a publish renders only what is new and fetches the rest in one
round trip to the cache. The nesting around the fragments is written here, not by a template
included once per reply: the replies under a contribution fold under a summary that names them,
and replies whose parent is on an earlier page stand under a note that links to it.
"""

import contextlib
import hashlib

from django.core.cache import cache
from django.template.loader import get_template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from debates.cache import CACHE_ERRORS, local_copies, release
from debates.models import Contribution, Question
from debates.threads import SHOWN_FIELDS, Continued, Node, Shown

TEMPLATE = "debates/_reply.html"
# Unused fragments leave the cache after a week; a page that needs one again renders it again.
FRAGMENT_SECONDS = 7 * 24 * 60 * 60


def render_thread(nodes: list[Node | Continued], *, question: Question) -> SafeString:
    """The thread's nodes, nested as ordered lists, each contribution from the cache if it can."""
    every = list(_walk(nodes))  # as build_thread_page gives them: published ones are Shown
    prefix = f"mia:reply:{release()}:{get_language()}:"
    keys = {id(node): prefix + _digest(node, question) for node in every}
    found = {}
    for key in keys.values():
        if (html := local_copies.get(key)) is not None:
            found[key] = html
    if len(found) < len(keys):
        try:
            fetched = cache.get_many([key for key in keys.values() if key not in found])
        except CACHE_ERRORS:
            fetched = {}  # rendered below, as if new
        for key, html in fetched.items():
            local_copies.put(key, html, len(html))
        found.update(fetched)
    unrendered = [node for node in every if keys[id(node)] not in found]
    if unrendered:
        missing = {}
        template = get_template(TEMPLATE)
        _load_whole(unrendered, question)
        for node in unrendered:
            key = keys[id(node)]
            html = template.render({"node": node, "question": question})
            found[key] = missing[key] = html
            local_copies.put(key, html, len(html))
        with contextlib.suppress(*CACHE_ERRORS):
            cache.set_many(missing, timeout=FRAGMENT_SECONDS)
    replies_label = format_html(' aria-label="{}"', _("Replies"))
    parts = []
    _write(nodes, parts, lambda node: found[keys[id(node)]], replies_label)
    # The fragments are rendered templates, escaped as any; the markup around them is ours.
    return mark_safe("".join(parts))


def _load_whole(nodes: list[Node], question: Question) -> None:
    """
    Give the nodes to render, and those they answer, their whole contribution in place of the
    digest a page is put together from: one query, only for what is not in the cache.
    """
    wanted = {}
    for node in nodes:
        for needed in (node, node.answers):
            if needed is not None and isinstance(needed.contribution, Shown):
                wanted[needed.contribution.pk] = needed
    if not wanted:
        return
    for contribution in Contribution.objects.filter(pk__in=wanted).only(*SHOWN_FIELDS):
        contribution.question = question
        # The digest of what it shows stays with it: the page's other parts are cached by it.
        contribution.digest = wanted[contribution.pk].contribution.digest
        wanted[contribution.pk].contribution = contribution


def _walk(nodes):
    """The nodes to render, in thread order; what a note names is not one of them."""
    for node in nodes:
        if not isinstance(node, Continued):
            yield node
        yield from _walk(node.children)


def _write(nodes, parts, fragment, replies_label):
    for node in nodes:
        if isinstance(node, Continued):
            parts.append('<li class="reply-item thread-continued">')
            parts.append(
                format_html(
                    '<p class="thread-continued-note"><a href="{}">{}</a></p>',
                    node.url,
                    _continued(node.parent),
                )
            )
            parts.append(f'<ol class="thread list-unstyled"{replies_label}>')
            _write(node.children, parts, fragment, replies_label)
            parts.append("</ol></li>")
            continue
        parts.append(f'<li class="reply-item depth-{int(node.contribution.depth)}">')
        parts.append(fragment(node))
        if node.children:
            # Open by default; a reader folds what they have read, without JavaScript.
            folded = sum(1 for _reply in _walk(node.children))
            parts.append(
                format_html(
                    '<details class="thread-fold" open><summary>{}</summary>',
                    _replies_to(node, folded),
                )
            )
            parts.append(f'<ol class="thread list-unstyled"{replies_label}>')
            _write(node.children, parts, fragment, replies_label)
            parts.append("</ol></details>")
        if node.more:
            parts.append(
                format_html(
                    '<p class="thread-more-note"><a href="{}">{}</a></p>',
                    node.more[1],
                    _more_replies(node),
                )
            )
        parts.append("</li>")


def _replies_to(node: Node, count: int) -> str:
    """What a fold holds: how many replies, to whom."""
    if node.is_placeholder:
        return ngettext(
            "%(count)s reply to a contribution that is no longer shown",
            "%(count)s replies to a contribution that is no longer shown",
            count,
        ) % {"count": count}
    return ngettext("%(count)s reply to %(name)s", "%(count)s replies to %(name)s", count) % {
        "count": count,
        "name": node.contribution.author_name,
    }


def _more_replies(node: Node) -> str:
    """The link at the end of a page to where the replies under a contribution go on."""
    number = node.more[0]
    if node.is_placeholder:
        return _("More replies to a contribution that is no longer shown, on page %(number)s") % {
            "number": number
        }
    return _("More replies to %(name)s on page %(number)s") % {
        "name": node.contribution.author_name,
        "number": number,
    }


def _continued(node: Node) -> str:
    """The note above replies whose parent is on an earlier page."""
    if node.is_placeholder:
        return _("Continued: replies to a contribution that is no longer shown")
    return _("Continued: replies to %(name)s") % {"name": node.contribution.author_name}


def _digest(node: Node, question: Question) -> str:
    """A digest of everything debates/_reply.html shows of the node (see threads.Shown)."""
    c = node.contribution
    if node.is_placeholder:
        # A placeholder shows its place and whether it was withdrawn, and carries nothing else.
        shown = (c.pk, c.status, c.depth)
    else:
        answers = node.answers.contribution if node.answers else None
        shown = (
            c.pk,
            c.status,
            c.depth,
            c.published_at and c.published_at.isoformat(),
            _content(c),
            node.is_flattened,
            answers and (answers.pk, _content(answers), node.answers.is_placeholder),
            node.answers_elsewhere,
        )
    shown = (*shown, question.slug, question.is_open)
    return hashlib.blake2b(repr(shown).encode(), digest_size=16).hexdigest()


def _content(c: Shown) -> str:
    """What the database made of the contribution's shown fields (build_thread_page's nodes)."""
    return c.digest
