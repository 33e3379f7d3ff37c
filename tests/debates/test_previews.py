"""
Link previews and search engines: every public page says what it is in Open Graph and Twitter
card tags, and a question's page describes the question and its published contributions in
schema.org's JSON-LD, with nothing a reader of the page could not read on it.
"""

import json
import re
import struct
from datetime import datetime
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.test import Client
from django.utils import timezone, translation

from debates.models import Contribution, Workshop
from debates.previews import COMMENT_CHARS, DESCRIPTION_CHARS, LOGO, shorten
from moderation import services
from tests.factories import make_contribution

Status = Contribution.Status
PUBLIC_PAGES = [
    "/",
    "/workshops/",
    "/workshops/5/",
    "/workshops/5/konklusioner/",
    "/debat/lederens-roller/",
    "/soeg/",
    "/debatten-i-tal/",
    "/tilgaengelighed/",
    "/retningslinjer/",
    "/privatliv/",
]


class Head(HTMLParser):
    """The page's <meta> tags by name or property, its canonical links, and its JSON-LD."""

    def __init__(self):
        super().__init__()
        self.meta: dict[str, list[str]] = {}
        self.json_ld: list[str] = []
        self._in_json_ld = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and (attrs.get("property") or attrs.get("name")):
            key = attrs.get("property") or attrs["name"]
            self.meta.setdefault(key, []).append(attrs.get("content"))
        self._in_json_ld = tag == "script" and attrs.get("type") == "application/ld+json"
        if self._in_json_ld:
            self.json_ld.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_json_ld = False

    def handle_data(self, data):
        if self._in_json_ld:
            self.json_ld[-1] += data

    def one(self, key):
        values = self.meta.get(key, [])
        assert len(values) == 1, f"{key}: {values}"
        return values[0]

    def structured_data(self):
        assert len(self.json_ld) == 1, self.json_ld
        return json.loads(self.json_ld[0])


def head_of(client, url, **extra):
    response = client.get(url, **extra)
    assert response.status_code == 200, url
    head = Head()
    head.feed(response.content.decode())
    return head


def all_comments(posting):
    for comment in posting.get("comment", []):
        yield comment
        yield from all_comments(comment)


@pytest.fixture
def reader():
    return Client()


# Open Graph and Twitter cards --------------------------------------------------------------------


@pytest.mark.parametrize("url", PUBLIC_PAGES)
@pytest.mark.parametrize(
    ("language", "locale", "alternate"), [("da", "da_DK", "en_GB"), ("en", "en_GB", "da_DK")]
)
def test_every_public_page_describes_itself_to_link_previews(
    reader, seeded, url, language, locale, alternate
):
    path = url if language == "da" else f"/en{url}"

    head = head_of(reader, path)

    assert head.one("og:type") in ("website", "article")
    assert head.one("og:title").strip()
    description = head.one("og:description")
    assert 0 < len(description) <= DESCRIPTION_CHARS
    assert head.one("description") == description
    assert head.one("og:url") == settings.MIA_SITE_URL + path
    assert head.one("og:site_name") == ("MIA-debatten" if language == "da" else "The MIA debate")
    assert head.one("og:locale") == locale
    assert head.one("og:locale:alternate") == alternate
    assert head.one("twitter:card") == "summary"
    assert head.one("og:image") == settings.MIA_SITE_URL + static(LOGO)
    assert head.one("og:image:alt")
    everything = " ".join(value for values in head.meta.values() for value in values)
    assert "@" not in everything, everything
    assert "<" not in everything, everything


def test_a_feed_opened_in_a_browser_is_previewed_as_the_page_about_it(reader, question):
    head = head_of(reader, f"/debat/{question.slug}/feed/", HTTP_ACCEPT="text/html")

    assert head.one("og:title") == f"MIA-debatten: {question.title}"
    assert head.one("og:url") == f"{settings.MIA_SITE_URL}/debat/{question.slug}/feed/"
    assert head.one("og:description") == head.one("description")


