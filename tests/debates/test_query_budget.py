"""
Every public page, and the editors' queue, costs the same number of queries for a debate of ten
contributions as for one of a thousand: nothing is fetched once per reply, talk or question.
"""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from debates.cache import local_copies
from debates.models import Contribution, Question
from moderation.services import withdraw
from tests.factories import make_contribution, make_replies, make_thread

Status = Contribution.Status
LONG = "lederens-roller"

PUBLIC = [
    "/",
    "/workshops/",
    "/workshops/5/",
    "/workshops/5/konklusioner/",
    f"/debat/{LONG}/",
    "/debat/generel-debat/",
    "/feed/",
    f"/debat/{LONG}/feed/",
    "/soeg/?q=lang+tr%C3%A5d",
    "/soeg/?q=lang+tr%C3%A5d&kind=contributions&page=2",
    "/sitemap.xml",
    "/retningslinjer/",
    "/privatliv/",
    "/tilgaengelighed/",
    "/en/",
    f"/en/debat/{LONG}/",
]
QUEUE = "/admin/debates/contribution/"


@pytest.fixture(autouse=True)
def _pages_built_not_cached(settings):
    """What a page costs to build, as after any change: whole pages are not served from cache."""
    settings.MIA_PAGE_CACHE_SECONDS = 0


def grow(top_level_on_long, top_level_elsewhere, pending):
    """Published sub-threads of three on every question, a placeholder, and a queue."""
    for question in Question.objects.all():
        count = top_level_on_long if question.slug == LONG else top_level_elsewhere
        if count:
            make_thread(question, top_level=count, replies_each=2)
    long = Question.objects.get(slug=LONG)
    make_thread(long, top_level=pending, status=Status.PENDING)
    return long


def add_placeholder(question):
    removed = make_contribution(question=question, status=Status.WITHDRAWN, title="Trukket")
    make_contribution(question=question, parent=removed)


def queries(client, url):
    """The queries a page costs with nothing in the cache, as right after a release."""
    cache.clear()
    local_copies.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def budget(client, webmaster, urls):
    counts = {url: queries(client, url) for url in urls}
    client.force_login(webmaster)
    counts[QUEUE] = queries(client, QUEUE)
    client.logout()
    return counts


def test_every_page_costs_the_same_queries_for_ten_replies_or_a_thousand(
    client, seeded, webmaster, settings
):
    settings.MIA_CONTRIBUTIONS_PER_PAGE = 9
    long = grow(top_level_on_long=3, top_level_elsewhere=0, pending=2)
    add_placeholder(long)
    make_thread(Question.objects.get(slug="generel-debat"), top_level=1)
    assert Contribution.objects.published().count() == 11
    # Page 2 exists at both sizes, so that every page is measured at both.
    pages = [*PUBLIC, f"/debat/{LONG}/?side=2"]
    few = budget(client, webmaster, pages)

    grow(top_level_on_long=150, top_level_elsewhere=31, pending=120)
    assert Contribution.objects.published().count() > 1000
    last = f"/debat/{LONG}/?side=52"
    many = budget(client, webmaster, [*pages, f"/debat/{LONG}/?side=20", last])

    assert many[f"/debat/{LONG}/?side=20"] == many[last] == few[pages[-1]]
    assert {url: many[url] for url in few} == few


def test_a_long_page_of_a_thread_costs_what_a_short_one_does(client, seeded):
    long = Question.objects.get(slug=LONG)
    make_thread(long, top_level=1)
    few = queries(client, f"/debat/{LONG}/")

    make_thread(long, top_level=60, replies_each=3)

    assert queries(client, f"/debat/{LONG}/") == few
    assert queries(client, f"/debat/{LONG}/?side=2") == few


def test_a_page_in_the_middle_of_a_sub_thread_of_500_replies_costs_what_a_short_one_does(
    client, seeded
):
    long = Question.objects.get(slug=LONG)
    (top,) = make_thread(long, top_level=1)
    few = queries(client, f"/debat/{LONG}/")

    replies = make_replies(top, 500)
    withdraw(contribution=replies[30])
    make_contribution(question=long, parent=replies[30])

    for url in (f"/debat/{LONG}/", f"/debat/{LONG}/?side=5", f"/debat/{LONG}/?side=63"):
        assert queries(client, url) == few, url
