"""
Search for readers: the published contributions and the site's own content (the paper's questions
and paragraphs, the workshops and their talks with their speakers), grouped by kind and paged.

The rules are the same on every database. A query is folded (debates.search_text: lowercase,
accents off, æ, ø and å kept) and cut into words; Danish stop words are dropped; every remaining
word must be found in the fields of a hit, in one of three ways:

- by its Danish stem (Snowball's): “medarbejdere” finds “medarbejderne”;
- a stem of PREFIX_MIN letters or more also finds the longer words it begins, since Danish
  writes compounds as one word: “økonomistyring” finds “økonomistyringsmodeller”;
- a word of INFIX_MIN letters or more (its stem, when that is as long) is also found inside
  longer words, so the back part of a compound finds it: “styring” finds “økonomistyring”,
  “ledelse” finds “Innovationsledelse”.

Titles weigh most, texts next, names and context least; a question or workshop whose title has
every word comes before the contributions. Search reads the text readers see: for Markdown, the
rendered and sanitised HTML's text, never the source (debates.search_text).

Contributions on PostgreSQL: a trigger keeps a folded copy of each contribution's visible text
(`search_text`, with a trigram index) and its weighted vector (`search_vector`, with a GIN index)
current on every write (migrations 0004 and `search_visible_text_and_trigrams`). A word found by
stem uses the vector; a word found inside others uses the trigram index (LIKE '%…%'), which is why
only words of INFIX_MIN letters or more are looked for so: a shorter one has too few trigrams for
the index to narrow anything down.

Elsewhere (SQLite, the default) contributions are matched in Python with snowballstemmer, the
stemmer PostgreSQL's `danish` dictionary is built from, over the newest MAX_SCANNED published
ones. The site's own content is a few dozen rows that the editors rarely change: it is matched in
Python on every database. Snippets and marked titles are made in Python on every database, for
the hits on the page shown only. Every query is bounded first: MAX_TERMS words from at most
MAX_QUERY_LENGTH characters.
"""

import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import BooleanField, Case, F, Func, Q, TextField, Value, When
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import ngettext

from debates.models import Contribution, Paragraph, Question, Talk, Workshop
from debates.search_text import STOP_WORDS, WORD, fold, fold_word, indexed_html, shown_text, stem
from debates.threads import with_thread_pages

MAX_QUERY_LENGTH = 200
MAX_TERMS = 8
MAX_SCANNED = 2000
PAGE_SIZE = 10
PREFIX_MIN = 4
INFIX_MIN = 5
SNIPPET_WORDS = 30

CONFIG = "danish"
# ts_rank's default weights for D, C, B, A; the Python ranking uses the same.
WEIGHTS = {"A": 1.0, "B": 0.4, "C": 0.2, "D": 0.1}

KINDS = {
    "contributions": lambda n: ngettext("%(counter)s contribution", "%(counter)s contributions", n),
    "paper": lambda n: ngettext(
        "%(counter)s question or passage in the paper",
        "%(counter)s questions and passages in the paper",
        n,
    ),
    "workshops": lambda n: ngettext(
        "%(counter)s workshop or talk", "%(counter)s workshops and talks", n
    ),
}
# What readers see of a contribution in a list of hits, and no more (templates/debates/search.html).
HIT_FIELDS = (
    *("pk", "question", "status", "language", "published_at"),
    *("title", "body_html", "author_name"),
)


@dataclass(frozen=True)
class Term:
    """A word of the query, folded, and its stem."""

    word: str
    stem: str

    @property
    def is_prefix(self):
        return len(self.stem) >= PREFIX_MIN

    @property
    def infix(self):
        """What is looked for inside longer words: the stem if it is long enough, or the word."""
        if len(self.stem) >= INFIX_MIN:
            return self.stem
        return self.word if len(self.word) >= INFIX_MIN else ""

    def finds(self, word):
        """Whether the term finds a folded word of a text."""
        if self.infix and self.infix in word:
            return True
        if word in STOP_WORDS:
            return False
        found = stem(word)
        return found.startswith(self.stem) if self.is_prefix else found == self.stem


