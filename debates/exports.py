"""
The research export of the debate: every published contribution, one row each, as CSV or JSON.

The webmaster makes it (the `export_debate` command, the admin action) and hands it to
researchers, so a row holds what a reader of the site can see and nothing more: no e-mail or
network addresses, no Message-IDs, no text as sent before the editors' edits, no reasons for
rejection, and nothing of a contribution that is not published.
"""

import csv
import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import TextIO

from django.db.models import QuerySet
from django.utils import timezone

from debates.models import Contribution

FIELDS = (
    "id",
    "question",
    "question_title",
    "question_number",
    "parent_id",
    "depth",
    "published_at",
    "submitted_at",
    "edited_by_editors",
    "author",
    "affiliation",
    "title",
    "text",
    "word_count",
    "attachment_name",
    "language",
    "received_by",
)

CHUNK_SIZE = 500

# Everything a row is made of; the personal and moderation fields are never even fetched.
_LOADED = (
    "parent",
    "depth",
    "published_at",
    "submitted_at",
    "edited_at",
    "author_name",
    "author_title",
    "author_organisation",
    "title",
    "body",
    "attachment",
    "attachment_name",
    "language",
    "source",
    "question__slug",
    "question__title",
    "question__position",
    "question__paragraph",
)


def published_rows(contributions: QuerySet[Contribution] | None = None) -> Iterator[dict]:
    """
    One dict per published contribution, keyed by FIELDS, in the order of the debate: the paper's
    questions in turn, each oldest first. Whoever may export may pass a selection; it is narrowed
    to its published contributions, so a mixed selection never lets an unpublished one out.
    """
    published = Contribution.objects.published()
    if contributions is not None:
        if contributions.model is not Contribution:
            raise TypeError(f"Expected contributions, got a queryset of {contributions.model}.")
        published = published.filter(pk__in=contributions.values("pk"))
    published = (
        published.select_related("question")
        .only(*_LOADED)
        .order_by(
            "question__paper__workshop__number",
            "question__position",
            "question_id",
            "published_at",
            "pk",
        )
    )
    for contribution in published.iterator(chunk_size=CHUNK_SIZE):
        yield _row(contribution)


def _row(contribution: Contribution) -> dict:
    question = contribution.question
    return {
        "id": contribution.pk,
        "question": question.slug,
        "question_title": question.title,
        "question_number": None if question.is_general else question.position,
        "parent_id": contribution.parent_id,
        "depth": contribution.depth,
        "published_at": _utc(contribution.published_at),
        "submitted_at": _utc(contribution.submitted_at),
        "edited_by_editors": contribution.is_edited,
        "author": contribution.author_name,
        "affiliation": contribution.affiliation,
        "title": contribution.title,
        "text": contribution.body,
        "word_count": len(contribution.body.split()),
        "attachment_name": contribution.attachment_name if contribution.attachment else "",
        "language": contribution.language,
        "received_by": contribution.source,
    }


def _utc(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat(timespec="seconds") if moment else None


def write_csv(rows: Iterable[dict], stream: TextIO, *, bom: bool = False) -> int:
    """
    Write the rows as CSV with a header row to a text stream opened with newline=""; returns how
    many rows were written. `bom` starts it with a UTF-8 byte order mark, which Excel needs to
    show æ, ø and å; other programs are better off without it.
    """
    if bom:
        stream.write("\ufeff")
    writer = csv.DictWriter(stream, fieldnames=FIELDS)
    writer.writeheader()
    count = 0
    for row in rows:
        writer.writerow({name: _csv_value(value) for name, value in row.items()})
        count += 1
    return count


def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def write_json(rows: Iterable[dict], stream: TextIO) -> int:
    """
    Write the rows as one JSON object, a contribution at a time, to a text stream; returns how
    many were written. Empty values are null, the edited flag a boolean, the numbers numbers.
    """
    stream.write("{\n")
    stream.write(f'  "exported_at": {json.dumps(_utc(timezone.now()))},\n')
    stream.write(f'  "fields": {json.dumps(list(FIELDS))},\n')
    stream.write('  "contributions": [')
    count = 0
    for row in rows:
        stream.write(",\n    " if count else "\n    ")
        stream.write(json.dumps(row, ensure_ascii=False))
        count += 1
    # The count comes last because it is only known once the rows have been streamed.
    stream.write("\n  ]" if count else "]")
    stream.write(f',\n  "count": {count}\n}}\n')
    return count
