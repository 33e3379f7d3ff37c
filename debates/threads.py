"""
A question's thread: its published contributions as a tree, built in one pass, and in pages.

Where a published reply answers something that is no longer public (withdrawn or removed), that
gap is shown as a placeholder carrying nothing of the missing contribution but its place in the
thread.

A long thread is read in pages of at most MIA_CONTRIBUTIONS_PER_PAGE contributions, whatever its
shape: a sub-thread too big for one page goes on over the next ones, where a note names what its
replies continue. Which page holds a contribution is worked out from the thread's outline (who
hangs under whom, and when each was published), one small query for any number of questions, so
that lists of links (feeds, search, the home page) cost the same for five contributions or fifty.
"""

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import NamedTuple

from django.conf import settings
from django.core.paginator import Paginator
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
    # it answers, or None when that is not on this page.
    answers: "Node | None" = None
    # The published contribution it answers, when that is on another page of the thread.
    answers_elsewhere: int | None = None
    # Where the replies under it go on, when some are on a later page: (page, address).
    more: tuple[int, str] | None = None

    @property
    def is_placeholder(self):
        return self.contribution.status != Contribution.Status.PUBLISHED

    @property
    def is_flattened(self):
        """Whether the reply sits elsewhere than under the contribution it answers."""
        c = self.contribution
        return c.parent_id is not None and c.in_reply_to_id not in (None, c.parent_id)


@dataclass
class Continued:
    """
    Replies on this page to a contribution on an earlier page: what they continue (a node of
    its own, never rendered here) and where it is.
    """

    parent: Node
    url: str
    children: list[Node] = field(default_factory=list)


def _thread_order(c):
    # Placeholders have no publication date of their own to show; their id keeps them in order.
    return (c.published_at is None, c.published_at, c.pk)


# Pages ------------------------------------------------------------------------------------------


class Outline:
    """
    The shape of one question's thread without its texts: every contribution it shows (the
    published ones and the placeholders above them), in thread order, and which page holds each.
    """

    def __init__(self, question_id, rows):
        self.question_id = question_id
        self.rows = rows
        published = [row for row in rows.values() if row.status == Status.PUBLISHED]
        self.reply_count = len(published)
        newest = max(published, key=lambda row: (row.published_at, row.pk), default=None)
        self.newest_pk = newest.pk if newest else None
        # As in the tree, a contribution whose parent is not shown stands at the top.
        self.children = {pk: [] for pk in rows}
        self.root_pks = []
        for row in sorted(rows.values(), key=_thread_order):
            siblings = self.children.get(row.parent_id, self.root_pks)
            siblings.append(row.pk)

    @cached_property
    def pages(self) -> list[list[int]]:
        """
        The contributions of each page, in thread order: at most MIA_CONTRIBUTIONS_PER_PAGE. A
        sub-thread that fits on a page is never split; a bigger one goes on over the next pages,
        broken between the sub-threads under it.
        """
        limit = max(1, settings.MIA_CONTRIBUTIONS_PER_PAGE)
        order, position = self._in_order, self._position
        sizes = {}
        for pk in reversed(order):
            sizes[pk] = 1 + sum(sizes[child] for child in self.children[pk])
        pages = [[]]
        # Depth first: a sub-thread is placed whole, or its top alone and its replies after it,
        # each the same way.
        stack = list(reversed(self.root_pks))
        while stack:
            pk = stack.pop()
            room = limit - len(pages[-1])
            if sizes[pk] <= limit:
                if sizes[pk] > room:
                    pages.append([])
                start = position[pk]
                pages[-1].extend(order[start : start + sizes[pk]])
            else:
                if not room:
                    pages.append([])
                pages[-1].append(pk)
                stack.extend(reversed(self.children[pk]))
        return pages

    @property
    def page_count(self):
        return len(self.pages)

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
        return self._page_of.get(pk, 1)

    @cached_property
    def _page_of(self):
        return {pk: number for number, pks in enumerate(self.pages, 1) for pk in pks}

    @cached_property
    def _in_order(self):
        """Every contribution in thread order: each followed by the sub-thread under it."""
        order, stack = [], list(reversed(self.root_pks))
        while stack:
            pk = stack.pop()
            order.append(pk)
            stack.extend(reversed(self.children[pk]))
        return order

    @cached_property
    def _position(self):
        return {pk: i for i, pk in enumerate(self._in_order)}


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
    author_name: str
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
    nodes: list["Node | Continued"]
    number: int
    page_count: int
    reply_count: int
    outline: Outline
    # The newest published contribution of the whole thread, wherever it is.
    newest_pk: int | None = None

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
    def previous_url(self):
        return page_url(self.question, self.number - 1) if self.number > 1 else None

    @property
    def next_url(self):
        return page_url(self.question, self.number + 1) if self.number < self.page_count else None

    @property
    def links(self):
        """The pages to offer: the first and last, those around this one, and gaps between."""
        paginator = Paginator(range(self.page_count), 1)
        return [
            (number, page_url(self.question, number) if number != paginator.ELLIPSIS else None)
            for number in paginator.get_elided_page_range(self.number, on_each_side=2, on_ends=1)
        ]