@dataclass
class Hit:
    """One thing found: what it is, where it is, its title and a snippet with the matches marked."""

    kind: str
    obj: object
    title: str
    rank: float
    in_title: bool
    terms: list[Term]
    snippet_text: Callable[[], str]

    @cached_property
    def url(self):
        # Made only for the hits on the page shown, whose contributions know their thread's page.
        return _url(self.kind, self.obj)

    @cached_property
    def marked_title(self):
        return highlight(self.title, self.terms, window=None)

    @cached_property
    def snippet(self):
        # Made only for the hits on the page shown.
        return highlight(self.snippet_text(), self.terms)


@dataclass
class Group:
    kind: str
    page: Page

    @property
    def count(self):
        return self.page.paginator.count

    @property
    def heading(self):
        return KINDS[self.kind](self.count) % {"counter": self.count}

    @property
    def leads(self):
        """Questions and workshops come before contributions when their titles have every word."""
        return self.kind != "contributions" and any(hit.in_title for hit in self.page[:1])


@dataclass
class Results:
    query: str
    terms: list[Term]
    # Only the kinds with something found, in the order they are shown.
    groups: list[Group]
    kind: str | None

    @property
    def total(self):
        return sum(group.count for group in self.groups)

    @property
    def questions(self):
        """The questions found on the page shown, whose feeds the page offers."""
        return [
            hit.obj for group in self.groups for hit in group.page if isinstance(hit.obj, Question)
        ]


def find(query: str, *, kind: str | None = None, page: int | str | None = 1) -> Results:
    """
    Anyone may search what is published. Any input gives results, possibly none: the query is
    cleaned and bounded here. Without `kind` every group shows its first page; with one, only that
    group is shown, at `page`.
    """
    query = clean_query(query)
    terms = parse_terms(query)
    kind = kind if kind in KINDS else None
    groups = []
    for name in [kind] if kind else KINDS:
        hits = _find(name, terms) if terms else []
        shown = Paginator(hits, PAGE_SIZE).get_page(page if kind else 1)
        if shown.paginator.count:
            with_thread_pages(hit.obj for hit in shown if hit.kind == "contribution")
            groups.append(Group(name, shown))
    groups.sort(key=lambda group: not group.leads)
    return Results(query=query, terms=terms, groups=groups, kind=kind)


def clean_query(query: str) -> str:
    """The query as the search box shows it again: printable, single-spaced and bounded."""
    printable = "".join(ch for ch in query[: MAX_QUERY_LENGTH * 4] if _is_printable(ch))
    return " ".join(printable.split())[:MAX_QUERY_LENGTH]


def _is_printable(ch):
    # Control, format, surrogate, private-use and unassigned characters have no place in a query.
    return ch.isspace() or unicodedata.category(ch)[0] != "C"


def parse_terms(query: str) -> list[Term]:
    terms = []
    for word in WORD.findall(fold(query)):
        if word in STOP_WORDS or any(term.word == word for term in terms):
            continue
        terms.append(Term(word, stem(word)))
        if len(terms) == MAX_TERMS:
            break
    return terms


def _find(kind, terms):
    if kind != "contributions":
        return _ranked(_site_content(kind), terms)
    if connection.vendor == "postgresql":
        return _PostgresHits(_contributions_in_postgresql(terms), terms)
    return _contributions_in_python(terms)


# Contributions on PostgreSQL --------------------------------------------------------------------


