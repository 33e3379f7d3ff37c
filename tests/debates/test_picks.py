"""
Readers see the editors' picks first: in a short list above the question's thread, with a badge
in the thread itself, on the home page and in a feed of their own.
"""

import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.utils import timezone

from debates.models import Contribution, Question
from tests.factories import make_contribution, make_thread

Status = Contribution.Status
ATOM = "{http://www.w3.org/2005/Atom}"
PICKS_FEED = "/feed/fremhaevet/"
BADGE = "Fremhævet af redaktionen"


def picked(question, title, *, days_ago=0, **fields):
    """A published contribution picked `days_ago` days ago."""
    return make_contribution(
        question=question,
        title=title,
        picked_at=timezone.now() - timedelta(days=days_ago),
        **fields,
    )


def picks_section(html):
    """The titles in the list of picks, and where on the page the list stands (None if none)."""
    found = re.search(r'<section class="picks[^"]*" id="fremhaevet".*?</section>', html, re.DOTALL)
    if not found:
        return [], None
    titles = re.findall(r'<li>\s*<a href="[^"]*">([^<]*)</a>', found.group(0))
    return titles, found.start()


def links_in_picks(html):
    found = re.search(r'<section class="picks[^"]*" id="fremhaevet".*?</section>', html, re.DOTALL)
    return re.findall(r'<li>\s*<a href="([^"]*)">', found.group(0))


def badge_of(html, contribution):
    """Whether the contribution's article in the thread carries the badge."""
    article = re.search(
        rf'<article class="reply" id="{contribution.anchor}".*?</article>', html, re.DOTALL
    )
    return BADGE in article.group(0)


# The question's page ----------------------------------------------------------------------------


def test_the_picks_stand_above_the_thread_latest_first_each_with_a_badge_in_it(client, question):
    plain = make_contribution(question=question, title="Et almindeligt indlæg")
    older = picked(question, "Godt sagt", days_ago=2)
    newer = picked(question, "Endnu bedre sagt", days_ago=1)

    html = client.get(question.get_absolute_url()).content.decode()

    titles, where = picks_section(html)
    assert titles == ["Endnu bedre sagt", "Godt sagt"]
    assert "Redaktionen fremhæver</h2>" in html[where : where + 300]
    assert where < html.index('id="thread-heading"')
    assert links_in_picks(html) == [f"/debat/{question.slug}/#{c.anchor}" for c in (newer, older)]
    assert badge_of(html, older)
    assert badge_of(html, newer)
    assert not badge_of(html, plain)


def test_a_question_without_picks_has_no_list_of_them(client, question):
    make_contribution(question=question, title="Et almindeligt indlæg")
    picked(Question.objects.get(slug="motivation"), "Et andet spørgsmåls")

    html = client.get(question.get_absolute_url()).content.decode()

    assert picks_section(html) == ([], None)
    assert BADGE not in html


def test_a_pick_deep_in_a_long_thread_links_to_the_page_that_shows_it(client, question, settings):
    settings.MIA_CONTRIBUTIONS_PER_PAGE = 3
    make_thread(question, top_level=3, start=timezone.now() - timedelta(days=9))
    late = picked(question, "Sent men godt")
    make_thread(question, top_level=2, start=timezone.now() + timedelta(days=1))
    page = f"/debat/{question.slug}/?side=2"

    first = client.get(question.get_absolute_url()).content.decode()

    assert links_in_picks(first) == [f"{page}#{late.anchor}"]
    assert badge_of(client.get(page).content.decode(), late)


def test_a_reply_that_is_picked_is_listed_with_the_rest(client, question):
    parent = make_contribution(question=question, title="Oplægget")
    reply = picked(question, "Svaret", parent=parent)

    html = client.get(question.get_absolute_url()).content.decode()

    assert picks_section(html)[0] == ["Svaret"]
    assert badge_of(html, reply)


def test_a_pick_taken_off_the_site_is_not_listed(client, question, webmaster):
    from moderation import services

    contribution = picked(question, "Bliver taget af")
    services.unpublish(contribution=contribution, actor=webmaster, reason="Fejl.")

    html = client.get(question.get_absolute_url()).content.decode()

    assert picks_section(html) == ([], None)
    assert "Bliver taget af" not in html


