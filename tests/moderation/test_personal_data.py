"""
The data a person's link shows and downloads: the mails sent to their own address and no one
else's, in the language of the link, on a page that no cache keeps and no search engine shows.
"""

import json

import pytest
from django.urls import reverse

from debates.models import Contribution
from moderation.models import OutgoingMail, Subscription
from moderation.personal_data import normalised_address
from moderation.tokens import make_token
from tests.factories import make_contribution

Kind = OutgoingMail.Kind


def mail(subject, *recipients, kind=Kind.CONFIRMATION):
    return OutgoingMail.objects.create(
        kind=kind, recipients=list(recipients), subject=subject, body_text="…"
    )


def subjects_in_download(client, email):
    token = make_token(email, "personal-data")
    response = client.get(reverse("moderation:personal-data-json", args=[token]))
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
    path = reverse("moderation:personal-data-json", args=[token])

    english = json.loads(client.get("/en" + path).content)
    danish = json.loads(client.get(path).content)

    assert english["e-mail address"] == danish["e-mailadresse"] == "ida@example.dk"
    assert [m["subject"] for m in english["mails sent to you"]] == ["Your data in the MIA debate"]


def data_page(client, email, language=""):
    token = make_token(email, "personal-data")
    return client.get(language + reverse("moderation:personal-data-download", args=[token]))


def test_the_link_shows_what_is_held_on_a_page_in_the_language_of_the_link(client, question):
    make_contribution(
        question=question,
        author_email="ida@example.dk",
        title="Mit indlæg om ledelse",
        body="Ledere skal give plads.",
        submitter_ip="203.0.113.9",
    )
    Subscription.objects.create(email="ida@example.dk", question=question, status="active")
    mail("Bekræft dit indlæg", "Ida <ida@example.dk>")

    danish = data_page(client, "ida@example.dk").content.decode()
    english = data_page(client, "ida@example.dk", "/en").content.decode()

    for text in ("Mit indlæg om ledelse", "Ledere skal give plads.", "203.0.113.9", question.title):
        assert text in danish
        assert text in english
    assert "Sendt fra netværksadresse" in danish
    assert "Sent from network address" in english
    assert "Offentliggjort" in danish
    assert "Published" in english
    assert "Bekræft dit indlæg" in danish
    assert 'href="/mine-data/hent/' in danish
    assert 'href="/en/mine-data/hent/' in english


def test_the_page_and_the_file_are_kept_by_no_cache_and_shown_by_no_search_engine(client, question):
    token = make_token("ida@example.dk", "personal-data")
    for name in ("personal-data-download", "personal-data-json"):
        response = client.get(reverse(f"moderation:{name}", args=[token]))
        assert "no-store" in response["Cache-Control"]
        assert "private" in response["Cache-Control"]
        assert response["X-Robots-Tag"] == "noindex, nofollow"
        assert response["Referrer-Policy"] == "no-referrer"
    page = data_page(client, "ida@example.dk").content.decode()
    assert '<meta name="robots" content="noindex, nofollow">' in page


def test_the_page_is_built_afresh_each_time_it_is_opened(client, question, settings):
    settings.MIA_PAGE_CACHE_SECONDS = 600
    assert "Nyt indlæg" not in data_page(client, "ida@example.dk").content.decode()

    # Made without a signal, so that nothing tells a cache the data changed.
    Contribution.objects.bulk_create(
        [
            Contribution(
                question=question,
                author_name="Ida",
                author_email="ida@example.dk",
                title="Nyt indlæg",
                body="…",
                body_html="<p>…</p>",
            )
        ]
    )

    assert "Nyt indlæg" in data_page(client, "ida@example.dk").content.decode()