def _contributions_in_postgresql(terms):
    title = Func(F("title"), function="debates_fold", output_field=TextField())
    title_vector = Func(
        F("search_vector"), Value("{a}"), function="ts_filter", output_field=SearchVectorField()
    )
    rows = Contribution.objects.published().alias(folded_title=title, title_vector=title_vector)
    by_stem = [term for term in terms if not term.infix]
    if by_stem:
        rows = rows.filter(search_vector=_tsquery(by_stem, "&"))
    in_title = Q(title_vector=_tsquery(by_stem, "&")) if by_stem else Q()
    for term in terms:
        if term.infix:
            rows = rows.filter(_found_inside(term, "search_text", "search_vector"))
            in_title &= _found_inside(term, "folded_title", "title_vector")
    return (
        rows.select_related("question")
        .only(*HIT_FIELDS)
        .annotate(
            in_title=Case(
                When(in_title, then=Value(True)), default=False, output_field=BooleanField()
            ),
            rank=SearchRank(F("search_vector"), _tsquery(terms, "|")),
        )
        .order_by("-in_title", "-rank", "-published_at", "-pk")
    )


def _tsquery(terms, operator):
    # The words are letters and digits only, so quoting them is enough to make a safe tsquery.
    raw = f" {operator} ".join(f"'{t.word}':*" if t.is_prefix else f"'{t.word}'" for t in terms)
    return SearchQuery(raw, search_type="raw", config=CONFIG)


def _found_inside(term, text, vector):
    """Found inside a word of the folded text; or, for a short stem, by the stem as well."""
    found = Q(**{f"{text}__contains": term.infix})
    if len(term.stem) < INFIX_MIN:
        found |= Q(**{vector: _tsquery([term], "&")})
    return found


class _PostgresHits:
    """A ranked queryset that the paginator counts and slices, turned into hits page by page."""

    def __init__(self, queryset, terms):
        self.queryset, self.terms = queryset, terms

    def count(self):
        return self.queryset.count()

    def __len__(self):
        return self.count()

    def __getitem__(self, index):
        return [
            _hit("contribution", c, c.rank, c.in_title, self.terms, _later(shown_text, c.body_html))
            for c in self.queryset[index]
        ]


# Everything else, in Python ---------------------------------------------------------------------


def _contributions_in_python(terms):
    """The newest MAX_SCANNED published contributions, scored; only those found are fetched."""
    rows = Contribution.objects.published().order_by("-published_at", "-pk")
    rows = rows.values_list("pk", "title", "body_html", "author_name")[:MAX_SCANNED]
    found = [_Finds(term) for term in terms]
    scores = {}
    for pk, title, html, name in rows:
        text = indexed_html(html)
        # Every stem is the start of its word, so a text lacking one cannot match: only the rows
        # that have them all are split into words and stemmed.
        if _has_every_stem(f"{fold(title)} {text} {fold(name)}", terms):
            score = _score(found, {"A": title, "B": text, "C": name})
            if score:
                scores[pk] = score
    # One query, however many (in_bulk() would split it in batches on SQLite).
    shown = Contribution.objects.published().filter(pk__in=scores)
    contributions = {c.pk: c for c in shown.select_related("question").only(*HIT_FIELDS)}
    hits = [
        _hit("contribution", c, *scores[pk], terms, _later(shown_text, c.body_html))
        for pk in scores
        if (c := contributions.get(pk))
    ]
    return _in_order(hits)


def _site_content(kind):
    """
    (kind, object, {weight: text}, snippet text) for each of the site's own things of a kind.
    What the webmaster writes in Markdown is read, like contributions, in its rendered HTML.
    """
    if kind == "paper":
        for q in Question.objects.select_related("paper", "paragraph"):
            paragraph = shown_text(q.paragraph.text_html) if q.paragraph else ""
            context = _join(" ", paragraph, shown_text(q.synthesis_html))
            fields = {"A": q.title, "B": q.text, "C": context}
            yield "question", q, fields, _later(_join, " ", q.text, paragraph)
        for p in Paragraph.objects.filter(question__isnull=True).select_related("paper__workshop"):
            yield "paragraph", p, {"B": shown_text(p.text_html)}, _later(shown_text, p.text_html)
    else:
        for w in Workshop.objects.all():
            description = shown_text(w.description_html)
            fields = {"A": _join(" ", w.title, w.theme), "B": description}
            yield "workshop", w, fields, _later(str, description)
        for t in Talk.objects.select_related("workshop").prefetch_related("speakers"):
            people = _join(
                "; ", *(_join(", ", s.name, s.title, s.organisation) for s in t.speakers.all())
            )
            summary = shown_text(t.summary_html)
            fields = {"A": t.title, "B": summary, "C": people}
            yield "talk", t, fields, _later(_join, " ", summary, people)


