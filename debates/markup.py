"""
Contributors write Markdown; readers get sanitised HTML. This is the one place that turns the one
into the other, so the libraries behind it can be swapped without touching any caller.
"""

import xml.etree.ElementTree as etree

import bleach
import markdown
from bleach.linkifier import Linker
from markdown.treeprocessors import Treeprocessor

ALLOWED_TAGS = frozenset(
    {"p", "br", "em", "strong", "ul", "ol", "li", "blockquote", "code", "pre", "a", "hr"}
)
ALLOWED_ATTRIBUTES = {"a": ["href", "title", "rel"]}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow ugc noopener"


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


def render_markdown(text: str) -> str:
    """Render a contributor's Markdown to HTML that is safe to print on a public page."""
    html = _markdown_without_raw_html().convert(text or "")
    cleaned = bleach.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        protocols=ALLOWED_PROTOCOLS,
        strip=True,
        strip_comments=True,
    )
    return _linker.linkify(cleaned)
