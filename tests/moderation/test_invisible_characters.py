"""Names and titles cannot hide characters that turn text around or make it look like another."""

import pytest
from django.urls import reverse

from debates.models import Contribution
from moderation import services
from moderation.services.intake import take_in_mail
from moderation.text import one_line
from tests.factories import make_contribution
from tests.mail import mails_to, parse

# "Ida Holm" whose name reads backwards after an override, and a zero-width space.
DECEIVING = [
    "\u202e",  # right-to-left override
    "\u202d",  # left-to-right override
    "\u202a",  # left-to-right embedding
    "\u202b",  # right-to-left embedding
    "\u202c",  # pop directional formatting
    "\u2066",  # left-to-right isolate
    "\u2067",  # right-to-left isolate
    "\u2068",  # first strong isolate
    "\u2069",  # pop directional isolate
    "\u200e",  # left-to-right mark
    "\u200f",  # right-to-left mark
    "\u200b",  # zero-width space
    "\u2060",  # word joiner
    "\ufeff",  # zero-width no-break space
    "\x00",
    "\x1b",
]


@pytest.mark.parametrize("character", DECEIVING)
def test_one_line_drops_characters_that_deceive(character):
    assert one_line(f"Ida{character} Holm{character}") == "Ida Holm"


def test_one_line_keeps_danish_letters_and_ordinary_punctuation():
    assert one_line("  Søren  Ærø-Ås, kontorchef (MIA)\n") == "Søren Ærø-Ås, kontorchef (MIA)"


def test_a_name_and_title_from_the_form_reach_byline_and_subject_without_overrides(
    client, question, django_capture_on_commit_callbacks
):
    from django.core import mail

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("moderation:contribution-new", args=[question.slug]),
            {
                "author_name": "Ida \u202eknirB\u202c Holm",
                "author_email": "ida@example.dk",
                "author_organisation": "Social\u200bministeriet",
                "title": "Rum \u2067for\u2069 innovation",
                "body": "Tekst.",
                "consent": "on",
                "send": "1",
            },
        )
    contribution = Contribution.objects.get()
    assert contribution.author_name == "Ida knirB Holm"
    assert contribution.author_organisation == "Socialministeriet"
    assert contribution.title == "Rum for innovation"
    message = parse(mails_to(mail.outbox, "ida@example.dk")[0])
    assert not any(c in str(message["To"]) + str(message["Subject"]) for c in DECEIVING)


def test_a_name_from_mail_intake_loses_its_overrides(seeded, django_capture_on_commit_callbacks):
    from email.message import EmailMessage

    message = EmailMessage()
    message["From"] = "=?utf-8?q?Lene_=E2=80=AEdnuL?= <lene@example.dk>"
    message["Subject"] = "Kommentar \u2066til\u2069 konklusionerne"
    message["Message-ID"] = "<bidi@example.dk>"
    message.set_content("Min kommentar.")
    with django_capture_on_commit_callbacks(execute=True):
        take_in_mail(raw=bytes(message))
    contribution = Contribution.objects.get(author_email="lene@example.dk")
    assert contribution.author_name == "Lene dnuL"
    assert contribution.title == "Kommentar til konklusionerne"


def test_an_editors_title_loses_its_overrides(webmaster):
    contribution = make_contribution(status=Contribution.Status.PENDING)
    services.edit_contribution(
        contribution=contribution,
        actor=webmaster,
        title="Ny \u202etitel",
        body=contribution.body,
        question=contribution.question,
    )
    contribution.refresh_from_db()
    assert contribution.title == "Ny titel"