def test_the_preview_image_is_the_sites_own_square_png_of_the_size_the_tags_give(reader, seeded):
    head = head_of(reader, "/")

    with open(finders.find(LOGO), "rb") as file:
        png = file.read()

    assert head.one("og:image").startswith(settings.MIA_SITE_URL + "/")
    assert head.one("og:image:type") == "image/png"
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert png[12:16] == b"IHDR"
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (int(head.one("og:image:width")), int(head.one("og:image:height")))
    # Twitter's summary card takes a square image of at least 144 pixels.
    assert width == height >= 144


def test_a_page_names_itself_in_its_title_and_describes_itself_in_its_own_words(reader, seeded):
    workshop = Workshop.objects.get(number=5)
    workshop.description = "Om **ledelse** af innovation i den offentlige sektor.\n\n" + (
        "Ledere skal skabe rum til at prøve noget nyt. " * 10
    )
    workshop.save()

    head = head_of(reader, workshop.get_absolute_url())

    assert head.one("og:title") == workshop.title
    description = head.one("og:description")
    assert description.startswith("Om ledelse af innovation i den offentlige sektor. Ledere skal")
    assert description.endswith("…")
    assert description.removesuffix("…").split()[-1] in workshop.description.split()
    assert len(description) <= DESCRIPTION_CHARS


def test_a_question_is_previewed_with_its_title_and_its_text(reader, question):
    head = head_of(reader, question.get_absolute_url())

    assert head.one("og:type") == "article"
    assert head.one("og:title") == question.title
    assert head.one("og:description") == shorten(question.text)
    assert head.one("og:site_name") == "MIA-debatten"


def test_a_long_text_is_cut_at_a_word_with_an_ellipsis():
    text = "Hvordan skaber ledere rum til innovation, når budgetterne er stramme? " * 5

    short = shorten(text, 61)

    assert short == "Hvordan skaber ledere rum til innovation, når budgetterne er…"
    assert len(short) <= 61
    assert shorten(text, 60) == "Hvordan skaber ledere rum til innovation, når budgetterne…"
    assert shorten("Kort  og\n godt.", 60) == "Kort og godt."


def test_the_address_in_a_preview_carries_no_query_of_the_visitor(reader, question):
    url = question.get_absolute_url()
    cached = head_of(reader, url)

    # A query the page does not read: built for this visitor and not kept, the same tags.
    visited = head_of(reader, url + "?utm_source=linkedin&fbclid=abc")

    assert visited.meta == cached.meta
    assert visited.structured_data() == cached.structured_data()
    assert cached.one("og:url") == settings.MIA_SITE_URL + url
    assert cached.structured_data()["url"] == settings.MIA_SITE_URL + url
    assert "utm_source" not in str(visited.structured_data())


def test_a_later_page_of_a_thread_is_previewed_at_its_own_address(reader, question, settings):
    settings.MIA_CONTRIBUTIONS_PER_PAGE = 1
    first = make_contribution(question=question, author_name="Første Skribent")
    second = make_contribution(question=question, author_name="Anden Skribent")
    url = question.get_absolute_url()

    head = head_of(reader, url + "?side=2")

    assert head.one("og:url") == f"{settings.MIA_SITE_URL}{url}?side=2"
    posting = head.structured_data()
    assert posting["@id"] == settings.MIA_SITE_URL + url
    assert [c["url"] for c in all_comments(posting)] == [
        f"{settings.MIA_SITE_URL}{url}?side=2#{second.anchor}"
    ]
    assert first.author_name not in json.dumps(posting, ensure_ascii=False)


# Structured data -------------------------------------------------------------------------------


