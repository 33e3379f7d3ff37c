"""
Search finds what is published, in Danish: capitals, inflected forms and compounds, the same on
SQLite and on PostgreSQL (the suite runs on both), and nothing unpublished ever.
"""

import re

import pytest
from django.db import connection

from debates import search
from debates.models import Contribution, Paragraph, Question
from moderation import services
from tests.factories import make_contribution

Status = Contribution.Status
UNPUBLISHED = [s for s in Status if s != Status.PUBLISHED]
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the stored vector exists on PostgreSQL only"
)


@pytest.fixture
def debate(question):
    """Two published contributions, and one of every unpublished kind using the same words."""
    make_contribution(
        question=question,
        title="Økonomistyring lokalt",
        body="Medarbejderne kender de lokale forhold bedst.",
        author_name="Karen Holm",
    )
    make_contribution(
        question=question,
        title="Om motivation",
        body="Motivation kommer ikke af sig selv; den skal ledes.",
        author_name="Jens Berg",
    )
    for status in UNPUBLISHED:
        make_contribution(
            question=question,
            status=status,
            title=f"Hemmelig økonomistyring ({status})",
            body="Medarbejderne og motivation, ikke offentligt.",
            author_name="Karen Holm",
        )


def found(query, **kwargs):
    """{kind: set of titles} for everything a search finds."""
    results = search.find(query, **kwargs)
    return {group.kind: {hit.title for hit in group.page} for group in results.groups}


MOTIVATION_QUESTION = "Hvordan motiveres medarbejderne til innovation?"
ECONOMY_QUESTION = "Lokale økonomistyringsmodeller"
IMITATION_QUESTION = "Kan efterligning skabe innovation?"

# The same table runs on SQLite and on PostgreSQL: both must find exactly this.
QUERIES = [
    # Capitals fold for all of Unicode; a word also finds the compounds it begins.
    ("økonomistyring", {"Økonomistyring lokalt"}, {ECONOMY_QUESTION}, set()),
    ("Økonomistyring", {"Økonomistyring lokalt"}, {ECONOMY_QUESTION}, set()),
    ("ØKONOMISTYRING LOKALT", {"Økonomistyring lokalt"}, set(), set()),
    # Inflected forms share a stem.
    (
        "medarbejdere",
        {"Økonomistyring lokalt"},
        {MOTIVATION_QUESTION, IMITATION_QUESTION, "MIA 5 konklusioner"},
        set(),
    ),
    ("motiveres", {"Om motivation"}, {MOTIVATION_QUESTION}, set()),
    # Snowball keeps "motivation" whole, so it cannot reach "motiveres" (stem "motiv").
    ("motivation", {"Om motivation"}, set(), set()),
    # Names: contributors, speakers.
    ("karen holm", {"Økonomistyring lokalt"}, set(), set()),
    ("Münter", set(), {MOTIVATION_QUESTION}, {"Oplæg ved Charlotte Münter"}),
    ("halpern", set(), {IMITATION_QUESTION}, {"Oplæg ved David Halpern"}),
    # Every word must be found; stop words are not words to find.
    ("økonomistyring motivation", set(), set(), set()),
    ("og at det", set(), set(), set()),
]


@pytest.mark.parametrize(("query", "contributions", "paper", "workshops"), QUERIES)
def test_the_same_queries_find_the_same_things_on_every_database(
    debate, query, contributions, paper, workshops
):
    assert found(query) == {
        "contributions": contributions,
        "paper": paper,
        "workshops": workshops,
    }


@pytest.mark.parametrize("status", UNPUBLISHED)
def test_search_never_shows_an_unpublished_contribution(client, debate, status):
    for query in ["hemmelig", "økonomistyring", "medarbejderne", "offentligt", str(status)]:
        html = client.get("/soeg/", {"q": query}).content.decode()
        assert "Hemmelig" not in html
        assert "ikke offentligt" not in html


def test_a_contribution_taken_down_is_no_longer_found(question, webmaster):
    contribution = make_contribution(question=question, title="Budgetmodel til debat")
    assert found("budgetmodel")["contributions"] == {"Budgetmodel til debat"}

    services.unpublish(contribution=contribution, actor=webmaster, reason="Off topic.")

    assert found("budgetmodel")["contributions"] == set()


def test_an_edited_contribution_is_found_by_its_new_words_only(question, webmaster):
    contribution = make_contribution(question=question, title="Første udkast", body="Cykelsti.")

    services.edit_contribution(
        contribution=contribution,
        actor=webmaster,
        title="Rettet titel",
        body="Gangsti.",
        question=question,
    )

    assert found("cykelsti")["contributions"] == set()
    assert found("gangsti")["contributions"] == {"Rettet titel"}


@on_postgresql
def test_the_stored_vector_follows_edits_and_withdrawals_made_by_queryset_updates(question):
    def vector():
        return Contribution.objects.values_list("search_vector", flat=True).get(pk=contribution.pk)

    contribution = make_contribution(
        question=question, title="Cykelsti", body="Om cykler.", author_name="Karen Holm"
    )
    assert vector() == "'cykelsti':1A 'cykl':3B 'holm':5C 'kar':4C"

    Contribution.objects.filter(pk=contribution.pk).update(title="Gangsti")
    assert vector() == "'cykl':3B 'gangsti':1A 'holm':5C 'kar':4C"

    services.withdraw(contribution=contribution)
    assert vector() == "", "withdrawal erases the text, and so its words"


def test_a_title_match_ranks_above_a_match_in_the_text(question):
    make_contribution(question=question, title="Noget andet", body="Om borgerbudgetter i praksis.")
    make_contribution(question=question, title="Borgerbudgetter", body="Et forslag.")

    (group, *_) = search.find("borgerbudget").groups

    assert [hit.title for hit in group.page] == ["Borgerbudgetter", "Noget andet"]


