"""Contributors' Markdown becomes HTML that is safe on a public page, and nothing more."""

from html.parser import HTMLParser

import pytest

from debates.markup import ALLOWED_TAGS, render_markdown


def elements(html):
    """Every (tag, attributes) the browser would build from the HTML."""
    found = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, dict(attrs)))

    Collector().feed(html)
    return found


@pytest.mark.parametrize(
    ("markdown", "html"),
    [
        ("*kursiv* og **fed**", "<p><em>kursiv</em> og <strong>fed</strong></p>"),
        ("- en\n- to", "<ul>\n<li>en</li>\n<li>to</li>\n</ul>"),
        ("1. en\n2. to", "<ol>\n<li>en</li>\n<li>to</li>\n</ol>"),
        ("> citat", "<blockquote>\n<p>citat</p>\n</blockquote>"),
        ("`kode`", "<p><code>kode</code></p>"),
        ("```\nif a < b:\n```", "<pre><code>if a &lt; b:\n</code></pre>"),
        ("linje et  \nlinje to", "<p>linje et<br>\nlinje to</p>"),
    ],
)
def test_the_allowed_markdown_renders(markdown, html):
    assert render_markdown(markdown) == html


def test_links_are_marked_as_user_content_that_search_engines_should_not_follow():
    html = render_markdown("Se [RUC](https://ruc.dk) og https://example.dk")
    assert html == (
        '<p>Se <a href="https://ruc.dk" rel="nofollow ugc noopener">RUC</a> og '
        '<a href="https://example.dk" rel="nofollow ugc noopener">https://example.dk</a></p>'
    )


@pytest.mark.parametrize(
    "attack",
    [
        "<script>alert(1)</script>",
        '<img src="x" onerror="alert(1)">',
        '<a href="https://ruc.dk" onclick="alert(1)">klik</a>',
        "<iframe src='https://evil.example'></iframe>",
        '<div style="position:fixed">x</div>',
        "<svg onload=alert(1)>",
    ],
)
def test_raw_html_is_shown_as_text_never_run(attack):
    html = render_markdown(attack)
    for tag, attributes in elements(html):
        assert tag in ALLOWED_TAGS
        assert not [name for name in attributes if name.startswith("on") or name == "style"]
    assert "&lt;" in html


@pytest.mark.parametrize(
    "link",
    [
        "[klik](javascript:alert(1))",
        "[klik](JaVaScRiPt:alert(1))",
        "[klik](data:text/html;base64,PHNjcmlwdD4=)",
        "[klik](vbscript:msgbox(1))",
    ],
)
def test_dangerous_link_targets_are_dropped(link):
    html = render_markdown(link)
    assert "href" not in html
    assert "klik" in html


def test_images_are_not_embedded():
    html = render_markdown("![logo](https://tracker.example/pixel.png)")
    assert "<img" not in html


def test_a_heading_does_not_compete_with_the_page_headings():
    assert render_markdown("# Min pointe") == "<p><strong>Min pointe</strong></p>"


def test_empty_text_renders_empty():
    assert render_markdown("") == ""
