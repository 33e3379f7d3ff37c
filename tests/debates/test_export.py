"""The research export holds the published debate, value for value, and nothing personal."""

import csv
import io
import json
from datetime import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from debates.exports import FIELDS, published_rows, write_csv, write_json
from debates.management.commands import export_debate
from debates.models import Contribution, Question
from tests.factories import PDF_BYTES, make_contribution

Status = Contribution.Status
UNPUBLISHED = [s for s in Status if s != Status.PUBLISHED]
COPENHAGEN = ZoneInfo("Europe/Copenhagen")

MARKDOWN = (
    "Ledelse på tværs kræver tre ting:\n"
    "\n"
    '- mod, tålmodighed og "fælles sprog"\n'
    "- et budget, der følger opgaven\n"
    "\n"
    "Som Økonomistyrelsen siger: “det er svært”, men muligt."
)
PERSONAL = ["forsker.privat@hemmelig.example", "203.0.113.77", "2001:db8::bad:cafe"]


def at(*args):
    return datetime(*args, tzinfo=COPENHAGEN)


@pytest.fixture
def debate(question):
    """Two published contributions and a reply under one question, one in the general debate."""
    general = Question.objects.get(slug="generel-debat")
    first = make_contribution(
        question=question,
        author_name="Søren Ærø Østergård",
        author_title="Kontorchef",
        author_organisation="Økonomistyrelsen",
        title="Mod, tålmodighed, og et “fælles sprog”",
        body=MARKDOWN,
        language="da",
        source=Contribution.Source.WEB,
        published_at=at(2025, 3, 1, 10, 30),
        edited_at=at(2025, 3, 1, 10, 0),
        original_body="Det oprindelige ORIGINAL-TEKST før redaktionen",
    )
    Contribution.objects.filter(pk=first.pk).update(submitted_at=at(2025, 2, 28, 23, 15))
    reply = make_contribution(
        question=question,
        parent=first,
        author_name="Liz Thiebe",
        author_title="",
        author_organisation="The King’s Fund",
        title="A reply",
        body="Agreed, with a paper attached.",
        language="en",
        source=Contribution.Source.EMAIL,
        message_id="<MESSAGE-ID-123@mail.example>",
        published_at=at(2025, 3, 3, 9, 0),
        attachment=PDF_BYTES,
    )
    # Created last but published first: the thread is ordered by publication, not by key.
    second = make_contribution(question=question, published_at=at(2025, 3, 2, 12, 0))
    in_general = make_contribution(question=general, published_at=at(2025, 1, 1, 8, 0))
    first.refresh_from_db()
    return SimpleNamespace(
        first=first, reply=reply, second=second, general=in_general, question=question
    )


def as_csv(contributions=None, **options):
    stream = io.StringIO(newline="")
    write_csv(published_rows(contributions), stream, **options)
    return stream.getvalue()


def as_json(contributions=None):
    stream = io.StringIO()
    write_json(published_rows(contributions), stream)
    return stream.getvalue()


def csv_rows(text):
    return list(csv.DictReader(io.StringIO(text, newline="")))


def export(*args):
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command("export_debate", *args, stdout=stdout, stderr=stderr)
    return stdout.getvalue(), stderr.getvalue()


def test_the_csv_holds_every_published_contribution_in_the_order_of_the_debate(debate):
    rows = csv_rows(as_csv())
    assert [row["id"] for row in rows] == [
        str(c.pk) for c in (debate.first, debate.second, debate.reply, debate.general)
    ]
    assert tuple(rows[0]) == FIELDS


def test_the_json_holds_every_published_contribution_with_its_count_and_fields(debate):
    data = json.loads(as_json())
    assert [row["id"] for row in data["contributions"]] == [
        c.pk for c in (debate.first, debate.second, debate.reply, debate.general)
    ]
    assert data["count"] == 4
    assert data["fields"] == list(FIELDS)
    assert data["exported_at"].endswith("+00:00")


def test_a_csv_row_carries_the_contribution_as_published_with_danish_letters_and_markdown(debate):
    assert csv_rows(as_csv())[0] == {
        "id": str(debate.first.pk),
        "question": "lederens-roller",
        "question_title": debate.question.title,
        "question_number": "2",
        "parent_id": "",
        "depth": "1",
        "published_at": "2025-03-01T09:30:00+00:00",
        "submitted_at": "2025-02-28T22:15:00+00:00",
        "edited_by_editors": "true",
        "author": "Søren Ærø Østergård",
        "affiliation": "Kontorchef, Økonomistyrelsen",
        "title": "Mod, tålmodighed, og et “fælles sprog”",
        "text": MARKDOWN,
        "word_count": "26",
        "attachment_name": "",
        "language": "da",
        "received_by": "web",
    }


def test_a_json_row_keeps_numbers_booleans_and_empty_values_typed(debate):
    assert json.loads(as_json())["contributions"][0] == {
        "id": debate.first.pk,
        "question": "lederens-roller",
        "question_title": debate.question.title,
        "question_number": 2,
        "parent_id": None,
        "depth": 1,
        "published_at": "2025-03-01T09:30:00+00:00",
        "submitted_at": "2025-02-28T22:15:00+00:00",
        "edited_by_editors": True,
        "author": "Søren Ærø Østergård",
        "affiliation": "Kontorchef, Økonomistyrelsen",
        "title": "Mod, tålmodighed, og et “fælles sprog”",
        "text": MARKDOWN,
        "word_count": 26,
        "attachment_name": "",
        "language": "da",
        "received_by": "web",
    }


