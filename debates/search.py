"""
Search for readers: the published contributions and the site's own content (the paper's questions
and paragraphs, the workshops and their talks with their speakers), grouped by kind and paged.

The rules are the same on every database. A query is case-folded for all of Unicode and cut into
words; Danish stop words are dropped; every remaining word must match, after Danish stemming
(Snowball's), in the fields of a hit. A word whose stem is PREFIX_MIN letters or longer also finds
longer words beginning with it, since Danish writes compounds as one word ("økonomistyring" finds
"økonomistyringsmodeller"). Titles weigh most, texts next, names and context least.

On PostgreSQL that is full-text search in the `danish` configuration, ranked by `ts_rank`, with
snippets from `ts_headline`. Contributions keep their vector in a column that a trigger keeps
current on every write, with a GIN index (migration 0004). The site's own content is a few dozen
rows that the editors rarely change, so its vectors are computed per search instead of stored.

Elsewhere (SQLite, the default) the same rules run in Python with snowballstemmer, the stemmer
PostgreSQL's `danish` dictionary is built from. That scan is bounded: at most MAX_TERMS words from
at most MAX_QUERY_LENGTH characters, over the newest MAX_SCANNED published contributions.
"""

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property, lru_cache

import snowballstemmer
from django.contrib.postgres.aggregates import StringAgg
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import F, Func, OuterRef, Subquery, TextField, Value
from django.db.models.functions import NullIf
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import ngettext

from debates.models import Contribution, Paragraph, Question, Speaker, Talk, Workshop
from debates.threads import with_thread_pages

MAX_QUERY_LENGTH = 200
MAX_TERMS = 8
MAX_SCANNED = 2000
PAGE_SIZE = 10
PREFIX_MIN = 4
SNIPPET_WORDS = 30

CONFIG = "danish"
# ts_rank's default weights for D, C, B, A; the Python ranking uses the same.
WEIGHTS = {"A": 1.0, "B": 0.4, "C": 0.2, "D": 0.1}
# The columns of a contribution's stored vector; migration 0004's trigger writes the same.
CONTRIBUTION_WEIGHTS = {"title": "A", "body": "B", "author_name": "C"}

# PostgreSQL's danish.stop (Snowball's list), so that both databases ignore the same words.
DANISH_STOP_WORDS = """
    og i jeg det at en den til er som på de med han af for ikke der var mig sig men et har om vi
    min havde ham hun nu over da fra du ud sin dem os op man hans hvor eller hvad skal selv her
    alle vil blev kunne ind når være dog noget ville jo deres efter ned skulle denne end dette mit
    også under have dig anden hende mine alt meget sit sine vor mod disse hvis din nogle hos blive
    mange ad bliver hendes været thi jer sådan
"""
STOP_WORDS = frozenset(DANISH_STOP_WORDS.split())

# Letters and digits; everything else separates words, as PostgreSQL's parser mostly does.
WORD = re.compile(r"[^\W_]+")
# Marks put around matches by ts_headline: characters no text of ours uses, turned into <mark>
# only after everything else has been escaped.
START, STOP = "\ue000", "\ue001"
MARKED = re.compile(f"{START}([^{START}{STOP}]*){STOP}")

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


@dataclass(frozen=True)
class Term:
    word: str
    stem: str

    @property
    def is_prefix(self):
        return len(self.stem) >= PREFIX_MIN

    def finds(self, stem):
        return stem.startswith(self.stem) if self.is_prefix else stem == self.stem


@dataclass
class Hit:
    """One thing found: what it is, where it is, and a safe snippet with the matches marked."""

    kind: str
    obj: object
    title: str
    rank: float
    make_snippet: Callable[[], SafeString]

    @cached_property
    def url(self):
        # Made only for the hits on the page shown, whose contributions know their thread's page.
        return _url(self.kind, self.obj)

    @cached_property
    def snippet(self):
        # Made only for the hits on the page shown.
        return self.make_snippet()


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


@dataclass
class Results:
    query: str
    terms: list[Term]
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
    kinds = [kind] if kind in KINDS else list(KINDS)
    finder = _find_in_postgresql if connection.vendor == "postgresql" else _find_in_python
    groups = []
    for name in kinds:
        hits = finder(name, terms) if terms else []
        paginator = Paginator(hits, PAGE_SIZE)
        shown = paginator.get_page(page if kind in KINDS else 1)
        with_thread_pages(hit.obj for hit in shown if hit.kind == "contribution")
        groups.append(Group(name, shown))
    return Results(query=query, terms=terms, groups=groups, kind=kind if kind in KINDS else None)


