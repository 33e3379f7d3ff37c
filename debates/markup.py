"""
Contributors write Markdown; readers get sanitised HTML. This is the one place that turns the one
into the other, so the libraries behind it can be swapped without touching any caller.

The work is bounded for any input: Python-Markdown has quadratic paths (a run of unclosed `[`,
setext underlines, horizontal rules, emphasis) and recursion that deep nesting exhausts, so a text
is rendered as Markdown only up to the form's length limit and within a CPU-time budget. Whatever
does not fit, a longer mail or a text that runs out of time, is shown as the plain text typed.
"""

import html
import re
import time
import xml.etree.ElementTree as etree

import bleach
import markdown
from bleach.linkifier import Linker
from django.conf import settings
from markdown.treeprocessors import Treeprocessor

ALLOWED_TAGS = frozenset(
    {"p", "br", "em", "strong", "ul", "ol", "li", "blockquote", "code", "pre", "a", "hr"}
)
ALLOWED_ATTRIBUTES = {"a": ["href", "title", "rel"]}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow ugc noopener"

# CPU seconds one text may spend in the Markdown renderer; a normal text at the length limit
# needs a tenth of that, so only text shaped to exhaust the renderer falls back to plain text.
RENDER_BUDGET_SECONDS = 0.25

_BLANK_LINES = re.compile(r"\n\s*\n")


class _OverBudget(Exception):
    pass


def _set_link_rel(attrs, new=False):
    attrs[(None, "rel")] = LINK_REL
    return attrs


# No skip_tags: bleach escapes the text of skipped tags a second time.
_linker = Linker(callbacks=[_set_link_rel], parse_email=False)


class _HeadingsAsBoldParagraphs(Treeprocessor):
    """A contributor's "# Heading" must not compete with the page's own headings."""

    def run(self, root):
        for element in root.iter():
            if element.tag in {"h1", "h2", "h3", "h4", "h5", "h6"}:
                text, children, tail = element.text, list(element), element.tail
                element.clear()
                element.tag, element.tail = "p", tail
                strong = etree.SubElement(element, "strong")
                strong.text = text
                strong.extend(children)


def _markdown_without_raw_html():
    md = markdown.Markdown(extensions=["sane_lists", "fenced_code"], output_format="html")
    # Raw HTML and images are not for contributors: both show as the text that was typed.
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    md.inlinePatterns.deregister("image_link")
    md.inlinePatterns.deregister("image_reference")
    md.inlinePatterns.deregister("short_image_ref")
    md.treeprocessors.register(_HeadingsAsBoldParagraphs(md), "headings_as_bold", 5)
    return md


def _on_the_clock(function, deadline):
    def checked(*args, **kwargs):
        if time.thread_time() > deadline:
            raise _OverBudget
        return function(*args, **kwargs)

    return checked


def _with_budget(md, seconds):
    """Every step of the renderer first checks the clock; the steps are where the time goes."""
    deadline = time.thread_time() + seconds
    for processor in md.inlinePatterns:
        processor.handleMatch = _on_the_clock(processor.handleMatch, deadline)
    for processor in md.parser.blockprocessors:
        processor.test = _on_the_clock(processor.test, deadline)
        processor.run = _on_the_clock(processor.run, deadline)
    for registry in (md.preprocessors, md.treeprocessors, md.postprocessors):
        for processor in registry:
            processor.run = _on_the_clock(processor.run, deadline)
    return md


def _as_markdown(text):
    md = _with_budget(_markdown_without_raw_html(), RENDER_BUDGET_SECONDS)
    try:
        html_text = md.convert(text)
    except (_OverBudget, RecursionError):
        return None
    cleaned = bleach.clean(
        html_text,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        protocols=ALLOWED_PROTOCOLS,
        strip=True,
        strip_comments=True,
    )
    return _linker.linkify(cleaned)


def _as_plain_paragraphs(text):
    """The text as typed: escaped, one paragraph per blank-line-separated block."""
    return "\n".join(
        "<p>{}</p>".format(html.escape(block.strip()).replace("\n", "<br>\n"))
        for block in _BLANK_LINES.split(text)
        if block.strip()
    )


def _split_at_paragraph(text, limit):
    """The text up to the limit, ending at a paragraph break where there is one, and the rest."""
    if len(text) <= limit:
        return text, ""
    cut = text.rfind("\n\n", 0, limit)
    if cut <= 0:
        cut = limit
    return text[:cut], text[cut:]


def render_markdown(text: str) -> str:
    """Render a contributor's Markdown to HTML that is safe to print on a public page."""
    head, rest = _split_at_paragraph(text or "", settings.MIA_MAX_TEXT_CHARS)
    rendered = _as_markdown(head)
    if rendered is None:
        return _as_plain_paragraphs(text or "")
    if rest:
        return "\n".join(part for part in (rendered, _as_plain_paragraphs(rest)) if part)
    return rendered