def test_a_question_page_describes_the_question_and_its_contributions_for_search_engines(
    reader, question
):
    top = make_contribution(
        question=question,
        author_name="Mette Frederiksen-Hansen",
        title="Rum til at fejle",
        body="Ledere skal give **plads** til forsøg.\n\nOgså når de mislykkes.",
    )
    reply = make_contribution(question=question, parent=top, title="", body="Helt enig.")
    url = question.get_absolute_url()

    posting = head_of(reader, url).structured_data()

    # Google's required properties for a DiscussionForumPosting: author, datePublished, text.
    assert posting["@context"] == "https://schema.org"
    assert posting["@type"] == "DiscussionForumPosting"
    assert posting["headline"] == question.title
    assert posting["text"] == question.text
    assert posting["url"] == settings.MIA_SITE_URL + url
    assert posting["author"] == {
        "@type": "Organization",
        "name": settings.MIA_INSTITUTION["name"],
        "url": settings.MIA_SITE_URL + "/",
        "logo": settings.MIA_SITE_URL + static(LOGO),
    }
    assert posting["publisher"]["name"] == settings.MIA_INSTITUTION["name"]
    first_version = question.history.earliest("history_date").history_date
    assert datetime.fromisoformat(posting["datePublished"]) == first_version.replace(
        microsecond=first_version.microsecond // 1000 * 1000
    )
    assert posting["interactionStatistic"]["userInteractionCount"] == 2
    # The same required properties for each comment, nested as the thread is.
    [comment] = posting["comment"]
    assert comment == {
        "@type": "Comment",
        "url": f"{settings.MIA_SITE_URL}{url}#{top.anchor}",
        "author": {"@type": "Person", "name": "Mette Frederiksen-Hansen"},
        "datePublished": comment["datePublished"],
        "text": "Ledere skal give plads til forsøg. Også når de mislykkes.",
        "headline": "Rum til at fejle",
        "comment": [
            {
                "@type": "Comment",
                "url": f"{settings.MIA_SITE_URL}{url}#{reply.anchor}",
                "author": {"@type": "Person", "name": reply.author_name},
                "datePublished": comment["comment"][0]["datePublished"],
                "text": "Helt enig.",
            }
        ],
    }
    assert datetime.fromisoformat(comment["datePublished"]) == top.published_at.replace(
        microsecond=top.published_at.microsecond // 1000 * 1000
    )


def test_a_long_contribution_is_described_by_its_first_words(reader, question):
    make_contribution(question=question, body="Innovation kræver tålmodighed. " * 100)

    [comment] = head_of(reader, question.get_absolute_url()).structured_data()["comment"]

    assert len(comment["text"]) <= COMMENT_CHARS
    assert comment["text"].endswith("tålmodighed…")


@pytest.mark.parametrize(
    "status", [Status.UNCONFIRMED, Status.PENDING, Status.REJECTED, Status.SPAM, Status.WITHDRAWN]
)
def test_nothing_unpublished_reaches_the_tags_or_the_structured_data(reader, question, status):
    hidden = make_contribution(
        question=question,
        status=status,
        author_name="Skjult Forfatter",
        author_email="skjult@example.dk",
        title="Skjult overskrift",
        body="Hemmelig tekst som ingen må se.",
    )
    # A published reply under it is shown, under a placeholder that carries nothing of it.
    reply = make_contribution(question=question, parent=hidden, author_name="Synlig Skribent")

    response = reader.get(question.get_absolute_url())

    page = response.content.decode()
    for text in ("Skjult", "Hemmelig", "skjult@example.dk"):
        assert text not in page
    head = Head()
    head.feed(page)
    posting = head.structured_data()
    comments = list(all_comments(posting))
    assert [c["author"]["name"] for c in comments] == ["Synlig Skribent"]
    assert comments[0]["url"].endswith(f"#{reply.anchor}")
    assert posting["interactionStatistic"]["userInteractionCount"] == 1
    assert "@" not in json.dumps(posting).replace('"@', "")


