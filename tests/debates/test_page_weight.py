"""A question page stays light: its own HTML, CSS and JavaScript fit a budget, compressed."""

import gzip
from html.parser import HTMLParser

from django.conf import settings
from django.contrib.staticfiles import finders
from django.utils.html import escape

from tests.factories import make_contribution, make_early_thread

# What a reader downloads for a question page, apart from the thread's own text, gzip-compressed.
BUDGET_BYTES = 60 * 1024
# The first page of a long thread as sent, words and all, gzip-compressed.
LONG_THREAD_PAGE_BYTES = 25 * 1024

# WhiteNoise compresses static files at gzip's highest level; a proxy typically uses 6 for pages.
STATIC_LEVEL = 9
HTML_LEVEL = 6


class _Assets(HTMLParser):
    """The stylesheets and scripts a page links, in order."""

    def __init__(self):
        super().__init__()
        self.urls = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and "stylesheet" in (attrs.get("rel") or "").split():
            self.urls.append(attrs["href"])
        elif tag == "script" and attrs.get("src"):
            self.urls.append(attrs["src"])


def linked_assets(html: str) -> list[str]:
    parser = _Assets()
    parser.feed(html)
    return parser.urls


def gzipped_size(data: bytes, level: int) -> int:
    return len(gzip.compress(data, compresslevel=level, mtime=0))


def page_weight(html: str, *, without: tuple[str, ...] = ()) -> dict[str, int]:
    """
    The gzip size of the page's HTML, with every occurrence of the strings in `without` cut out
    first, and of each stylesheet and script it links, read from the static files finders.
    """
    for text in sorted(without, key=len, reverse=True):
        assert text in html, f"not on the page: {text[:60]!r}"
        html = html.replace(text, "")
    sizes = {"HTML": gzipped_size(html.encode(), HTML_LEVEL)}
    static_url = "/" + settings.STATIC_URL.strip("/") + "/"
    for url in linked_assets(html):
        assert url.startswith(static_url), f"{url} is not one of the site's static files"
        path = finders.find(url.removeprefix(static_url))
        assert path, f"{url} is not found by the static files finders"
        with open(path, "rb") as file:
            sizes[url] = gzipped_size(file.read(), STATIC_LEVEL)
    return sizes


def add_short_contributions(question, count=50):
    """
    `count` short published contributions in threads of five (a contribution, two replies to it
    and a chain of two under the second, down to depth 4), each in words of its own; returns
    the texts as the page shows them.
    """
    texts = []
    parent = None
    for n in range(count):
        if n % 5 == 0:
            parent = top = None
        elif n % 5 in (1, 2):
            parent = top
        contribution = make_contribution(
            question=question,
            parent=parent,
            author_name=f"Deltager{n} Efternavn{n}",
            author_title=f"Stilling{n}",
            author_organisation=f"Kommune{n}",
            title=f"Overskrift nummer {n}" if parent is None else "",
            body=(
                f"Indlæg {n} om lederens roller. Erfaring{n} viser, at **rum{n}** til at prøve "
                f"noget nyt betyder mere end planen{n}."
            ),
        )
        top = top or contribution
        parent = contribution
        texts += [
            escape(contribution.author_name),
            escape(contribution.affiliation),
            contribution.body_html,
        ]
        if contribution.title:
            texts.append(escape(contribution.title))
    return texts


def test_a_question_page_with_fifty_contributions_stays_within_its_budget(
    client, question, settings
):
    """
    What a reader downloads for a question page with 50 short contributions: its HTML as the
    test client renders it, plus every stylesheet and script the page links, each gzipped alone.
    Only the contributions' own words (author, affiliation, title, body) are cut from the HTML
    before it is measured; their markup (headers, dates, the Report, Reply and Link controls,
    the nesting) counts, and so does everything else on the page.
    """
    settings.MIA_CONTRIBUTIONS_PER_PAGE = 50
    texts = add_short_contributions(question, 50)

    response = client.get(question.get_absolute_url())

    html = response.content.decode()
    assert html.count('<article class="reply"') == 50
    sizes = page_weight(html, without=tuple(texts))
    assert any(url.endswith(".css") for url in sizes), "the page links no stylesheet"
    listing = ", ".join(f"{name} {size / 1024:.1f} KB" for name, size in sizes.items())
    assert sum(sizes.values()) < BUDGET_BYTES, listing


def test_the_first_page_of_a_thousand_contributions_gathered_round_the_first_ones_is_light(
    client, question
):
    make_early_thread(question, 1000)

    html = client.get(question.get_absolute_url()).content

    assert 0 < html.count(b'<article class="reply"') <= settings.MIA_CONTRIBUTIONS_PER_PAGE
    assert gzipped_size(html, HTML_LEVEL) <= LONG_THREAD_PAGE_BYTES
