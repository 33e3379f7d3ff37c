"""
The content keeps every earlier version, with who made it and when; seeding and saves that change
nothing add none; restoring one is a new version, rendered and shown like an edit.
"""

import importlib
import io
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection

from debates import versions
from debates.models import (
    AccessibilityStatement,
    Contribution,
    Paper,
    Paragraph,
    Question,
    Speaker,
    Talk,
    Workshop,
)
from moderation.services import close_question
from tests.factories import make_webmaster

VERSIONED = [Workshop, Speaker, Talk, Paper, Paragraph, Question, AccessibilityStatement]


def all_versions():
    return {model.__name__: model.history.count() for model in VERSIONED}


def first_paragraph():
    return Paragraph.objects.order_by("position").first()


def test_the_seeded_content_has_one_first_version_each_by_no_one(seeded):
    for model in VERSIONED:
        for obj in model.objects.all():
            (version,) = obj.history.all()
            assert version.history_type == "+"
            assert version.history_change_reason == versions.Source.SEED
            assert version.history_user is None
            assert version.history_user_name == ""


def test_seeding_again_adds_no_version(seeded):
    before = all_versions()

    call_command("seed_content", stdout=io.StringIO())

    assert all_versions() == before


def test_a_seeded_talk_keeps_its_speakers_in_its_first_version(seeded):
    talk = Talk.objects.filter(workshop__number=5).exclude(speakers=None).first()

    (version,) = talk.history.all()

    assert {row.speaker for row in version.speakers.all()} == set(talk.speakers.all())


def test_a_save_makes_a_version_and_a_save_that_changes_nothing_none(seeded):
    paragraph = first_paragraph()

    paragraph.text = "Et nyt afsnit."
    paragraph.save()
    paragraph.save()
    Paragraph.objects.get(pk=paragraph.pk).save()

    assert [v.text for v in paragraph.history.all()] == [
        "Et nyt afsnit.",
        paragraph.history.last().text,
    ]


def test_a_talk_and_its_speakers_saved_together_make_one_version(seeded):
    talk = Talk.objects.filter(workshop__number=5).first()
    newcomer = Speaker.objects.create(name="Ny Taler")

    with versions.one_version_each():
        talk.title = "Et nyt oplæg"
        talk.save()
        talk.speakers.set([newcomer])

    newest, first = talk.history.all()
    assert newest.title == "Et nyt oplæg"
    assert [row.speaker for row in newest.speakers.all()] == [newcomer]
    assert first.title != "Et nyt oplæg"


def test_restoring_brings_back_the_text_renders_it_and_adds_a_version(seeded):
    paragraph = first_paragraph()
    paragraph.text = "Et **første** udkast."
    paragraph.save()
    draft = paragraph.history.first()
    paragraph.text = "Et andet udkast."
    paragraph.save()
    webmaster = make_webmaster(username="redaktoer")
    earlier = list(paragraph.history.values_list("history_id", "text"))

    versions.restore_version(version=draft, user=webmaster)

    paragraph.refresh_from_db()
    assert paragraph.text == "Et **første** udkast."
    assert paragraph.text_html == "<p>Et <strong>første</strong> udkast.</p>"
    newest = paragraph.history.first()
    assert (newest.history_change_reason, newest.history_user, newest.history_user_name) == (
        versions.Source.RESTORE,
        webmaster,
        "redaktoer",
    )
    assert newest.history_restored_from == draft
    # Nothing earlier was changed or lost.
    assert list(paragraph.history.values_list("history_id", "text"))[1:] == earlier


def test_restoring_a_talk_brings_back_its_speakers(seeded):
    talk = Talk.objects.filter(workshop__number=5).exclude(speakers=None).first()
    speakers = set(talk.speakers.all())
    seeded_version = talk.history.get()
    talk.speakers.set([Speaker.objects.create(name="Ny Taler")])

    versions.restore_version(version=seeded_version, user=make_webmaster())

    assert set(talk.speakers.all()) == speakers
    assert {row.speaker for row in talk.history.first().speakers.all()} == speakers


def test_a_version_the_same_as_the_current_one_is_not_restored_again(seeded):
    paragraph = first_paragraph()

    with pytest.raises(versions.VersionError, match="samme som den nuværende"):
        versions.restore_version(version=paragraph.history.get(), user=make_webmaster())

    assert paragraph.history.count() == 1


def test_a_version_whose_address_is_taken_since_is_refused_and_changes_nothing(seeded):
    question, other = Question.objects.exclude(paragraph=None)[:2]
    seeded_version = question.history.get()
    question.slug = "nyt-navn"
    question.save()
    other.slug = seeded_version.slug
    other.save()

    with pytest.raises(versions.VersionError):
        versions.restore_version(version=seeded_version, user=make_webmaster())

    question.refresh_from_db()
    assert question.slug == "nyt-navn"
    assert question.history.count() == 2


def test_closing_a_question_records_the_synthesis_as_a_version_by_the_moderator(seeded):
    question = Question.objects.get(slug="lederens-roller")
    webmaster = make_webmaster(username="lukker")

    close_question(question=question, synthesis="Debatten *samlet*.", actor=webmaster)

    newest = question.history.first()
    assert (newest.is_open, newest.synthesis) == (False, "Debatten *samlet*.")
    assert (newest.history_change_reason, newest.history_user) == (versions.Source.CLOSE, webmaster)


def test_contributions_are_not_versioned(db):
    tables = connection.introspection.table_names()

    assert not versions.is_versioned(Contribution)
    assert not hasattr(Contribution, "history")
    assert not [table for table in tables if "historical" in table and "contribution" in table]


def test_the_migrations_make_a_table_of_versions_for_each_kind_of_content(db):
    tables = set(connection.introspection.table_names())

    for model in VERSIONED:
        assert model.history.model._meta.db_table in tables
    assert "debates_historicaltalk_speakers" in tables


def test_the_migration_gives_content_from_before_the_history_a_first_version(seeded):
    migration = importlib.import_module("debates.migrations.0011_content_history_baseline")
    talk = Talk.objects.exclude(speakers=None).first()
    Paragraph.history.all().delete()
    talk.history.all().delete()
    editor = SimpleNamespace(connection=connection)

    migration.keep_what_is_there(apps, editor)
    migration.keep_what_is_there(apps, editor)

    for paragraph in Paragraph.objects.all():
        (version,) = paragraph.history.all()
        assert (version.text, version.history_type) == (paragraph.text, "+")
        assert (version.history_change_reason, version.history_user) == ("migration", None)
    (version,) = talk.history.all()
    assert {row.speaker for row in version.speakers.all()} == set(talk.speakers.all())