def test_a_contribution_cannot_break_out_of_the_structured_data(reader, question):
    attack = '</script><script>alert("x")</script><!-- & '
    make_contribution(
        question=question,
        author_name=f"Navn {attack}",
        title=f"Titel {attack}",
        body=f"Tekst `{attack}` slut.",
    )

    page = reader.get(question.get_absolute_url()).content.decode()

    head = Head()
    head.feed(page)
    [comment] = head.structured_data()["comment"]
    assert comment["author"]["name"] == f"Navn {attack}"
    assert comment["headline"] == f"Titel {attack}"
    assert attack.strip() in comment["text"]
    script = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert "<" not in script.group(1)
    assert 'alert("x")</script>' not in page


def test_a_newly_published_contribution_is_in_the_cached_page_s_structured_data(reader, question):
    url = question.get_absolute_url()
    assert "comment" not in head_of(reader, url).structured_data()

    make_contribution(question=question, author_name="Ny Skribent")

    [comment] = head_of(reader, url).structured_data()["comment"]
    assert comment["author"]["name"] == "Ny Skribent"


def test_only_a_question_page_carries_structured_data(reader, seeded):
    for url in PUBLIC_PAGES:
        head = head_of(reader, url)
        assert len(head.json_ld) == (1 if url.startswith("/debat/") else 0), url


def test_the_english_question_page_describes_the_danish_debate_at_its_english_address(
    reader, question
):
    with translation.override("en"):
        url = question.get_absolute_url()

    posting = head_of(reader, url).structured_data()

    assert url == "/en/debat/lederens-roller/"
    assert posting["url"] == settings.MIA_SITE_URL + url
    assert posting["inLanguage"] == "da"


def test_a_thread_rebuilt_from_cached_parts_is_described_as_one_built_afresh(reader, question):
    make_contribution(question=question, title="Rum til at fejle", body="Plads til *forsøg*.")
    make_contribution(question=question, title="", body="Et svar.", edited_at=timezone.now())
    url = question.get_absolute_url()

    afresh = head_of(reader, url).structured_data()
    # Each change empties the page cache; the contributions' own parts stay cached.
    make_contribution(body="Et indlæg under et andet spørgsmål.")
    from_database = head_of(reader, url).structured_data()
    make_contribution(body="Endnu et.")
    from_cache = head_of(reader, url).structured_data()

    assert afresh == from_database == from_cache
    assert [c["text"] for c in afresh["comment"]] == ["Plads til forsøg.", "Et svar."]
    assert "dateModified" in afresh["comment"][1]


def test_the_editors_correction_replaces_the_words_in_the_structured_data(
    reader, question, webmaster
):
    contribution = make_contribution(question=question, title="Før", body="Den første tekst.")
    url = question.get_absolute_url()
    head_of(reader, url)
    make_contribution(body="Et indlæg under et andet spørgsmål.")
    head_of(reader, url)

    services.edit_contribution(
        contribution=contribution,
        actor=webmaster,
        title="Efter",
        body="Den rettede tekst.",
        question=question,
    )

    [comment] = head_of(reader, url).structured_data()["comment"]
    assert comment["headline"] == "Efter"
    assert comment["text"] == "Den rettede tekst."
    assert "dateModified" in comment


def test_replies_continued_from_an_earlier_page_are_described_at_the_top(
    reader, question, settings
):
    settings.MIA_CONTRIBUTIONS_PER_PAGE = 2
    parent = make_contribution(question=question, author_name="Første Skribent")
    replies = [
        make_contribution(question=question, parent=parent, author_name=f"Svar {n}")
        for n in range(3)
    ]
    url = question.get_absolute_url()

    posting = head_of(reader, url + "?side=2").structured_data()

    assert [c["author"]["name"] for c in posting["comment"]] == ["Svar 1", "Svar 2"]
    assert parent.author_name not in json.dumps(posting, ensure_ascii=False)
    assert replies[0].author_name not in json.dumps(posting, ensure_ascii=False)
