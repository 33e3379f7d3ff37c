"""Mail subjects are plain text: what a title says is what the subject line says."""

from pathlib import Path

import pytest
from django.conf import settings
from django.template.loader import render_to_string

from debates.models import Question
from moderation import services
from moderation.models import OutgoingMail
from tests.mail import parse

TITLE = "Forskning & udvikling <i> “det offentlige”"
SUBJECT_TEMPLATES = sorted(
    (Path(settings.BASE_DIR) / "templates/moderation/email").glob("*_subject.txt")
)


def test_every_kind_of_mail_has_a_subject_template():
    kinds = {path.name.removesuffix("_subject.txt") for path in SUBJECT_TEMPLATES}
    assert kinds == set(OutgoingMail.Kind.values)


@pytest.mark.parametrize("path", SUBJECT_TEMPLATES, ids=lambda path: path.name)
def test_a_subject_template_never_escapes_html(path):
    question = Question(title=TITLE)
    context = {
        "question": question,
        "contribution": {"author_name": TITLE, "title": TITLE},
        "followed": None,
        "items": [object(), object()],
    }
    subject = render_to_string(f"moderation/email/{path.name}", context)
    assert "&amp;" not in subject
    assert "&lt;" not in subject
    assert "&#" not in subject


def test_a_follower_reads_the_question_title_as_written_in_the_subject(seeded, mails_sent_by):
    question = Question.objects.open().exclude(paragraph=None).first()
    Question.objects.filter(pk=question.pk).update(title=TITLE)
    question.refresh_from_db()

    [mail] = mails_sent_by(
        lambda: services.follow_question(
            question=question, email="laeser@example.dk", language="da"
        )
    )

    assert TITLE in parse(mail)["subject"]
