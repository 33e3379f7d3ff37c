"""
A question's thread: its published contributions as a tree, built in one pass, and in pages.

Where a published reply answers something that is no longer public (withdrawn or removed), that
gap is shown as a placeholder carrying nothing of the missing contribution but its place in the
thread.

A long thread is read in pages of MIA_THREAD_PAGE_SIZE top-level contributions, each with all the
replies under it. Which page holds a contribution is worked out from the thread's outline (who
hangs under whom, and when each was published), one small query for any number of questions, so
that lists of links (feeds, search, the home page) cost the same for five contributions or fifty.
"""

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import NamedTuple

from django.conf import settings
from django.core.paginator import InvalidPage, Paginator
from django.db.models import CharField, Func, Q
from django.urls import reverse

from debates.models import Contribution, Question

Status = Contribution.Status
PAGE_PARAMETER = "side"
# What a placeholder is made of: its place in the thread, and whether it was withdrawn.
GAP_FIELDS = ("pk", "parent_id", "status", "published_at", "depth", "question_id")
# What a page of a thread shows of a published contribution (debates/_reply.html), and no more:
# not the text as sent, the addresses or the editors' notes.
SHOWN_FIELDS = (
    *GAP_FIELDS,
    "in_reply_to_id",
    "author_name",
    "author_title",
    "author_organisation",
    "title",
    "body_html",
    "attachment",
    "attachment_name",
    "edited_at",
    "picked_at",
)


@dataclass
class Node:
    contribution: Contribution
    children: list["Node"] = field(default_factory=list)
    # For a reply hung under an ancestor of what it answers (threads nest only so deep): the node
    # it answers, or None when that is no longer shown.
    answers: "Node | None" = None

    @property
    def is_placeholder(self):
        return self.contribution.status != Contribution.Status.PUBLISHED

    @property
    def is_flattened(self):
        """Whether the reply sits elsewhere than under the contribution it answers."""
        c = self.contribution
        return c.parent_id is not None and c.in_reply_to_id not in (None, c.parent_id)


def _assemble(nodes, shown):
    for c in shown:
        if nodes[c.pk].is_flattened:
            nodes[c.pk].answers = nodes.get(c.in_reply_to_id)

    roots = []
    for node in sorted(nodes.values(), key=lambda node: _thread_order(node.contribution)):
        parent = nodes.get(node.contribution.parent_id)
        (parent.children if parent else roots).append(node)
    return roots


def _thread_order(c):
    # Placeholders have no publication date of their own to show; their id keeps them in order.
    return (c.published_at is None, c.published_at, c.pk)


# Pages ------------------------------------------------------------------------------------------


class Outline:
    """
    The shape of one question's thread without its texts: every contribution it shows (the
    published ones and the placeholders above them), the top-level ones in thread order, and the
    top-level one each hangs under.
    """

    def __init__(self, question_id, rows):
        self.question_id = question_id
        self.rows = rows
        self.reply_count = sum(row.status == Status.PUBLISHED for row in rows.values())
        # As in the tree, a contribution whose parent is not shown stands at the top.
        roots = [r for r in rows.values() if r.parent_id is None or r.parent_id not in rows]
        self.root_pks = [row.pk for row in sorted(roots, key=_thread_order)]
        self._root_of = {}

    def root_of(self, pk):
        chain = []
        while pk not in self._root_of:
            chain.append(pk)
            parent = self.rows[pk].parent_id
            if parent is None or parent not in self.rows:
                self._root_of[pk] = pk
                break
            pk = parent
        for link in chain:
            self._root_of[link] = self._root_of[pk]
        return self._root_of[pk]

    def picks(self, limit):
        """The ids of the thread's latest editors' picks, the latest first, at most `limit`."""
        picked = sorted(
            (row for row in self.rows.values() if row.picked_at is not None),
            key=lambda row: (row.picked_at, row.pk),
            reverse=True,
        )
        return [row.pk for row in picked[:limit]]

    def page_of(self, pk):
        """The page that shows the contribution; 1 for one that is not shown at all."""
        if pk not in self.rows:
            return 1
        return self._root_index[self.root_of(pk)] // settings.MIA_THREAD_PAGE_SIZE + 1

    @cached_property
    def _root_index(self):
        return {pk: i for i, pk in enumerate(self.root_pks)}


