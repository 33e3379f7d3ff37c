"""Search finds the questions and the published contributions, and nothing else."""

import pytest

from debates.models import Contribution
from tests.factories import make_contribution

Status = Contribution.Status


def test_search_finds_questions_and_published_contributions_by_every_word(client, question):
    make_contribution(question=question, title="Om katalysatorer", body="Forstyrrelse virker.")
    make_contribution(question=question, title="Om noget andet", body="Forstyrrelse alene.")

    html = client.get("/soeg/", {"q": "forstyrrelse katalysatorer"}).content.decode()

    assert "Om katalysatorer" in html
    assert "Om noget andet" not in html
    assert "1 indlæg" in html


def test_search_finds_the_papers_questions(client, seeded):
    html = client.get("/soeg/", {"q": "dilemma"}).content.decode()
    assert "Igangsætter, facilitator og katalysator på én gang" in html
    assert "1 spørgsmål" in html


@pytest.mark.parametrize("status", [s for s in Status if s != Status.PUBLISHED])
def test_search_never_finds_an_unpublished_contribution(client, question, status):
    make_contribution(question=question, status=status, title="Hemmeligt forslag")
    html = client.get("/soeg/", {"q": "hemmeligt"}).content.decode()
    assert "Hemmeligt forslag" not in html
    assert "0 indlæg" in html


def test_search_never_matches_on_addresses(client, question):
    make_contribution(question=question, author_email="skjult@example.dk", title="Synlig")
    assert "Synlig" not in client.get("/soeg/", {"q": "skjult@example.dk"}).content.decode()


def test_an_empty_search_shows_the_form_only(client, seeded):
    response = client.get("/soeg/")
    assert response.status_code == 200
    assert 'name="q"' in response.content.decode()