def clean_query(query: str) -> str:
    """The query as the search box shows it again: printable, single-spaced and bounded."""
    printable = "".join(ch for ch in query[: MAX_QUERY_LENGTH * 4] if _is_printable(ch))
    return " ".join(printable.split())[:MAX_QUERY_LENGTH]


def _is_printable(ch):
    # Control, format, surrogate, private-use and unassigned characters have no place in a query.
    return ch.isspace() or unicodedata.category(ch)[0] != "C"


def parse_terms(query: str) -> list[Term]:
    terms = []
    for word in WORD.findall(query.casefold()):
        if word in STOP_WORDS or any(term.word == word for term in terms):
            continue
        terms.append(Term(word, stem(word)))
        if len(terms) == MAX_TERMS:
            break
    return terms


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    return _stemmer().stemWord(word)


@lru_cache(maxsize=1)
def _stemmer():
    return snowballstemmer.stemmer("danish")


# PostgreSQL -------------------------------------------------------------------------------------


def _find_in_postgresql(kind, terms):
    # The words are letters and digits only, so quoting them is enough to make a safe tsquery.
    raw = " & ".join(f"'{t.word}':*" if t.is_prefix else f"'{t.word}'" for t in terms)
    query = SearchQuery(raw, search_type="raw", config=CONFIG)
    if kind == "contributions":
        return _PostgresHits(_contributions_in_postgresql(query), "contribution")
    hits = []
    for name, queryset in _site_content_in_postgresql(kind, query):
        hits += [_hit(name, obj, obj.rank, _marked_later(obj.headline)) for obj in queryset]
    return sorted(hits, key=lambda hit: -hit.rank)


def _contributions_in_postgresql(query):
    return (
        Contribution.objects.published()
        .filter(search_vector=query)
        .select_related("question")
        .annotate(
            rank=SearchRank(F("search_vector"), query),
            headline=_headline("body", query),
        )
        .order_by("-rank", "-published_at", "-pk")
    )


class _PostgresHits:
    """A ranked queryset that the paginator counts and slices, turned into hits page by page."""

    def __init__(self, queryset, name):
        self.queryset, self.name = queryset, name

    def count(self):
        return self.queryset.count()

    def __len__(self):
        return self.count()

    def __getitem__(self, index):
        return [
            _hit(self.name, obj, obj.rank, _marked_later(obj.headline))
            for obj in self.queryset[index]
        ]


def _site_content_in_postgresql(kind, query):
    def ranked(queryset, weighted, snippet):
        vector = None
        for field, weight in weighted.items():
            part = SearchVector(field, weight=weight, config=CONFIG)
            vector = part if vector is None else vector + part
        return (
            queryset.annotate(document=vector)
            .filter(document=query)
            .annotate(rank=SearchRank(F("document"), query), headline=_headline(snippet, query))
        )

    if kind == "paper":
        yield (
            "question",
            ranked(
                Question.objects.select_related("paper"),
                {"title": "A", "text": "B", "paragraph__text": "C", "synthesis": "C"},
                _joined("text", "paragraph__text", sep=" "),
            ),
        )
        yield (
            "paragraph",
            ranked(
                Paragraph.objects.filter(question__isnull=True).select_related("paper__workshop"),
                {"text": "B"},
                "text",
            ),
        )
    else:
        yield (
            "workshop",
            ranked(
                Workshop.objects.all(),
                {"title": "A", "theme": "A", "description": "B"},
                _joined("theme", "description", sep=" "),
            ),
        )
        speakers = (
            Speaker.objects.filter(talks=OuterRef("pk"))
            .values("talks")
            .annotate(names=StringAgg(_joined("name", "title", "organisation", sep=", "), "; "))
            .values("names")
        )
        yield (
            "talk",
            ranked(
                Talk.objects.select_related("workshop")
                .prefetch_related("speakers")
                .annotate(speaker_text=Subquery(speakers)),
                {"title": "A", "summary": "B", "speaker_text": "C"},
                _joined("summary", "speaker_text", sep=" "),
            ),
        )


def _joined(*fields, sep):
    """The fields that are not empty, joined by `sep`, as `_join` does in Python."""
    parts = [NullIf(field, Value("")) for field in fields]
    return Func(Value(sep), *parts, function="CONCAT_WS", output_field=TextField())


def _headline(expression, query):
    return SearchHeadline(
        expression,
        query,
        config=CONFIG,
        start_sel=START,
        stop_sel=STOP,
        max_words=SNIPPET_WORDS,
        min_words=SNIPPET_WORDS // 2,
    )


def _marked_later(headline):
    return lambda: marked(headline)