def test_a_reply_names_its_parent_and_the_file_name_of_its_paper(debate):
    reply = {row["id"]: row for row in csv_rows(as_csv())}[str(debate.reply.pk)]
    assert (reply["parent_id"], reply["depth"]) == (str(debate.first.pk), "2")
    assert reply["attachment_name"] == "paper.pdf"
    assert (reply["affiliation"], reply["language"], reply["received_by"]) == (
        "The King’s Fund",
        "en",
        "email",
    )
    assert (reply["word_count"], reply["edited_by_editors"]) == ("5", "false")


def test_the_general_debate_has_no_question_number(debate):
    general = json.loads(as_json())["contributions"][-1]
    assert (general["question"], general["question_number"]) == ("generel-debat", None)
    assert csv_rows(as_csv())[-1]["question_number"] == ""


@pytest.mark.parametrize("status", UNPUBLISHED)
def test_an_unpublished_contribution_is_in_neither_export(debate, status):
    hidden = make_contribution(
        question=debate.question,
        status=status,
        title="HEMMELIG-TITEL",
        body="HEMMELIG-TEKST",
        author_name="HEMMELIG-NAVN",
    )
    for text in (as_csv(), as_json()):
        assert "HEMMELIG" not in text
    assert str(hidden.pk) not in {row["id"] for row in csv_rows(as_csv())}
    assert hidden.pk not in {row["id"] for row in json.loads(as_json())["contributions"]}


@pytest.mark.parametrize("status", Status)
def test_no_address_message_id_or_text_as_sent_is_ever_exported(debate, status):
    make_contribution(
        question=debate.question,
        status=status,
        author_email=PERSONAL[0],
        submitter_ip=PERSONAL[1],
        rejection_reason="AFVIST-FORDI",
        intake_note="POST-NOTE",
    )
    make_contribution(question=debate.question, status=status, submitter_ip=PERSONAL[2])
    for text in (as_csv(), as_json()):
        for secret in [*PERSONAL, "192.0.2.10", "ORIGINAL-TEKST", "AFVIST-FORDI", "POST-NOTE"]:
            assert secret not in text
        assert "MESSAGE-ID" not in text
        assert "@" not in text


def test_a_selection_with_unpublished_contributions_exports_only_its_published_ones(debate):
    pending = make_contribution(question=debate.question, status=Status.PENDING)
    selection = Contribution.objects.filter(pk__in=[debate.first.pk, debate.reply.pk, pending.pk])
    assert [row["id"] for row in published_rows(selection)] == [debate.first.pk, debate.reply.pk]


def test_the_export_is_one_query_however_many_contributions(debate):
    for _ in range(5):
        make_contribution(question=debate.question)
    with CaptureQueriesContext(connection) as queries:
        assert len(list(published_rows())) == 9
    assert len(queries) == 1


def test_an_empty_debate_still_exports_a_header_and_an_empty_list(seeded):
    assert as_csv() == ",".join(FIELDS) + "\r\n"
    assert json.loads(as_json())["contributions"] == []


def test_the_command_writes_only_the_data_to_standard_output_and_reports_on_standard_error(
    debate,
):
    stdout, stderr = export("--format", "csv")
    assert stdout == as_csv()
    assert stderr == (
        "Exported 4 published contributions from 2 questions to standard output (csv).\n"
    )
    stdout, _ = export("--format", "json")
    assert json.loads(stdout)["count"] == 4
    assert "Søren Ærø Østergård" in stdout


def test_the_command_reports_progress_on_standard_error_as_it_goes(debate, monkeypatch):
    monkeypatch.setattr(export_debate, "PROGRESS_EVERY", 2)
    stdout, stderr = export("--format", "json")
    assert stderr.splitlines()[:2] == ["exported 2…", "exported 4…"]
    assert "exported 2" not in stdout


def test_output_writes_the_export_to_a_file(debate, tmp_path):
    path = tmp_path / "debat.csv"
    stdout, stderr = export("--format", "csv", "--output", str(path))
    assert stdout == ""
    assert path.read_bytes().decode() == as_csv()
    assert path.read_bytes().startswith(b"id,question,")
    assert f"to {path} (csv)." in stderr


def test_an_output_that_cannot_be_written_is_an_error(debate, tmp_path):
    with pytest.raises(CommandError, match="Cannot write"):
        export("--format", "csv", "--output", str(tmp_path / "mangler" / "debat.csv"))


def test_question_limits_the_export_to_that_question(debate):
    stdout, stderr = export("--format", "csv", "--question", "generel-debat")
    assert [row["id"] for row in csv_rows(stdout)] == [str(debate.general.pk)]
    assert "1 published contribution from 1 question" in stderr


def test_an_unknown_question_is_an_error_that_lists_the_questions(seeded):
    with pytest.raises(CommandError, match=r"“findes-ikke”.*lederens-roller"):
        export("--format", "csv", "--question", "findes-ikke")


def test_bom_starts_the_csv_file_with_the_utf8_byte_order_mark_for_excel(debate, tmp_path):
    path = tmp_path / "debat.csv"
    export("--format", "csv", "--bom", "--output", str(path))
    assert path.read_bytes().startswith(b"\xef\xbb\xbfid,question,")
    rows = csv_rows(path.read_bytes().decode("utf-8-sig"))
    assert rows[0]["author"] == "Søren Ærø Østergård"


def test_the_byte_order_mark_is_written_only_when_asked_for(debate):
    assert as_csv().startswith("id,")
    assert export("--format", "json")[0].startswith("{")
    assert export("--format", "csv", "--bom")[0] == as_csv(bom=True)
    assert as_csv(bom=True).startswith("\ufeffid,")


def test_bom_is_refused_for_json(seeded):
    with pytest.raises(CommandError, match="CSV only"):
        export("--format", "json", "--bom")