class Row(NamedTuple):
    """
    A contribution's place in the thread (the GAP_FIELDS), without its text; and since when it
    is an editors' pick, so that a thread without picks costs no query to find them.
    """

    pk: int
    parent_id: int | None
    status: str
    published_at: datetime | None
    depth: int
    question_id: int
    picked_at: datetime | None

    def as_placeholder(self):
        """A contribution that carries nothing but its place in the thread."""
        return Contribution(**self._asdict())


def outlines(question_ids) -> dict[int, Outline]:
    """
    The outline of each question's thread in one query over a narrow index, which also finds the
    placeholders right above published replies; only a placeholder above a placeholder costs one
    more per level.
    """
    question_ids = set(question_ids)
    published = Contribution.objects.published().filter(question__in=question_ids)
    shown = Contribution.objects.filter(
        Q(status=Status.PUBLISHED) | Q(pk__in=published.values("parent_id")),
        question__in=question_ids,
    )
    rows = {row.pk: row for row in _rows(shown)}
    missing = {r.parent_id for r in rows.values() if r.parent_id and r.parent_id not in rows}
    while missing:
        gaps = _rows(Contribution.objects.filter(pk__in=missing))
        rows.update((gap.pk, gap) for gap in gaps)
        missing = {g.parent_id for g in gaps if g.parent_id and g.parent_id not in rows}
    by_question = {pk: {} for pk in question_ids}
    for row in rows.values():
        by_question.setdefault(row.question_id, {})[row.pk] = row
    return {pk: Outline(pk, by_question[pk]) for pk in question_ids}


def _rows(queryset):
    return [Row(*values) for values in queryset.order_by().values_list(*Row._fields)]


def page_url(question: Question, number: int) -> str:
    """The address of a page of the question's thread; the first page is the question's own."""
    url = reverse("debates:question-detail", kwargs={"slug": question.slug})
    return url if number <= 1 else f"{url}?{PAGE_PARAMETER}={number}"


def with_thread_pages(contributions):
    """
    The contributions, each knowing the address of the page of its thread that shows it, at its
    anchor, as `thread_url`. One query for the lot, however many questions they are on.
    """
    contributions = list(contributions)
    if contributions:
        found = outlines(c.question_id for c in contributions)
        for c in contributions:
            c.thread_url = _url_in(found[c.question_id], c)
    return contributions


def contribution_url(contribution: Contribution) -> str:
    """
    The page of its thread that shows the contribution, at its anchor (the question's first page
    for one that is not shown). One query, for the thread's outline.
    """
    return _url_in(outlines([contribution.question_id])[contribution.question_id], contribution)


def _url_in(outline: Outline, contribution: Contribution) -> str:
    page = outline.page_of(contribution.pk)
    return f"{page_url(contribution.question, page)}#{contribution.anchor}"


class Shown(NamedTuple):
    """
    A published contribution on a page of a thread, as the page is put together: its place, and
    a digest of everything else it shows, worked out by the database. Only a contribution whose
    HTML is not in the cache is fetched whole (debates/fragments.py).
    """

    pk: int
    parent_id: int | None
    in_reply_to_id: int | None
    status: str
    published_at: datetime | None
    depth: int
    question_id: int
    digest: str

    # Its anchor on the page, as the contribution's own (the same rule, in one place).
    anchor = Contribution.anchor


# Every field of a contribution that debates/_reply.html shows besides its place in the thread.
DIGESTED_FIELDS = (
    "title",
    "author_name",
    "author_title",
    "author_organisation",
    "body_html",
    "attachment",
    "attachment_name",
    "edited_at",
    "picked_at",
)


