"""
Search finds what is published, in Danish: capitals, accents, inflected forms and both ends of
compounds, the same on SQLite and on PostgreSQL (the suite runs on both), only in the text readers
see, and nothing unpublished ever.
"""

import random
import re

import pytest
from django.db import connection

from debates import search
from debates.markup import render_markdown
from debates.models import Contribution, Paragraph, Question, Workshop
from debates.search_text import fold, html_text
from moderation import services
from tests.factories import make_contribution, make_thread

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
    make_contribution(
        question=question,
        title="Mødet ved søen",
        body="Vi mødtes ved en sø i Århus til et samskabelses&shy;værksted på Caf&eacute; Viva.",
        author_name="Lone Dahl",
    )
    make_contribution(
        question=question,
        title="En so og hendes grise",
        body="Et billede fra landbruget.",
        author_name="Ole Bech",
    )
    make_contribution(
        question=question,
        title="Læs evalueringen",
        body=HIDDEN_IN_MARKDOWN,
        author_name="Mette Friis",
    )
    question.synthesis = 'Debatten samles i [et opsamlingsnotat][n].\n\n[n]: /notat "Skjulttitel"'
    question.save()
    for status in UNPUBLISHED:
        make_contribution(
            question=question,
            status=status,
            title=f"Hemmelig økonomistyring ({status})",
            body="Medarbejderne og motivation, ikke offentligt, ved en sø i Århus.",
            author_name="Karen Holm",
        )


# Markdown whose link addresses and titles readers never see on the page.
HIDDEN_IN_MARKDOWN = (
    'Se [evalueringsrapporten][1] og [notatet](https://example.org/notatadresse "Linktitel").\n\n'
    '[1]: https://example.org/rapportadresse "Referencetitel"\n'
)


def found(query, **kwargs):
    """{kind: set of titles} for everything a search finds."""
    results = search.find(query, **kwargs)
    titles = {kind: set() for kind in search.KINDS}
    titles.update({group.kind: {hit.title for hit in group.page} for group in results.groups})
    return titles


MOTIVATION_QUESTION = "Hvordan motiveres medarbejderne til innovation?"
ECONOMY_QUESTION = "Lokale økonomistyringsmodeller"
IMITATION_QUESTION = "Kan efterligning skabe innovation?"
ROLES_QUESTION = "Igangsætter, facilitator og katalysator på én gang"
SILOS_QUESTION = "Samarbejde på tværs af siloer i ministerierne"
INNOVATION_MANAGEMENT = "MIA-workshop 5: Innovationsledelse"
PAPER = "MIA 5 konklusioner"

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
        {MOTIVATION_QUESTION, IMITATION_QUESTION, PAPER},
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
    # Accents fold away, on any letter case; æ, ø and å are letters of their own.
    ("munter", set(), {MOTIVATION_QUESTION}, {"Oplæg ved Charlotte Münter"}),
    ("MÜNTER", set(), {MOTIVATION_QUESTION}, {"Oplæg ved Charlotte Münter"}),
    ("cafe", {"Mødet ved søen"}, set(), set()),
    ("sø", {"Mødet ved søen"}, set(), set()),
    ("so", {"En so og hendes grise"}, set(), set()),
    ("ÅRHUS", {"Mødet ved søen"}, set(), set()),
    ("arhus", set(), set(), set()),
    # The back part of a compound finds it, and so does a soft-hyphenated word.
    ("styring", {"Økonomistyring lokalt"}, {ECONOMY_QUESTION}, set()),
    ("værksted", {"Mødet ved søen"}, set(), set()),
    ("samskabelsesværksted", {"Mødet ved søen"}, set(), set()),
    # “ledelse” finds “Innovationsledelse”, and by its stem (“led”) also “ledere” and “ledes”.
    (
        "ledelse",
        {"Om motivation"},
        {MOTIVATION_QUESTION, ROLES_QUESTION, ECONOMY_QUESTION, SILOS_QUESTION, PAPER},
        {INNOVATION_MANAGEMENT},
    ),
    # Only what readers see is found: link texts, not their addresses or titles.
    ("evalueringsrapport", {"Læs evalueringen"}, set(), set()),
    ("rapportadresse", set(), set(), set()),
    ("referencetitel", set(), set(), set()),
    ("linktitel notatadresse", set(), set(), set()),
    ("opsamlingsnotat", set(), {ROLES_QUESTION}, set()),
    ("skjulttitel", set(), set(), set()),
    # A word of one letter finds that word only.
    ("x", set(), set(), set()),
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
def test_the_stored_words_follow_edits_and_withdrawals_made_by_queryset_updates(question):
    def stored():
        return Contribution.objects.values_list("search_vector", "search_text").get(
            pk=contribution.pk
        )

    contribution = make_contribution(
        question=question, title="Cykelsti", body="Om cykler.", author_name="Karen Holm"
    )
    assert stored() == (
        "'cykelsti':1A 'cykl':3B 'holm':5C 'kar':4C",
        "cykelsti  om cykler.  karen holm",
    )

    Contribution.objects.filter(pk=contribution.pk).update(title="Gangsti")
    assert stored()[0] == "'cykl':3B 'gangsti':1A 'holm':5C 'kar':4C"

    Contribution.objects.filter(pk=contribution.pk).update(body_html="<p>Om <em>Münters</em></p>")
    assert stored() == (
        "'gangsti':1A 'holm':5C 'kar':4C 'munt':3B",
        "gangsti  om munters  karen holm",
    )

    # The source alone is not what readers see: the shown HTML is.
    Contribution.objects.filter(pk=contribution.pk).update(body="Om cykler.")
    assert "munters" in stored()[1]

    services.withdraw(contribution=contribution)
    assert stored() == ("", "  "), "withdrawal erases the text, and so its words"