def test_matches_are_marked_in_the_snippet_and_nothing_else_becomes_markup(client, question):
    make_contribution(
        question=question,
        title="Forsøg",
        body='Medarbejderne <script>alert("x")</script> og <mark>falsk</mark> markering.',
    )

    html = client.get("/soeg/", {"q": "medarbejder"}).content.decode()

    snippet = re.search(r'<p class="search-snippet[^>]*>(.*?)</p>', html, re.S)[1]
    assert "<mark>Medarbejderne</mark>" in snippet
    assert 'alert("x")</script>' not in html
    assert re.findall(r"<(/?\w+)", snippet) == ["mark", "/mark"]


def test_a_headline_cannot_smuggle_markup_or_unbalanced_marks():
    headline = f'{search.START}ok{search.STOP} <b onclick="x">{search.STOP}{search.START}'
    assert search.marked(headline) == "<mark>ok</mark> &lt;b onclick=&quot;x&quot;&gt;"


INPUTS = [
    "",
    " ",
    "x" * 10_000,
    "økonomi " * 2_000,
    "a\x00b",
    "\x00",
    "'; DROP TABLE debates_contribution; --",
    '" OR 1=1 --',
    "a & b | !c <-> d:* ''",
    "()[]{}*:!&|",
    "\u202eæøå\u200b",
    "🙂 emoji",
    "ﬁnans ΣΊΣΥΦΟΣ straße",
    "%_%",
]


@pytest.mark.parametrize("query", INPUTS)
def test_any_input_gives_a_page(client, debate, query):
    response = client.get("/soeg/", {"q": query, "kind": query[:20], "page": query[:20]})
    assert response.status_code == 200
    assert "\x00" not in response.content.decode()


@pytest.mark.parametrize("raw", ["q=%ED%A0%80", "q=%FF%FE%00", "q=%00&q=x", "q[]=a&kind[]=b"])
def test_any_query_string_gives_a_page(client, debate, raw):
    assert client.get(f"/soeg/?{raw}").status_code == 200


def test_the_work_is_bounded_for_any_query():
    terms = search.parse_terms(" ".join(f"ord{n}" for n in range(1_000)))
    assert len(terms) == search.MAX_TERMS
    assert len(search.clean_query("æ" * 100_000)) == search.MAX_QUERY_LENGTH


def test_results_are_grouped_and_the_box_keeps_the_query(client, debate):
    html = client.get("/soeg/", {"q": "Münter"}).content.decode()

    assert 'value="Münter"' in html
    assert "0 indlæg" in html
    assert "1 spørgsmål eller afsnit i konklusionerne" in html
    assert "1 workshop eller oplæg" in html


def test_each_hit_links_to_the_exact_place(client, debate, question):
    contribution = Contribution.objects.published().get(title="Økonomistyring lokalt")
    intro = Paragraph.objects.filter(question__isnull=True).get(text__contains="aktører")

    html = client.get("/soeg/", {"q": "økonomistyring aktører medarbejdere"}).content.decode()
    html += client.get("/soeg/", {"q": "Økonomistyring lokalt"}).content.decode()
    html += client.get("/soeg/", {"q": "aktører"}).content.decode()

    assert f'href="/debat/{question.slug}/#indlaeg-{contribution.pk}"' in html
    paper_url = f"/workshops/5/konklusioner/#afsnit-{intro.pk}"
    assert f'href="{paper_url}"' in html
    assert f'id="afsnit-{intro.pk}"' in client.get(paper_url).content.decode()


def test_a_matching_question_offers_its_feed(client, seeded):
    question = Question.objects.get(title=ECONOMY_QUESTION)

    html = client.get("/soeg/", {"q": "økonomistyringsmodeller"}).content.decode()

    feed = f"/debat/{question.slug}/feed/"
    assert f'<link rel="alternate" type="application/atom+xml" title="{question.title}"' in html
    assert html.count(f'href="{feed}"') == 2


def test_many_results_are_paged_by_kind(client, question):
    for n in range(search.PAGE_SIZE + 2):
        make_contribution(question=question, title=f"Borgerbudget {n}")

    first = client.get("/soeg/", {"q": "borgerbudget"}).content.decode()
    assert first.count('class="search-hit"') == search.PAGE_SIZE
    assert "Vis alle 12 indlæg" in first
    assert "?q=borgerbudget&amp;kind=contributions" in first

    second = client.get("/soeg/", {"q": "borgerbudget", "kind": "contributions", "page": 2})
    html = second.content.decode()
    assert html.count('class="search-hit"') == 2
    assert "Side 2 af 2" in html
    assert 'id="fundet-paper"' not in html

    beyond = client.get("/soeg/", {"q": "borgerbudget", "kind": "contributions", "page": 99})
    assert "Side 2 af 2" in beyond.content.decode()


def test_an_empty_result_suggests_what_to_try(client, seeded):
    html = client.get("/soeg/", {"q": "zebrafinke"}).content.decode()
    assert "Der blev ikke fundet noget for “zebrafinke”" in html
    assert "Prøv med færre ord" in html
    assert 'href="/konklusioner/"' in html


def test_an_empty_search_shows_the_form_only(client, seeded):
    response = client.get("/soeg/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="q"' in html
    assert "search-group" not in html


def test_search_never_matches_on_addresses(client, question):
    make_contribution(question=question, author_email="skjult@example.dk", title="Synlig")
    assert "Synlig" not in client.get("/soeg/", {"q": "skjult@example.dk"}).content.decode()