def _ranked(documents, terms):
    """Hits for the documents (kind, object, {weight: text}, snippet text) with every term."""
    found = [_Finds(term) for term in terms]
    hits = []
    for name, obj, fields, snippet_text in documents:
        score = _score(found, fields)
        if score:
            hits.append(_hit(name, obj, *score, terms, snippet_text))
    return _in_order(hits)


def _score(found, fields):
    """(rank, whether every term is in the title), or None unless every term is found."""
    words = {weight: Counter(WORD.findall(fold(text))) for weight, text in fields.items()}
    rank = _rank(found, words)
    if not rank:
        return None
    return rank, all(any(map(finds, words.get("A", ()))) for finds in found)


def _in_order(hits):
    # Stable: among equals, the order the documents came in (contributions: newest first).
    return sorted(hits, key=lambda hit: (not hit.in_title, -hit.rank))


class _Finds(dict):
    """Whether a term finds a word, remembered."""

    def __init__(self, term):
        self.term = term

    def __missing__(self, word):
        self[word] = found = self.term.finds(word)
        return found

    def __call__(self, word):
        return self[word]


def _join(sep, *texts):
    return sep.join(text for text in texts if text)


def _has_every_stem(folded, terms):
    return all(term.stem in folded for term in terms)


def _rank(found, words):
    """0 unless every term is found; otherwise the weights of the places each term is found."""
    total = 0.0
    for finds in found:
        weighted = sum(
            WEIGHTS[weight] * sum(n for word, n in counted.items() if finds(word))
            for weight, counted in words.items()
        )
        if not weighted:
            return 0.0
        total += weighted
    return total


# Both -------------------------------------------------------------------------------------------


def _later(function, *args):
    return lambda: function(*args)


def highlight(text: str, terms: list[Term], *, window: int | None = SNIPPET_WORDS) -> SafeString:
    """
    The text escaped, with the words the terms find in <mark>: a window of it around the first
    match, or all of it without a window.
    """
    words = list(WORD.finditer(text))
    matches = {i for i, w in enumerate(words) if any(t.finds(fold_word(w[0])) for t in terms)}
    first = max(0, min(matches, default=0) - window // 4) if window else 0
    last = min(first + window, len(words)) if window else len(words)
    if first >= last:
        return mark_safe(escape(text.strip()))
    # The text's own punctuation before its first word and after its last is kept.
    start = words[first].start() if first else 0
    end = words[last - 1].end() if last < len(words) else len(text)
    html, position = [], start
    for i in range(first, last):
        w = words[i]
        html.append(escape(text[position : w.start()]))
        html.append(f"<mark>{escape(w[0])}</mark>" if i in matches else escape(w[0]))
        position = w.end()
    html.append(escape(text[position:end]))
    prefix = "… " if start else ""
    suffix = " …" if end < len(text) else ""
    return mark_safe(prefix + "".join(html).strip() + suffix)


def _hit(name, obj, rank, in_title, terms, snippet_text):
    if name == "contribution":
        title = str(obj)
    elif name == "paragraph":
        title = obj.paper.title
    elif name == "workshop":
        title = _join(": ", obj.title, obj.theme)
    else:
        title = obj.title
    return Hit(name, obj, title, rank, in_title, terms, snippet_text)


def _url(name, obj):
    if name == "paragraph":
        return f"{obj.paper.get_absolute_url()}#afsnit-{obj.pk}"
    if name == "contribution":
        return obj.thread_url
    return obj.get_absolute_url()