def test_the_thread_shows_a_new_pick_though_its_replies_were_rendered_before(
    client, question, settings
):
    """Each reply's HTML is kept by what it shows; being a pick is part of that."""
    settings.MIA_PAGE_CACHE_SECONDS = 0
    contribution = make_contribution(question=question, title="Snart fremhævet")
    assert not badge_of(client.get(question.get_absolute_url()).content.decode(), contribution)

    # As the service writes it: an update, which sends no signal a fragment could depend on.
    Contribution.objects.filter(pk=contribution.pk).update(picked_at=timezone.now())

    assert badge_of(client.get(question.get_absolute_url()).content.decode(), contribution)


def test_an_english_reader_sees_the_picks_in_english(client, question):
    picked(question, "Godt sagt")

    html = client.get(f"/en/debat/{question.slug}/").content.decode()

    assert "Editors&#x27; picks" in html or "Editors' picks" in html
    assert "Editors&#x27; pick<" in html or "Editors' pick<" in html


# The home page ----------------------------------------------------------------------------------


def test_the_home_page_lists_the_latest_picks_on_every_question(client, question):
    other = Question.objects.get(slug="motivation")
    for day in range(7):
        picked(question if day % 2 else other, f"Valgt for {day} dage siden", days_ago=day)
    make_contribution(question=question, title="Ikke valgt")

    html = client.get("/").content.decode()

    titles, where = picks_section(html)
    assert titles == [f"Valgt for {day} dage siden" for day in range(5)]
    section = html[where:]
    assert "Redaktionen fremhæver" in section
    assert other.title in section.split("</section>")[0]
    assert f'href="{PICKS_FEED}"' in section.split("</section>")[0]


def test_the_home_page_has_no_list_of_picks_before_there_are_any(client, seeded):
    assert picks_section(client.get("/").content.decode()) == ([], None)


# The feed ---------------------------------------------------------------------------------------


def entries(response):
    feed = ET.fromstring(response.content)
    return [
        (entry.findtext(f"{ATOM}title"), entry.findtext(f"{ATOM}link"))
        for entry in feed.iter(f"{ATOM}entry")
    ]


def test_the_picks_feed_holds_the_picks_latest_picked_first(client, question):
    older = picked(question, "Valgt først", days_ago=3)
    newer = picked(question, "Valgt sidst", days_ago=1)
    make_contribution(question=question, title="Ikke valgt")

    response = client.get(PICKS_FEED, headers={"accept": "application/atom+xml"})

    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    assert feed.findtext(f"{ATOM}title") == "MIA-debatten: Redaktionen fremhæver"
    titles = [e.findtext(f"{ATOM}title") for e in feed.iter(f"{ATOM}entry")]
    assert titles == ["Valgt sidst", "Valgt først"]
    hrefs = [e.find(f"{ATOM}link").get("href") for e in feed.iter(f"{ATOM}entry")]
    assert [h.split("#")[1] for h in hrefs] == [newer.anchor, older.anchor]


def test_a_browser_opening_the_picks_feed_gets_a_page_about_it(client, question):
    picked(question, "Godt sagt")

    response = client.get(PICKS_FEED, headers={"accept": "text/html,application/xml;q=0.9"})

    assert response["Content-Type"].startswith("text/html")
    assert "Accept" in response["Vary"]
    html = response.content.decode()
    assert "<h1>MIA-debatten: Redaktionen fremhæver</h1>" in html.replace("\xad", "")
    assert "Godt sagt" in html
    assert f"http://testserver{PICKS_FEED}" in html


@pytest.mark.parametrize("url", ["/", "/debat/lederens-roller/", "/workshops/"])
def test_every_page_names_the_picks_feed_beside_the_debates(client, seeded, url):
    html = client.get(url).content.decode()
    link = f'title="MIA-debatten: Redaktionen fremhæver" href="{PICKS_FEED}"'
    assert f'<link rel="alternate" type="application/atom+xml" {link}>' in html
    assert 'href="/feed/"' in html
