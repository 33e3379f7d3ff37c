"""Feeds and the sitemap carry published contributions only, like every other public surface."""

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.utils import timezone

from debates.models import Contribution, Question
from tests.factories import make_contribution

Status = Contribution.Status
ATOM = "{http://www.w3.org/2005/Atom}"


def entries(response):
    feed = ET.fromstring(response.content)
    return [
        (entry.findtext(f"{ATOM}title"), entry.findtext(f"{ATOM}author/{ATOM}name"))
        for entry in feed.iter(f"{ATOM}entry")
    ]


def test_the_debate_feed_lists_published_contributions_newest_first(client, question):
    make_contribution(question=question, title="Ældre", author_name="Anna")
    make_contribution(question=question, title="Nyere", author_name="Bo")

    response = client.get("/feed/")

    assert response["Content-Type"].startswith("application/atom+xml")
    assert entries(response) == [("Nyere", "Bo"), ("Ældre", "Anna")]


@pytest.mark.parametrize("status", [s for s in Status if s != Status.PUBLISHED])
def test_no_feed_carries_an_unpublished_contribution(client, question, status):
    make_contribution(question=question, status=status, title="HEMMELIG", body="HEMMELIG")
    for url in ("/feed/", f"/debat/{question.slug}/feed/", "/sitemap.xml"):
        assert "HEMMELIG" not in client.get(url).content.decode()


def test_a_question_feed_holds_only_its_own_thread(client, question):
    make_contribution(question=question, title="Her")
    make_contribution(question=Question.objects.get(slug="motivation"), title="Andetsteds")
    assert [title for title, _ in entries(client.get(f"/debat/{question.slug}/feed/"))] == ["Her"]
    assert client.get("/debat/findes-ikke/feed/").status_code == 404


def test_feeds_never_carry_addresses(client, question):
    make_contribution(question=question, author_email="privat@example.dk")
    assert "privat@example.dk" not in client.get("/feed/").content.decode()


def test_pages_point_feed_readers_to_the_feeds(client, question):
    html = client.get(question.get_absolute_url()).content.decode()
    assert 'type="application/atom+xml"' in html
    assert f'href="/debat/{question.slug}/feed/"' in html


def test_the_sitemap_lists_the_pages_in_both_languages(client, question):
    xml = client.get("/sitemap.xml").content.decode()
    assert "http://testserver/debat/lederens-roller/" in xml
    assert "http://testserver/en/debat/lederens-roller/" in xml
    assert "http://testserver/workshops/5/konklusioner/" in xml
    assert "http://testserver/privatliv/" in xml


def test_a_question_in_the_sitemap_changes_only_when_something_is_published(client, question):
    three_days_ago = timezone.now() - timedelta(days=3)
    published = make_contribution(question=question)
    Contribution.objects.filter(pk=published.pk).update(published_at=three_days_ago)
    taken_down = make_contribution(question=question, status=Status.REJECTED)
    Contribution.objects.filter(pk=taken_down.pk).update(published_at=timezone.now())

    xml = client.get("/sitemap.xml").content.decode()

    # The sitemap prints the local date, as every date shown on the site.
    expected = timezone.localdate(three_days_ago).isoformat()
    entry = xml[xml.index("http://testserver/debat/lederens-roller/") :].split("</url>")[0]
    assert f"<lastmod>{expected}</lastmod>" in entry
