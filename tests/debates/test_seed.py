"""The seeded content is the source page's text, word for word, and seeding is safe to repeat."""

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from debates.models import Paper, Question, Speaker, Talk, Workshop

SOURCE_PAGE = Path(settings.BASE_DIR) / "fixtures" / "source-page.txt"


@pytest.fixture
def source_paragraphs():
    text = SOURCE_PAGE.read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip()]


def test_five_workshops_are_seeded_in_order(seeded):
    assert list(Workshop.objects.values_list("number", "title")) == [
        (n, f"MIA-workshop {n}") for n in range(1, 6)
    ]


def test_workshops_one_to_four_are_neutral_placeholders(seeded):
    for workshop in Workshop.objects.filter(number__lt=5):
        assert (workshop.theme, workshop.place, workshop.held_on) == ("", "", None)
        assert not workshop.talks.exists()


def test_workshop_five_has_its_five_speakers_with_their_titles(seeded):
    speakers = Speaker.objects.filter(talks__workshop__number=5).distinct()
    assert {(s.name, s.title, s.organisation) for s in speakers} == {
        ("Charlotte Münter", "Direktør", "Økonomistyrelsen"),
        ("Jacob Torfing", "Professor", "Roskilde Universitet, CLIPS"),
        (
            "David Halpern",
            "Dr., Head of the Cabinet Office Behavioural Insight Team",
            "Cabinet Office, London",
        ),
        ("Liz Thiebe", "Head of Programmes for Leadership Development", "The King’s Fund"),
        ("Niels Godtfredsen", "Afdelingschef", "Finansministeriet"),
    }
    assert Talk.objects.filter(workshop__number=5).count() == 5


def test_six_open_questions_end_their_paragraphs_word_for_word(seeded, source_paragraphs):
    questions = Question.objects.exclude(paragraph=None).select_related("paragraph")
    assert questions.count() == 6
    for question in questions:
        original = f"{question.paragraph.text} {question.text}"
        assert original in source_paragraphs, question.slug
        assert question.text.endswith("?")
        assert question.is_open


def test_the_paper_is_the_source_text_word_for_word(seeded, source_paragraphs):
    paper = Paper.objects.get()
    assert paper.title == "MIA 5 konklusioner"
    assert paper.workshop.number == 5
    rebuilt = []
    for paragraph in paper.paragraphs.select_related("question"):
        question = getattr(paragraph, "question", None)
        rebuilt.append(f"{paragraph.text} {question.text}" if question else paragraph.text)
    start = source_paragraphs.index("MIA 5 konklusioner") + 1
    assert rebuilt == source_paragraphs[start : start + len(rebuilt)]
    assert rebuilt[-1].startswith("Casen demonstrerede")


def test_the_forum_introduction_is_seeded_word_for_word_but_for_how_to_take_part(
    seeded, source_paragraphs
):
    introduction = Paper.objects.get().introduction.split("\n\n")
    start = source_paragraphs.index("Forum til debat") + 1
    welcome, invitation, by_mail, encouragement = source_paragraphs[start : start + 4]
    # The source asks for mail to a personal mailbox of the time; the site says how it works now.
    assert "masobr(at)ruc.dk" in by_mail
    assert introduction == [welcome, invitation, encouragement]


def test_the_general_debate_is_one_question_without_a_paragraph(seeded):
    general = Question.objects.general().get()
    assert general.slug == "generel-debat"
    assert general.is_general


def test_seeding_twice_changes_nothing(seeded):
    def snapshot():
        return [
            list(model.objects.order_by("pk").values())
            for model in (Workshop, Speaker, Talk, Paper, Question)
        ]

    before = snapshot()
    out = io.StringIO()
    call_command("seed_content", stdout=out)
    assert snapshot() == before
    assert "0 created" in out.getvalue()


def test_seeding_never_overwrites_what_the_webmaster_edited(seeded):
    Workshop.objects.filter(number=2).update(title="Velfærdsinnovation", theme="Brugerne")
    Question.objects.filter(slug="motivation").update(title="Motivation", is_open=False)

    call_command("seed_content", stdout=io.StringIO())

    workshop = Workshop.objects.get(number=2)
    assert (workshop.title, workshop.theme) == ("Velfærdsinnovation", "Brugerne")
    question = Question.objects.get(slug="motivation")
    assert (question.title, question.is_open) == ("Motivation", False)


def test_seeding_adds_a_missing_row_without_touching_the_rest(seeded):
    Workshop.objects.filter(number=1).delete()
    Workshop.objects.filter(number=2).update(title="Workshop om ledelse")

    out = io.StringIO()
    call_command("seed_content", stdout=out)

    assert "1 created" in out.getvalue()
    assert Workshop.objects.get(number=1).title == "MIA-workshop 1"
    assert Workshop.objects.get(number=2).title == "Workshop om ledelse"


def test_new_rows_can_be_added_after_seeding(seeded):
    """Seeded rows carry explicit keys; the database must hand out fresh ones after them."""
    speaker = Speaker.objects.create(name="Ny oplægsholder")
    assert speaker.pk > Speaker.objects.exclude(pk=speaker.pk).order_by("-pk").first().pk
