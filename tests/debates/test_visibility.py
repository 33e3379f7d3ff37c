"""Nothing but a published contribution reaches a public page or file address; e-mails never do."""

import pytest
from django.urls import reverse
from django.utils import timezone

from debates.models import Contribution
from tests.factories import PDF_BYTES, make_contribution

Status = Contribution.Status
UNPUBLISHED = [s for s in Status if s != Status.PUBLISHED]
PUBLIC_PAGES = [
    "/",
    "/workshops/",
    "/workshops/5/",
    "/workshops/5/konklusioner/",
    "/debat/lederens-roller/",
    "/debat/generel-debat/",
    "/en/",
    "/en/debat/lederens-roller/",
]


def everything_public(client):
    return "\n".join(client.get(path).content.decode() for path in PUBLIC_PAGES)


@pytest.mark.parametrize("status", UNPUBLISHED)
def test_an_unpublished_contribution_is_on_no_public_page(client, question, status):
    make_contribution(
        question=question,
        status=status,
        title="HEMMELIG-TITEL",
        body="HEMMELIG-TEKST",
        author_name="HEMMELIG-NAVN",
        author_organisation="HEMMELIG-ORG",
    )
    html = everything_public(client)
    assert "HEMMELIG" not in html
    assert "(0 indlæg)" in client.get("/workshops/5/konklusioner/").content.decode()


@pytest.mark.parametrize("status", UNPUBLISHED)
def test_the_paper_of_an_unpublished_contribution_cannot_be_downloaded(client, question, status):
    contribution = make_contribution(question=question, status=status, attachment=PDF_BYTES)
    url = reverse("debates:contribution-attachment", args=[contribution.pk])
    assert client.get(url).status_code == 404


def test_the_paper_of_a_published_contribution_downloads_under_its_own_name(client, question):
    contribution = make_contribution(question=question, attachment=PDF_BYTES)
    response = client.get(reverse("debates:contribution-attachment", args=[contribution.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="paper.pdf"'
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_unpublishing_takes_the_paper_offline_too(client, question):
    contribution = make_contribution(question=question, attachment=PDF_BYTES)
    url = reverse("debates:contribution-attachment", args=[contribution.pk])
    assert client.get(url).status_code == 200
    Contribution.objects.filter(pk=contribution.pk).update(status=Status.REJECTED)
    assert client.get(url).status_code == 404


def test_contributors_addresses_are_never_shown(client, question):
    make_contribution(
        question=question, author_email="privat.adresse@example.dk", submitter_ip="198.51.100.7"
    )
    html = everything_public(client)
    assert "privat.adresse" not in html
    assert "198.51.100.7" not in html


def test_a_published_reply_shows_name_affiliation_date_text_and_paper(client, question):
    contribution = make_contribution(
        question=question,
        author_name="Lene Espersen",
        author_title="Direktør",
        author_organisation="Danske Regioner",
        body="Et **klart** svar.",
        attachment=PDF_BYTES,
    )
    html = client.get(question.get_absolute_url()).content.decode()
    assert "<strong>Lene Espersen</strong>" in html
    assert "Direktør, Danske Regioner" in html
    assert "<p>Et <strong>klart</strong> svar.</p>" in html
    assert f'href="/indlaeg/{contribution.pk}/pdf/"' in html
    assert f'datetime="{timezone.localtime(contribution.published_at).isoformat()}"' in html


def test_the_paper_page_and_the_home_page_count_and_list_published_replies(client, question):
    for _ in range(2):
        make_contribution(question=question, title="Synligt indlæg")
    make_contribution(question=question, status=Status.PENDING)
    paper = client.get("/workshops/5/konklusioner/").content.decode()
    assert "(2 indlæg)" in paper
    home = client.get("/").content.decode()
    assert home.count("Synligt indlæg") == 2
    assert "Igangsætter, facilitator og katalysator på én gang</a>" in home