class ShownDigest(Func):
    """
    An MD5 of the DIGESTED_FIELDS, each followed by a separator (so no two different rows make
    the same text), written as plain SQL: the same expression built from Django's Concat and
    Coalesce cost more to compile, on every page, than the database takes to run it.
    """

    output_field = CharField()

    def as_sql(self, compiler, connection, **extra):
        table = compiler.quote_name_unless_alias(Contribution._meta.db_table)
        columns = [
            f"{table}.{connection.ops.quote_name(Contribution._meta.get_field(name).column)}"
            for name in DIGESTED_FIELDS
        ]
        if connection.vendor == "postgresql":
            parts = " || chr(31) || ".join(f"COALESCE({c}::text, '')" for c in columns)
            return f"md5({parts} || chr(31))", []
        parts = " || char(31) || ".join(f"COALESCE(CAST({c} AS TEXT), '')" for c in columns)
        return f"MD5({parts} || char(31))", []


SHOWN_DIGEST = ShownDigest()


class PageNotFound(Exception):
    """A page number that is not a number, or past the thread's last page."""


@dataclass
class ThreadPage:
    question: Question
    nodes: list[Node]
    page: object  # django.core.paginator.Page of the top-level contributions' ids
    reply_count: int
    outline: Outline

    def picks(self, limit: int) -> list[Contribution]:
        """
        The thread's latest editors' picks, wherever in the thread they are, each knowing its
        address there as `thread_url`; a thread without picks costs no query.
        """
        wanted = self.outline.picks(limit)
        if not wanted:
            return []
        picks = list(Contribution.objects.picks().filter(pk__in=wanted))
        for contribution in picks:
            contribution.question = self.question
            contribution.thread_url = _url_in(self.outline, contribution)
        return picks

    @property
    def number(self):
        return self.page.number

    @property
    def page_count(self):
        return self.page.paginator.num_pages

    @property
    def previous_url(self):
        return page_url(self.question, self.number - 1) if self.page.has_previous() else None

    @property
    def next_url(self):
        return page_url(self.question, self.number + 1) if self.page.has_next() else None

    @property
    def links(self):
        """The pages to offer: the first and last, those around this one, and gaps between."""
        paginator = self.page.paginator
        return [
            (number, page_url(self.question, number) if number != paginator.ELLIPSIS else None)
            for number in paginator.get_elided_page_range(self.number, on_each_side=2, on_ends=1)
        ]


def build_thread_page(question: Question, number: int | str | None = 1) -> ThreadPage:
    """
    One page of the question's thread: its share of the top-level contributions, each with every
    reply under it. Two queries, whatever the thread's length. Raises PageNotFound.
    """
    outline = outlines([question.pk])[question.pk]
    paginator = Paginator(outline.root_pks, settings.MIA_THREAD_PAGE_SIZE)
    try:
        page = paginator.page(number or 1)
    except InvalidPage as error:
        raise PageNotFound(number) from error
    on_page = set(page.object_list)
    wanted = [pk for pk in outline.rows if outline.root_of(pk) in on_page]
    published = [pk for pk in wanted if outline.rows[pk].status == Status.PUBLISHED]
    shown = (
        [
            Shown(*values)
            for values in Contribution.objects.filter(pk__in=published)
            .annotate(digest=SHOWN_DIGEST)
            .order_by("published_at", "pk")
            .values_list(*Shown._fields)
        ]
        if published
        else []
    )
    nodes = {c.pk: Node(c) for c in shown}
    for pk in wanted:
        if pk not in nodes:
            nodes[pk] = Node(outline.rows[pk].as_placeholder())
    return ThreadPage(
        question=question,
        nodes=_assemble(nodes, shown),
        page=page,
        reply_count=outline.reply_count,
        outline=outline,
    )