def build_thread_page(question: Question, number: int | str | None = 1) -> ThreadPage:
    """
    One page of the question's thread: at most MIA_CONTRIBUTIONS_PER_PAGE contributions, those
    whose parent is on an earlier page under a note that names it. Two queries, whatever the
    thread's length or shape. Raises PageNotFound.
    """
    outline = outlines([question.pk])[question.pk]
    try:
        number = int(number or 1)
        wanted = outline.pages[number - 1] if number >= 1 else None
    except (ValueError, TypeError, IndexError, OverflowError):
        wanted = None
    if wanted is None:
        raise PageNotFound(number)
    on_page = set(wanted)
    rows = outline.rows
    # What the first replies on the page continue: named in the note above them.
    continued = {
        rows[pk].parent_id
        for pk in wanted
        if rows[pk].parent_id in rows and rows[pk].parent_id not in on_page
    }
    fetched = [pk for pk in (*wanted, *continued) if rows[pk].status == Status.PUBLISHED]
    found = (
        {
            values[0]: Shown(*values)
            for values in Contribution.objects.filter(pk__in=fetched)
            .annotate(digest=SHOWN_DIGEST)
            .order_by()
            .values_list(*Shown._fields)
        }
        if fetched
        else {}
    )
    nodes = {
        pk: Node(found[pk] if pk in found else rows[pk].as_placeholder())
        for pk in (*wanted, *continued)
    }
    return ThreadPage(
        question=question,
        nodes=_assemble(question, outline, wanted, nodes),
        number=number,
        page_count=outline.page_count,
        reply_count=outline.reply_count,
        outline=outline,
        newest_pk=outline.newest_pk,
    )


def _assemble(question, outline, wanted, nodes):
    """
    The page's contributions as a tree: replies under their parent, and those whose parent is on
    an earlier page under a note for it; each knowing what it answers and where its replies go on.
    """
    on_page, rows = set(wanted), outline.rows
    roots = []
    for pk in wanted:
        node, parent_id = nodes[pk], rows[pk].parent_id
        if node.is_flattened:
            target = node.contribution.in_reply_to_id
            if target in on_page:
                node.answers = nodes[target]
            elif target in rows and rows[target].status == Status.PUBLISHED:
                node.answers_elsewhere = target
        if later := [child for child in outline.children[pk] if child not in on_page]:
            node.more = (outline.page_of(later[0]), _place(question, outline, later[0]))
        if parent_id in on_page:
            nodes[parent_id].children.append(node)
        elif parent_id in nodes:
            last = roots[-1] if roots else None
            if not (isinstance(last, Continued) and last.parent is nodes[parent_id]):
                roots.append(Continued(nodes[parent_id], _place(question, outline, parent_id)))
            roots[-1].children.append(node)
        else:
            roots.append(node)
    return roots


def _place(question, outline, pk):
    """The address of a contribution's page of the thread, at its anchor."""
    return f"{page_url(question, outline.page_of(pk))}#{Contribution(pk=pk).anchor}"
