"""Readable plain text from an HTML mail body, for mail that has no plain-text part."""

import re
import urllib.parse
from html.parser import HTMLParser

# HTML to text ------------------------------------------------------------------------------------


def html_to_text(html: str) -> str:
    """
    Readable plain text from an HTML body: what a reader would see, without the markup.

    Paragraphs and headings are separated by a blank line, <br> and block elements start a new
    line, list items become "- item" lines, links keep their address as "text (https://…)",
    quotations are prefixed with "> ", and scripts, styles and the head are left out.
    """
    converter = _HtmlToText()
    converter.feed(html)
    converter.close()
    return converter.text()


class _HtmlToText(HTMLParser):
    _SKIPPED = frozenset({"head", "script", "style", "template", "title"})
    _PARAGRAPHS = frozenset(
        {"blockquote", "dl", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "p", "pre", "table"}
    )
    _LINES = frozenset(
        {
            "address",
            "article",
            "aside",
            "caption",
            "center",
            "dd",
            "details",
            "div",
            "dt",
            "figcaption",
            "figure",
            "footer",
            "form",
            "header",
            "li",
            "main",
            "nav",
            "ol",
            "section",
            "summary",
            "tr",
            "ul",
        }
    )
    _SPACE = re.compile(r"[ \t\n\r\f]+")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._parts: list[str] = []
        self._newlines = 0  # how many newlines the output currently ends with
        self._skipping = 0
        self._pre = 0
        self._quote = 0
        self._lists: list[str] = []
        self._links: list[tuple[str, int]] = []  # (href, index in _parts where its text starts)

    def text(self) -> str:
        text = "".join(self._parts).replace("\xa0", " ")
        # A line that is exactly "-- " introduces a signature; keep its space for the stripper.
        lines = [line if line == "-- " else line.rstrip() for line in text.split("\n")]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body":
            self._skipping = 0  # a <head> that was never closed
        if tag in self._SKIPPED:
            self._skipping += 1
        if self._skipping:
            return
        self._block_boundary(tag)
        if tag == "br":
            self._emit("\n")
        elif tag == "pre":
            self._pre += 1
        elif tag == "blockquote":
            self._quote += 1
        elif tag in ("ul", "ol"):
            self._lists.append(tag)
        elif tag == "li":
            self._write("  " * max(len(self._lists) - 1, 0) + "- ")
        elif tag in ("td", "th") and not self._at_space():
            self._emit(" ")
        elif tag == "a":
            self._links.append((dict(attrs).get("href") or "", len(self._parts)))

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIPPED:
            self._skipping = max(self._skipping - 1, 0)
            return
        if self._skipping:
            return
        if tag == "pre":
            self._pre = max(self._pre - 1, 0)
        elif tag == "blockquote":
            self._quote = max(self._quote - 1, 0)
        elif tag in ("ul", "ol") and self._lists:
            self._lists.pop()
        elif tag == "a" and self._links:
            self._end_link(*self._links.pop())
        self._block_boundary(tag)

    def handle_data(self, data: str) -> None:
        if self._skipping:
            return
        if not self._pre:
            data = self._SPACE.sub(" ", data)
            if self._at_space():
                data = data.lstrip(" ")
        self._write(data)

    def _block_boundary(self, tag: str) -> None:
        if tag in self._PARAGRAPHS or (tag in ("ul", "ol") and not self._lists):
            self._emit("\n" * max(2 - self._newlines, 0) if self._parts else "")
        elif tag in self._LINES and self._parts and not self._newlines:
            self._emit("\n")

    def _end_link(self, href: str, start: int) -> None:
        label = "".join(self._parts[start:]).strip()
        scheme = urllib.parse.urlsplit(href).scheme.lower()
        target = href.removeprefix("mailto:") if scheme == "mailto" else href
        if scheme not in ("http", "https", "mailto") or not label:
            return
        if target.rstrip("/") not in label:
            self._write(f" ({target})")

    def _write(self, text: str) -> None:
        if text and self._quote and (not self._parts or self._newlines):
            self._emit("> " * self._quote)
        self._emit(text)

    def _emit(self, text: str) -> None:
        if not text:
            return
        self._parts.append(text)
        trailing = len(text) - len(text.rstrip("\n"))
        self._newlines = self._newlines + trailing if trailing == len(text) else trailing

    def _at_space(self) -> bool:
        return not self._parts or self._parts[-1][-1] in " \n"
