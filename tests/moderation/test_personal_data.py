"""A data download lists the mails sent to its own address, and no one else's."""

import json

import pytest
from django.urls import reverse

from moderation.models import OutgoingMail
from moderation.personal_data import normalised_address
from moderation.tokens import make_token

Kind = OutgoingMail.Kind


def mail(subject, *recipients, kind=Kind.CONFIRMATION):
    return OutgoingMail.objects.create(
        kind=kind, recipients=list(recipients), subject=subject, body_text="…"
    )


def subjects_in_download(client, email):
    token = make_token(email, "personal-data")
    response = client.get(reverse("moderation:personal-data-download", args=[token]))
    assert response.status_code == 200
    return [m["emne"] for m in json.loads(response.content)["mails sendt til dig"]]


def test_the_download_lists_mail_to_the_address_but_not_to_longer_addresses_ending_in_it(
    client, seeded
):
    mail("Til Anne", "Anne Hansen <anne.hansen@example.org>")
    mail("Til Hansen", "Hans Hansen <Hansen@Example.ORG>")
    mail("Til hansen.dk", "hansen@example.org.dk")

    assert subjects_in_download(client, "hansen@example.org") == ["Til Hansen"]


def test_the_editors_notifications_are_not_in_a_short_addresses_download(client, seeded):
    mail(
        "Nyt indlæg fra Ida",
        "webmaster@mia.localhost",
        "Tom Holm <tom@mia.localhost>",
        kind=Kind.NEW_CONTRIBUTION,
    )
    mail("Bekræft", "M <m@mia.localhost>")

    assert subjects_in_download(client, "m@mia.localhost") == ["Bekræft"]
    assert subjects_in_download(client, "tom@mia.localhost") == ["Nyt indlæg fra Ida"]


@pytest.mark.parametrize(
    ("written", "address"),
    [
        ("ida@example.dk", "ida@example.dk"),
        ("  Ida@Example.DK ", "ida@example.dk"),
        ("Ida Holm <Ida@Example.dk>", "ida@example.dk"),
        ('"Holm, Ida" <ida@example.dk>', "ida@example.dk"),
        ("no address", ""),
        ("a@example.dk, b@example.dk", ""),
    ],
)
def test_addresses_are_compared_parsed_and_lower_cased(written, address):
    assert normalised_address(written) == address


def test_the_download_speaks_the_language_of_its_link(client, seeded):
    mail("Your data in the MIA debate", "ida@example.dk")
    token = make_token("ida@example.dk", "personal-data")
    path = reverse("moderation:personal-data-download", args=[token])

    english = json.loads(client.get("/en" + path).content)
    danish = json.loads(client.get(path).content)

    assert english["e-mail address"] == danish["e-mailadresse"] == "ida@example.dk"
    assert [m["subject"] for m in english["mails sent to you"]] == ["Your data in the MIA debate"]