# Sanitised HTML as the renderer makes it, and HTML a looser renderer could let through.
HTML_SAMPLES = [
    render_markdown(HIDDEN_IN_MARKDOWN),
    render_markdown("# Overskrift\n\n- *punkt* et\n- **fed**ord `kode` https://example.org/synlig"),
    render_markdown(
        "Caf&eacute; &hellip; &#233; &#x41; &amp; AT&T <b>x</b> 5 < 6 &#0; &#xD800; &copy"
    ),
    '<p title="a > b">x<!-- c --></p>y<br/>z<a href=\'q"\'>w</a>&lt;&#x10FFFF;&#x110000;&unknown;',
    "<!-- open comment",
    "",
    "a<P>b</P>c<Pre>d</pre>e<span>f</span>g<hr>h<li class='x'>i</li>",
    "sam&shy;arbejde Mu\u0308nter ÅRHUS ØSTER Ǻ ǅ İstanbul ẞ Łódź Đ ı",
]


def fuzzed_html(count, seed=1):
    """Strings of pieces that HTML and entities are made of, in random order."""
    pieces = [
        *("<", ">", "&", ";", "#", "x", "'", '"', "/", "!", "-", "--", " ", "\n", "p", "a"),
        *("<p>", "</p>", "<br>", "<a href='", '<a title="', "<!--", "-->", "&amp", "&#", "&#x"),
        *("eacute", "AElig", "123", "1F600", "ø", "Å", "ü", "\u00ad", "\u200b", "İ", "Ö"),
    ]
    rng = random.Random(seed)
    return ["".join(rng.choices(pieces, k=rng.randint(0, 40))) for _ in range(count)]


@on_postgresql
def test_postgresql_reads_html_and_folds_words_as_python_does(db):
    texts = HTML_SAMPLES + fuzzed_html(500)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT debates_visible_text(t), debates_fold(debates_visible_text(t)) "
            "FROM unnest(%s::text[]) WITH ORDINALITY AS texts(t, n) ORDER BY n",
            [texts],
        )
        in_postgresql = cursor.fetchall()
    in_python = [(html_text(t), fold(html_text(t))) for t in texts]
    assert [(t, *pair) for t, pair in zip(texts, in_postgresql, strict=True)] == [
        (t, *pair) for t, pair in zip(texts, in_python, strict=True)
    ]


@on_postgresql
def test_postgresql_folds_every_letter_as_python_does(db):
    every = "".join(chr(n) for n in range(0x20, 0x3000) if not 0xD800 <= n <= 0xDFFF)
    texts = [
        every + "\u00ad\u200b\u200c\u200d\u2060\ufeff",
        # Text with no letter to fold takes a shorter way on both databases.
        "ÆBLER, ØL OG ÅL – “Citat” og 42 AT&T",
        "Plain ASCII, NO accents",
        # One of each kind of letter to fold, on its own.
        "Ü",
        "Ā",
        "e\u0301",
        "\u00ad",
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT debates_fold(t) FROM unnest(%s::text[]) WITH ORDINALITY AS texts(t, n) "
            "ORDER BY n",
            [texts],
        )
        assert [row[0] for row in cursor.fetchall()] == [fold(text) for text in texts]


