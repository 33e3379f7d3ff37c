"""Feeds and the sitemap carry published contributions only, like every other public surface."""

import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from debates.models import Contribution, Question
from tests.factories import make_contribution
from tests.test_page_cache import fetch

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


# A feed opened in a browser --------------------------------------------------------------------

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"
READER = "application/atom+xml, application/rss+xml;q=0.9, application/xml;q=0.8, */*;q=0.1"
RFC_3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


def atom_problems(xml: bytes) -> list[str]:
    """What RFC 4287 requires of a feed and its entries that this one lacks (empty if none)."""
    feed = ET.fromstring(xml)
    problems = [] if feed.tag == f"{ATOM}feed" else [f"the root is {feed.tag}"]

    def once(element, name, where):
        found = element.findall(f"{ATOM}{name}")
        if len(found) != 1:
            problems.append(f"{where} has {len(found)} {name}")
        return found[0].text or "" if found else ""

    def check(element, where):
        identifier = once(element, "id", where)
        if not re.match(r"^[a-z][a-z0-9+.-]*:", identifier):
            problems.append(f"{where}'s id {identifier!r} is not an IRI")
        if not once(element, "title", where).strip():
            problems.append(f"{where} has no title")
        if not RFC_3339.match(once(element, "updated", where)):
            problems.append(f"{where}'s updated is not an RFC 3339 date")
        for link in element.findall(f"{ATOM}link"):
            if not link.get("href", "").startswith(("http://", "https://")):
                problems.append(f"{where} links to {link.get('href')!r}")

    check(feed, "the feed")
    entries = feed.findall(f"{ATOM}entry")
    ids = [entry.findtext(f"{ATOM}id") for entry in entries]
    if len(set(ids)) != len(ids):
        problems.append("two entries share an id")
    for number, entry in enumerate(entries, start=1):
        check(entry, f"entry {number}")
        if feed.find(f"{ATOM}author") is None and entry.find(f"{ATOM}author/{ATOM}name") is None:
            problems.append(f"entry {number} has no author")
        if entry.find(f"{ATOM}link[@rel='alternate']") is None:
            problems.append(f"entry {number} links nowhere")
        summary = entry.find(f"{ATOM}summary")
        if summary is not None and summary.get("type") not in (None, "text", "html", "xhtml"):
            problems.append(f"entry {number}'s summary is of type {summary.get('type')}")
    return problems


@pytest.mark.parametrize("url", ["/feed/", "/debat/lederens-roller/feed/"])
def test_feed_readers_get_valid_atom_and_a_browser_a_page_about_the_feed(client, question, url):
    make_contribution(question=question, title="Om ledelse", author_name="Anna")

    reader = client.get(url, headers={"Accept": READER})
    silent = client.get(url)
    browser = client.get(url, headers={"Accept": BROWSER})

    for atom in (reader, silent):
        assert atom["Content-Type"] == "application/atom+xml; charset=utf-8"
        assert atom_problems(atom.content) == []
        assert entries(atom) == [("Om ledelse", "Anna")]
    assert reader.content == silent.content
    assert browser["Content-Type"] == "text/html; charset=utf-8"
    page = browser.content.decode()
    assert "Denne adresse er et feed" in page
    assert f"http://testserver{url}" in page
    (link,) = ET.fromstring(reader.content).iter(f"{ATOM}entry")
    href = link.find(f"{ATOM}link").get("href")
    assert f'<a href="{href}">Om ledelse</a>' in page
    for response in (reader, silent, browser):
        assert "Accept" in response["Vary"]


def test_the_page_cache_keeps_the_feed_and_its_page_apart_and_both_up_to_date(question):
    make_contribution(question=question, title="Først")
    reader, browser = Client(), Client()

    for client, accept, marker in [(browser, BROWSER, "<!doctype"), (reader, READER, "<feed")]:
        first, from_cache = fetch(client, "/feed/", Accept=accept)
        assert not from_cache
        again, from_cache = fetch(client, "/feed/", Accept=accept)
        assert from_cache
        assert marker in first
        assert marker in again
        assert "Først" in again

    make_contribution(question=question, title="Siden")

    assert "Siden" in fetch(browser, "/feed/", Accept=BROWSER)[0]
    assert "<feed" in fetch(reader, "/feed/", Accept=READER)[0]
    assert "Siden" in fetch(reader, "/feed/", Accept=READER)[0]
