"""
The content's history in the admin: an edit is a version by its editor, the History page shows it
as a diff in Danish, and restoring an earlier version brings its text back to the public pages.
Only staff with the permission to see versions see them, and only those who may also change the
content restore one.
"""

import pytest
from django.contrib.auth.models import Permission
from django.db.models.fields.files import FieldFile
from django.test import Client
from django.urls import reverse

from debates import versions
from debates.models import Paper, Paragraph, Question, Speaker, Talk, Workshop
from tests.factories import make_user, make_webmaster

OLD = "Tværgående samarbejde og kreative innovationsprocesser kan være svære at lede"
NEW = "Tværgående samarbejde og kreative fornyelsesprocesser kan være svære at lede"


@pytest.fixture
def paper(seeded):
    return Paper.objects.get()


@pytest.fixture
def paragraph(paper):
    return paper.paragraphs.get(text__startswith=OLD)


@pytest.fixture
def editor(client, db):
    user = make_webmaster(username="redaktoer", first_name="Rie", last_name="Dahl")
    client.force_login(user)
    return user


def form_data(client, url):
    """What the admin's change page would send back unchanged: its form and its inlines'."""
    response = client.get(url)
    forms = [response.context["adminform"].form]
    data = {}
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    for form in forms:
        for field in form:
            value = field.value()
            if value is None or value is False or isinstance(value, FieldFile):
                continue
            data[field.html_name] = "on" if value is True else value
    return data


def edit_paragraph(client, paper, paragraph, text):
    url = reverse("admin:debates_paper_change", args=[paper.pk])
    data = form_data(client, url)
    (prefix,) = [
        name.removesuffix("-id")
        for name, value in data.items()
        if name.startswith("paragraphs-") and name.endswith("-id") and value == paragraph.pk
    ]
    data[f"{prefix}-text"] = text
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    return response


def history_url(obj):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[obj.pk])


def restore_url(obj):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_restore", args=[obj.pk])


def restore(client, paper, version, model="paragraph"):
    return client.post(restore_url(paper), {"model": model, "version": version.history_id})


def public_page(url):
    """The page as an anonymous reader gets it, from the page cache when it is there."""
    return Client().get(url).content.decode()


def test_an_edit_in_the_admin_is_one_version_by_its_editor(client, editor, paper, paragraph):
    edit_paragraph(client, paper, paragraph, paragraph.text.replace(OLD, NEW))

    newest, seeded = paragraph.history.all()
    assert newest.text.startswith(NEW)
    assert seeded.text.startswith(OLD)
    assert (newest.history_user, newest.history_user_name) == (editor, "redaktoer")
    # The paper itself and the other paragraphs were sent back unchanged: no version for them.
    assert paper.history.count() == 1
    assert Paragraph.history.count() == Paragraph.objects.count() + 1


def test_a_page_sent_back_unchanged_by_a_browser_makes_no_version(client, editor, paper):
    url = reverse("admin:debates_paper_change", args=[paper.pk])
    data = form_data(client, url)
    # Browsers send a textarea's lines ended by CRLF, whatever they were.
    data = {name: v.replace("\n", "\r\n") if isinstance(v, str) else v for name, v in data.items()}

    assert client.post(url, data).status_code == 302

    assert paper.history.count() == 1
    assert Paragraph.history.count() == Paragraph.objects.count()


def test_a_talks_title_and_speakers_changed_on_its_page_are_one_version(client, editor, seeded):
    talk = Talk.objects.filter(workshop__number=5).exclude(speakers=None).first()
    newcomer = Speaker.objects.create(name="Ny Taler")
    url = reverse("admin:debates_talk_change", args=[talk.pk])
    data = form_data(client, url)
    data.update(title="Et nyt oplæg", speakers=[newcomer.pk])

    assert client.post(url, data).status_code == 302

    newest, _seeded = talk.history.all()
    assert newest.title == "Et nyt oplæg"
    assert [row.speaker for row in newest.speakers.all()] == [newcomer]
    assert newest.history_user == editor


def test_the_history_shows_the_change_as_a_diff_in_danish(client, editor, paper, paragraph):
    edit_paragraph(client, paper, paragraph, paragraph.text.replace(OLD, NEW) + "\n\nEn ny linje.")

    html = client.get(history_url(paper)).content.decode()

    assert "Historik: MIA 5 konklusioner" in html
    assert "Alle versioner af “MIA 5 konklusioner” med afsnit og åbne spørgsmål" in html
    assert f"Afsnit {paragraph.position}" in html
    assert "Ændret af redaktoer" in html
    assert "<dt>Tekst</dt>" in html
    # The Markdown line by line, with the word that changed marked on each side.
    assert "<del>innovationsprocesser</del>" in html
    assert "<ins>fornyelsesprocesser</ins>" in html
    assert "Tilføjet: </span>En ny linje." in html
    assert "Indlæst med sidens indhold af kommandoen seed_content" in html
    assert "Gendan denne version" in html