@on_postgresql
@pytest.mark.parametrize(
    ("query", "index"),
    [
        # A word found inside others is looked up by its trigrams.
        ("styring", "debates_contribution_search_text_trgm"),
        ("økonomistyring lokalt", "debates_contribution_search_text_trgm"),
        # Short words, whose trigrams would narrow nothing down, by their stems only.
        ("x", "debates_contribution_search_vector_gin"),
        ("sø", "debates_contribution_search_vector_gin"),
        ("holm", "debates_contribution_search_vector_gin"),
    ],
)
def test_every_query_for_contributions_is_looked_up_in_an_index(debate, question, query, index):
    make_thread(question, top_level=2000)
    with connection.cursor() as cursor:
        # As after autovacuum: new rows moved from the indexes' pending lists, statistics taken.
        for gin in ["search_vector_gin", "search_text_trgm"]:
            cursor.execute(f"SELECT gin_clean_pending_list('debates_contribution_{gin}')")
        cursor.execute("ANALYZE debates_contribution")
        # Rows this short are read faster one after the other: ask for the plan of a big table.
        cursor.execute("SET LOCAL enable_seqscan = off")

    plan = search._contributions_in_postgresql(search.parse_terms(query)).explain()

    assert f"Bitmap Index Scan on {index}" in plan, plan


def test_a_title_match_ranks_above_a_match_in_the_text(question):
    make_contribution(question=question, title="Noget andet", body="Om borgerbudgetter i praksis.")
    make_contribution(question=question, title="Borgerbudgetter", body="Et forslag.")

    (group, *_) = search.find("borgerbudget").groups

    assert [hit.title for hit in group.page] == ["Borgerbudgetter", "Noget andet"]


def snippets(html):
    return re.findall(r'<p class="search-snippet[^>]*>(.*?)</p>', html, re.S)


def hit_titles(html):
    return re.findall(r'<a class="search-hit-title"[^>]*>(.*?)</a>', html, re.S)


def test_matches_are_marked_in_the_snippet_and_nothing_else_becomes_markup(client, question):
    make_contribution(
        question=question,
        title="Forsøg",
        body='Medarbejderne <script>alert("x")</script> og <mark>falsk</mark> markering.',
    )

    html = client.get("/soeg/", {"q": "medarbejder", "kind": "contributions"}).content.decode()

    (snippet,) = snippets(html)
    assert "<mark>Medarbejderne</mark>" in snippet
    assert 'alert("x")</script>' not in html
    assert re.findall(r"<(/?\w+)", snippet) == ["mark", "/mark"]


def test_matches_are_marked_in_titles_and_nothing_else_becomes_markup(client, question):
    make_contribution(question=question, title="<b>Økonomistyring</b> & <mark>styr</mark>")

    html = client.get("/soeg/", {"q": "styring"}).content.decode()

    assert "<mark>økonomistyringsmodeller</mark>" in hit_titles(html)[0]
    assert (
        "&lt;b&gt;<mark>Økonomistyring</mark>&lt;/b&gt; &amp; &lt;mark&gt;styr&lt;/mark&gt;"
        in hit_titles(html)
    )


def test_a_workshop_or_question_matching_in_its_title_comes_before_contributions(client, question):
    for n in range(search.PAGE_SIZE + 1):
        make_contribution(question=question, title=f"Innovationsledelse i praksis {n}")

    html = client.get("/soeg/", {"q": "innovationsledelse"}).content.decode()

    headings = re.findall(r'<h2 class="h4" id="fundet-(\w+)">', html)
    assert headings == ["workshops", "contributions", "paper"]
    assert hit_titles(html)[0] == "MIA-workshop 5: <mark>Innovationsledelse</mark>"

    html = client.get("/soeg/", {"q": "økonomistyringsmodel"}).content.decode()
    assert hit_titles(html)[0] == "Lokale <mark>økonomistyringsmodeller</mark>"