def marked(headline: str | None) -> SafeString:
    """The headline escaped, its matches in <mark>: nothing else of the text can become markup."""
    escaped = MARKED.sub(r"<mark>\1</mark>", escape(headline or ""))
    return mark_safe(escaped.replace(START, "").replace(STOP, ""))


# Other databases --------------------------------------------------------------------------------


def _find_in_python(kind, terms):
    hits = []
    for name, obj, fields, snippet in _documents(kind, terms):
        rank = _rank(terms, fields)
        if rank:
            hits.append(_hit(name, obj, rank, _highlight_later(snippet, terms)))
    return sorted(hits, key=lambda hit: -hit.rank)


def _documents(kind, terms):
    """(kind, object, {weight: text}, snippet text) for each candidate."""
    if kind == "contributions":
        rows = Contribution.objects.published().order_by("-published_at", "-pk")
        rows = rows.values_list("pk", *CONTRIBUTION_WEIGHTS)[:MAX_SCANNED]
        # Each stem is the start of its word, so a row lacking one as a substring cannot match:
        # only the few rows that pass are split into words and stemmed.
        wanted = [row[0] for row in rows if _has_every_stem(row[1:], terms)]
        found = Contribution.objects.published().filter(pk__in=wanted).select_related("question")
        for c in found:
            fields = {weight: getattr(c, name) for name, weight in CONTRIBUTION_WEIGHTS.items()}
            yield "contribution", c, fields, c.body
    elif kind == "paper":
        for q in Question.objects.select_related("paper", "paragraph"):
            context = [q.paragraph.text if q.paragraph else "", q.synthesis]
            fields = {"A": q.title, "B": q.text, "C": _join(" ", *context)}
            yield "question", q, fields, _join(" ", q.text, context[0])
        for p in Paragraph.objects.filter(question__isnull=True).select_related("paper__workshop"):
            yield "paragraph", p, {"B": p.text}, p.text
    else:
        for w in Workshop.objects.all():
            fields = {"A": f"{w.title} {w.theme}", "B": w.description}
            yield "workshop", w, fields, _join(" ", w.theme, w.description)
        for t in Talk.objects.select_related("workshop").prefetch_related("speakers"):
            people = _join(
                "; ", *(_join(", ", s.name, s.title, s.organisation) for s in t.speakers.all())
            )
            fields = {"A": t.title, "B": t.summary, "C": people}
            yield "talk", t, fields, _join(" ", t.summary, people)


def _join(sep, *texts):
    return sep.join(text for text in texts if text)


def _has_every_stem(texts, terms):
    folded = " ".join(texts).casefold()
    return all(term.stem in folded for term in terms)


def _rank(terms, fields):
    """0 unless every term is found; otherwise the weights of the places each term is found."""
    stems = {
        weight: [stem(w) for w in WORD.findall(text.casefold())] for weight, text in fields.items()
    }
    total = 0.0
    for term in terms:
        found = sum(
            WEIGHTS[weight] * sum(term.finds(s) for s in words) for weight, words in stems.items()
        )
        if not found:
            return 0.0
        total += found
    return total


def _stems(text):
    return [stem(word) for word in WORD.findall(text.casefold())]


def _highlight_later(text, terms):
    return lambda: highlight(text, terms)


def highlight(text: str, terms: list[Term]) -> SafeString:
    """A window of the text around its first match, escaped, with the matches in <mark>."""
    words = list(WORD.finditer(text))
    matches = {i for i, w in enumerate(words) if any(t.finds(stem(w[0].casefold())) for t in terms)}
    first = max(0, min(matches, default=0) - SNIPPET_WORDS // 4)
    shown = words[first : first + SNIPPET_WORDS]
    if not shown:
        return mark_safe("")
    start, end = shown[0].start(), shown[-1].end()
    html, position = [], start
    for i, w in enumerate(shown, start=first):
        html.append(escape(text[position : w.start()]))
        html.append(f"<mark>{escape(w[0])}</mark>" if i in matches else escape(w[0]))
        position = w.end()
    prefix = "… " if start > 0 else ""
    suffix = " …" if text[end:].strip() else ""
    return mark_safe(prefix + "".join(html) + suffix)


# Both -------------------------------------------------------------------------------------------


def _hit(name, obj, rank, make_snippet):
    if name == "contribution":
        title = str(obj)
    elif name == "paragraph":
        title = obj.paper.title
    else:
        title = obj.title
    return Hit(kind=name, obj=obj, title=title, rank=rank, make_snippet=make_snippet)


def _url(name, obj):
    if name == "paragraph":
        return f"{obj.paper.get_absolute_url()}#afsnit-{obj.pk}"
    if name == "contribution":
        return obj.thread_url
    return obj.get_absolute_url()
