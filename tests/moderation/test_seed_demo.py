"""The demo debate: written through the services, reproducible, and removable on its own."""

import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count

from debates.models import Contribution, Question
from moderation.models import Decision, OutgoingMail
from tests.factories import make_contribution

Status = Contribution.Status


@pytest.fixture
def debug(settings):
    settings.DEBUG = True


def seed_demo(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("seed_demo", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def shape():
    """What a reader and a moderator would see of the demo, without database ids."""
    rows = Contribution.objects.order_by("submitted_at", "pk").select_related("parent", "question")
    return [
        (
            c.question.slug,
            c.title,
            c.author_name,
            c.author_organisation,
            c.status,
            c.depth,
            c.parent.author_name if c.parent else None,
            c.published_at,
            bool(c.attachment),
        )
        for c in rows
    ]


def assert_cross_references_hold(pdf):
    """Every object sits where the PDF's table says it does, as readers require."""
    start = int(pdf.rsplit(b"startxref", 1)[1].split()[0])
    table = pdf[start:].split(b"trailer")[0].splitlines()
    assert table[0] == b"xref"
    entries = [line.split() for line in table[3:]]
    for number, (offset, _, kind) in enumerate(entries, start=1):
        assert kind == b"n"
        assert pdf[int(offset) :].startswith(b"%d 0 obj" % number)


def test_it_refuses_to_run_on_a_live_site(seeded, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        seed_demo("--replies", "5")
    assert not Contribution.objects.exists()


def test_it_says_to_seed_the_content_first(db, debug):
    Question.objects.all().delete()
    with pytest.raises(CommandError, match="seed_content"):
        seed_demo("--replies", "5")


def test_the_debate_goes_through_the_queue_like_real_contributions(seeded, debug):
    before = len(mail.outbox)

    out, err = seed_demo("--replies", "80", "--seed", "3")

    counts = dict(Contribution.objects.values_list("status").annotate(n=Count("pk")))
    assert set(counts) == {Status.PUBLISHED, Status.PENDING, Status.REJECTED, Status.SPAM}
    assert sum(counts.values()) == 80
    assert f"published {counts[Status.PUBLISHED]}, pending {counts[Status.PENDING]}" in out
    assert "80/80" in err
    for contribution in Contribution.objects.all():
        actions = set(contribution.decisions.values_list("action", flat=True))
        assert {Decision.Action.SUBMITTED, Decision.Action.CONFIRMED} <= actions
    rejected = Contribution.objects.filter(status=Status.REJECTED)
    assert all(c.rejection_reason for c in rejected)
    addresses = Contribution.objects.values_list("author_email", flat=True)
    assert all(a.endswith(("@example.dk", "@example.org")) for a in addresses)
    assert len(mail.outbox) == before
    assert not OutgoingMail.objects.exists()


def test_the_same_seed_gives_the_same_debate(seeded, debug):
    seed_demo("--replies", "40", "--seed", "7")
    first = shape()
    seed_demo("--clear", "--replies", "40", "--seed", "7")
    again = shape()
    seed_demo("--clear", "--replies", "40", "--seed", "8")

    assert again == first
    assert shape() != first


def test_a_seed_already_written_is_not_written_twice(seeded, debug):
    seed_demo("--replies", "5")
    with pytest.raises(CommandError, match="--clear"):
        seed_demo("--replies", "5")


def test_some_questions_draw_most_of_the_debate(seeded, debug):
    seed_demo("--replies", "120")

    per_question = sorted(
        Question.objects.annotate(n=Count("contributions")).values_list("n", flat=True)
    )
    assert per_question[-1] >= 3 * max(per_question[0], 1)


def test_replies_nest_to_the_cap_and_no_deeper_with_dates_spread_over_weeks(
    seeded, debug, settings
):
    seed_demo("--replies", "120", "--question", "lederens-roller")

    published = Contribution.objects.published()
    depths = set(published.values_list("depth", flat=True))
    assert depths == set(range(1, settings.MIA_MAX_REPLY_DEPTH + 1))
    assert all(
        c.published_at > c.parent.published_at for c in published.filter(parent__isnull=False)
    )
    first, last = published.order_by("published_at")[0], published.order_by("published_at").last()
    assert (last.published_at - first.published_at).days >= 14


def test_some_contributions_carry_a_small_valid_pdf(seeded, debug):
    seed_demo("--replies", "80")

    with_pdf = Contribution.objects.exclude(attachment="")
    assert with_pdf.exists()
    for contribution in with_pdf:
        data = contribution.attachment.read()
        assert data.startswith(b"%PDF-1.4")
        assert data.rstrip().endswith(b"%%EOF")
        assert len(data) < 2000
        assert_cross_references_hold(data)
        assert contribution.attachment_name.endswith(".pdf")


def test_clearing_removes_the_demo_and_nothing_else(seeded, debug, question):
    real = make_contribution(question=question, author_email="rigtig@kommune.dk")
    seed_demo("--replies", "30")
    files = [c.attachment for c in Contribution.objects.exclude(attachment="")]

    out, _ = seed_demo("--clear")

    assert list(Contribution.objects.all()) == [real]
    assert "Removed 30 demo contributions" in out
    assert all(not f.storage.exists(f.name) for f in files)


def published_per_question():
    counts = dict(
        Contribution.objects.published()
        .values_list("question__slug")
        .annotate(n=Count("pk"))
        .values_list("question__slug", "n")
    )
    questions = Question.objects.open().order_by("paper", "position", "pk")
    return [counts.get(slug, 0) for slug in questions.values_list("slug", flat=True)]


def test_sizes_give_the_first_questions_threads_of_exactly_those_sizes(seeded, debug, settings):
    out, err = seed_demo("--sizes", "0,3,12,40", "--seed", "2")

    assert published_per_question() == [0, 3, 12, 40, 0, 0, 0]
    largest = Question.objects.open().order_by("paper", "position", "pk")[3]
    assert f"  {largest.slug}: 40 published" in out
    thread = Contribution.objects.published().filter(question=largest)
    assert thread.filter(depth=1).exists()
    assert thread.filter(depth__gt=1).exists()
    assert set(thread.values_list("depth", flat=True)) <= set(
        range(1, settings.MIA_MAX_REPLY_DEPTH + 1)
    )
    # The queue has its share too, and the progress bar counts every contribution written.
    total = Contribution.objects.count()
    assert total > 55
    assert Contribution.objects.exclude(status=Status.PUBLISHED).exists()
    assert f"{total}/{total}" in err


def test_sizes_give_the_same_threads_for_the_same_seed(seeded, debug):
    seed_demo("--sizes", "5,20", "--seed", "4")
    first = shape()
    seed_demo("--clear", "--sizes", "5,20", "--seed", "4")

    assert shape() == first


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--sizes", "10", "--replies", "10"], "leave out --replies"),
        (["--sizes", "10", "--question", "lederens-roller"], "leave out --replies and --question"),
        (["--sizes", "1,1,1,1,1,1,1,1"], "names 8 questions, and there are 7"),
        (["--sizes", "10,ti"], "numbers separated by commas"),
        (["--sizes", "-1"], "fewer than 0"),
    ],
)
def test_sizes_that_cannot_be_written_are_refused(seeded, debug, args, message):
    with pytest.raises(CommandError, match=message):
        seed_demo(*args)
    assert not Contribution.objects.exists()