def test_a_title_match_ranks_first_when_the_word_is_found_inside_a_longer_one(question):
    make_contribution(question=question, title="Noget andet", body="Om økonomistyring i praksis.")
    make_contribution(question=question, title="Kommunal økonomistyring", body="Et forslag.")

    (group,) = search.find("styring", kind="contributions").groups

    assert [hit.title for hit in group.page] == ["Kommunal økonomistyring", "Noget andet"]


def test_what_markdown_does_not_show_is_neither_found_nor_quoted(client, debate):
    html = client.get("/soeg/", {"q": "evalueringsrapport"}).content.decode()

    (snippet,) = snippets(html)
    assert snippet == "Se <mark>evalueringsrapporten</mark> og notatet."
    for hidden in ["example.org", "rapportadresse", "notatadresse", "Linktitel", "Referencetitel"]:
        assert hidden not in html
        assert not found(hidden)["contributions"]


def test_what_the_webmaster_writes_in_markdown_is_searched_as_readers_see_it(seeded):
    def linked(shown, hidden):
        return f'Se [{shown}](https://example.org/{hidden}adresse "{hidden}titel").'

    workshop = Workshop.objects.get(number=5)
    workshop.description = linked("tidsplanen", "workshop")
    workshop.save()
    talk = workshop.talks.get(title="Oplæg ved David Halpern")
    talk.summary = linked("diasserne", "oplaeg")
    talk.save()
    paragraph = Paragraph.objects.filter(question__isnull=True).first()
    paragraph.text = linked("bilagene", "afsnit")
    paragraph.save()

    assert found("tidsplanen")["workshops"] == {INNOVATION_MANAGEMENT}
    assert found("diasserne")["workshops"] == {"Oplæg ved David Halpern"}
    assert found("bilagene")["paper"] == {PAPER}
    for hidden in ["workshop", "oplaeg", "afsnit"]:
        assert found(f"{hidden}adresse") == found(f"{hidden}titel") == found("zebrafinke")


@pytest.mark.parametrize(
    "html",
    [
        # A renderer that lets raw HTML through to a sanitiser leaves comments and stripped tags.
        '<p>Synlig<!-- skjultkommentar --> tekst <a href="https://example.org/skjultadresse" '
        'title="skjulttitel">link</a></p>',
        '<p>Synlig tekst <span class="skjultklasse">link</span></p>',
    ],
)
def test_text_stored_as_html_is_searched_as_readers_see_it(question, html):
    """Descriptions stored as sanitised HTML are searched as readers see them, as contributions."""
    source = "skjultkommentar skjultadresse skjulttitel skjultklasse example"
    make_contribution(question=question, title="Beskrivelse", body=source, body_html=html)

    assert found("synlig")["contributions"] == {"Beskrivelse"}
    for hidden in ["skjultkommentar", "skjultadresse", "skjulttitel", "skjultklasse", "example"]:
        assert not found(hidden)["contributions"], hidden


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
    headings = re.findall(r"<h2[^>]*>(.*?)</h2>", html)
    assert not [heading for heading in headings if "indlæg" in heading], "no empty groups"
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


def test_an_empty_result_says_so_once_and_suggests_what_to_try(client, seeded):
    html = client.get("/soeg/", {"q": "zebrafinke"}).content.decode()

    main = html[html.index("<main") : html.index("</main>")]
    assert re.findall(r"<h2[^>]*>(.*?)</h2>", main) == ["Ingen resultater for “zebrafinke”"]
    assert "Prøv med færre ord" in html
    assert "“styring” finder også “økonomistyring”" in html
    assert 'href="/konklusioner/"' in html


def test_an_empty_kind_of_result_leads_back_to_every_kind(client, debate):
    html = client.get("/soeg/", {"q": "halpern", "kind": "contributions"}).content.decode()

    assert "Ingen resultater for “halpern”" in html
    assert 'href="?q=halpern">Vis alle slags resultater' in html


def test_an_empty_search_shows_the_form_only(client, seeded):
    response = client.get("/soeg/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="q"' in html
    assert "search-group" not in html


def test_search_never_matches_on_addresses(client, question):
    make_contribution(question=question, author_email="skjult@example.dk", title="Synlig")
    assert "Synlig" not in client.get("/soeg/", {"q": "skjult@example.dk"}).content.decode()