def test_restoring_in_the_admin_brings_the_earlier_text_back_to_the_public_paper(
    client, editor, paper, paragraph
):
    seeded = paragraph.history.get()
    edit_paragraph(client, paper, paragraph, paragraph.text.replace(OLD, NEW))
    assert NEW in public_page(paper.get_absolute_url())
    assert NEW in public_page(paper.get_absolute_url())

    response = restore(client, paper, seeded)

    assert response.status_code == 302
    assert response.url == history_url(paper)
    page = public_page(paper.get_absolute_url())
    assert OLD in page
    assert NEW not in page
    paragraph.refresh_from_db()
    assert paragraph.text_html.startswith(f"<p>{OLD}")
    newest = paragraph.history.first()
    assert newest.history_change_reason == versions.Source.RESTORE
    assert newest.history_user == editor
    assert paragraph.history.count() == 3
    html = client.get(history_url(paper)).content.decode()
    assert "er gendannet som en ny version" in html
    assert "Versionen fra" in html
    assert "gendannet af redaktoer" in html


def test_the_papers_history_holds_its_questions_too(client, editor, paper):
    question = Question.objects.get(slug="lederens-roller")
    question.text = "Hvilke roller har lederen nu?"
    question.save()

    html = client.get(history_url(paper)).content.decode()

    assert f"Åbent spørgsmål: {question.title}" in html
    assert "<ins>nu?</ins>" in html


def test_a_restore_cannot_reach_a_version_of_something_else(client, editor, seeded):
    talk = Talk.objects.filter(workshop__number=5).first()
    talk.title = "Ændret"
    talk.save()
    other_workshop = Workshop.objects.get(number=1)

    response = client.post(
        restore_url(other_workshop), {"model": "talk", "version": talk.history.last().history_id}
    )

    assert response.status_code == 404
    talk.refresh_from_db()
    assert talk.title == "Ændret"


@pytest.fixture
def staff_without_history(client, seeded):
    """Staff who may edit the paper and its paragraphs, but not see their versions."""
    user = make_user(username="vikar")
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="debates",
            codename__in=["view_paper", "change_paper", "view_paragraph", "change_paragraph"],
        )
    )
    client.force_login(user)
    return user


@pytest.fixture
def staff_who_may_only_look(client, seeded):
    """Staff who may see the paper and its versions, but change nothing."""
    user = make_user(username="laeser")
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="debates",
            codename__in=["view_paper", "view_historicalpaper", "view_historicalparagraph"],
        )
    )
    client.force_login(user)
    return user


def an_earlier_version(paragraph):
    seeded = paragraph.history.get()
    paragraph.text = "Et andet afsnit."
    paragraph.save()
    return seeded


def test_the_webmaster_sees_the_history_and_restores(client, editor, paper, paragraph):
    seeded = an_earlier_version(paragraph)

    change_page = client.get(reverse("admin:debates_paper_change", args=[paper.pk]))
    history = client.get(history_url(paper))
    restored = restore(client, paper, seeded)

    assert 'class="historylink"' in change_page.content.decode()
    assert history.status_code == 200
    assert restored.status_code == 302
    paragraph.refresh_from_db()
    assert paragraph.text.startswith(OLD)


def test_staff_without_the_permission_neither_see_the_history_nor_restore(
    client, staff_without_history, paper, paragraph
):
    seeded = an_earlier_version(paragraph)

    change_page = client.get(reverse("admin:debates_paper_change", args=[paper.pk]))
    history = client.get(history_url(paper))
    restored = restore(client, paper, seeded)

    assert change_page.status_code == 200
    assert 'class="historylink"' not in change_page.content.decode()
    assert history.status_code == 403
    assert restored.status_code == 403
    paragraph.refresh_from_db()
    assert paragraph.text == "Et andet afsnit."


def test_staff_who_may_not_change_the_content_see_the_history_but_cannot_restore(
    client, staff_who_may_only_look, paper, paragraph
):
    seeded = an_earlier_version(paragraph)

    history = client.get(history_url(paper))
    restored = restore(client, paper, seeded)

    assert history.status_code == 200
    assert "Et andet afsnit." in history.content.decode()
    assert "Gendan denne version" not in history.content.decode()
    assert restored.status_code == 403
    paragraph.refresh_from_db()
    assert paragraph.text == "Et andet afsnit."


def test_anonymous_visitors_are_sent_to_the_login(client, paper, paragraph):
    seeded = an_earlier_version(paragraph)

    history = client.get(history_url(paper))
    restored = restore(client, paper, seeded)

    assert history.status_code == 302
    assert "/admin/login/" in history.url
    assert restored.status_code == 302
    assert "/admin/login/" in restored.url
    paragraph.refresh_from_db()
    assert paragraph.text == "Et andet afsnit."


def test_restoring_is_a_post(client, editor, paper, paragraph):
    assert client.get(restore_url(paper)).status_code == 405
