"""
The debate in figures: what has been published, counted right in the database (the same on SQLite
and PostgreSQL, weeks in Copenhagen across a new year and a change to summer time), nothing
unpublished counted, no one named, bounded, cached, and changed by the next publish.
"""

import gzip
import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from debates import figures
from debates.figures import MAX_QUESTIONS, MAX_WEEKS, Week
from debates.models import Contribution, Question
from moderation import services
from moderation.services import rights
from tests.factories import make_contribution, make_question

Status = Contribution.Status
COPENHAGEN = ZoneInfo("Europe/Copenhagen")
URL = "/debatten-i-tal/"


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def published_at(moment, **fields):
    return make_contribution(published_at=moment, **fields)


def page(client, url=URL):
    """The page's text, and whether it came from the cache."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    body = response.content
    if response.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    return body.decode(), len(queries) == 0 and not response.templates


@pytest.fixture
def reader():
    """A first-time visitor: no cookies, and none kept between requests."""

    class Forgetful(Client):
        def request(self, **request):
            self.cookies.clear()
            return super().request(**request)

    return Forgetful()


# Weeks in Copenhagen ---------------------------------------------------------------------------


def test_weeks_run_monday_to_sunday_in_copenhagen_across_a_new_year_and_summer_time(question):
    for moment in [
        utc(2024, 12, 29, 22, 30),  # Sunday 29 December, 23:30 in Copenhagen
        utc(2024, 12, 29, 23, 30),  # Monday 30 December, 00:30: week 1 of 2025
        utc(2025, 1, 5, 22, 59),  # Sunday 5 January, 23:59
        utc(2025, 1, 5, 23, 0),  # Monday 6 January, 00:00
        utc(2025, 3, 30, 21, 30),  # Sunday 30 March, 23:30 summer time
        utc(2025, 3, 30, 22, 30),  # Monday 31 March, 00:30 summer time, Sunday in UTC
    ]:
        published_at(moment, question=question)

    weeks = figures.published_per_week()

    counts = {w.start: w.contributions for w in weeks}
    assert weeks[0].start == date(2024, 12, 23)
    assert weeks[-1].start == date(2025, 3, 31)
    assert len(weeks) == 15
    assert [w.start for w in weeks] == [date(2024, 12, 23) + timedelta(weeks=n) for n in range(15)]
    assert counts[date(2024, 12, 23)] == 1
    assert counts[date(2024, 12, 30)] == 2
    assert counts[date(2025, 1, 6)] == 1
    assert counts[date(2025, 3, 24)] == 1
    assert counts[date(2025, 3, 31)] == 1
    assert sum(counts.values()) == 6


def test_the_page_names_weeks_by_their_number_and_dates_in_danish_and_english(client, question):
    published_at(utc(2024, 12, 30, 9), question=question)
    published_at(utc(2025, 1, 8, 9), question=question)

    danish = client.get(URL).content.decode()
    english = client.get("/en" + URL).content.decode()

    assert "Uge 1: 30. dec. – 5. jan. 2025" in danish
    assert "Uge 2: 6. jan. – 12. jan. 2025" in danish
    assert "Week 1: Dec. 30 – Jan. 5, 2025" in english


def test_the_database_puts_any_moment_in_the_same_week_as_copenhagen_does(question):
    """Random moments over a new year and the change to summer time, many near midnight."""
    rng = random.Random(17)
    start = utc(2024, 11, 4)
    moments = [
        start
        + timedelta(days=rng.randrange(160), hours=rng.choice([21, 22, 23, 0, 1, 12]))
        + timedelta(minutes=rng.randrange(60))
        for _ in range(120)
    ]
    for moment in moments:
        published_at(moment, question=question, author_email=f"p{rng.randrange(40)}@example.dk")

    weeks = figures.published_per_week()

    expected = {}
    for moment in moments:
        local = moment.astimezone(COPENHAGEN).date()
        monday = local - timedelta(days=local.weekday())
        expected[monday] = expected.get(monday, 0) + 1
    assert {w.start: w.contributions for w in weeks if w.contributions} == expected


# What counts -----------------------------------------------------------------------------------


def test_nothing_unpublished_is_counted_or_shown(client, question):
    other = Question.objects.get(slug="motivation")
    published = make_contribution(question=question, author_email="synlig@example.dk")
    for status in [Status.UNCONFIRMED, Status.PENDING, Status.REJECTED, Status.SPAM]:
        make_contribution(
            question=other,
            status=status,
            author_name=f"Skjult {status}",
            author_email=f"skjult-{status}@example.dk",
        )
    withdrawn = make_contribution(question=other, author_email="fortryder@example.dk")
    rights.withdraw(contribution=withdrawn)

    found = figures.totals()
    html = client.get(URL).content.decode()

    assert (found.contributions, found.contributors, found.questions) == (1, 1, 1)
    assert [w.contributions for w in figures.published_per_week()] == [1]
    questions, _more = figures.published_per_question()
    counts = {q.slug: (q.reply_count, q.contributor_count) for q in questions}
    assert counts[question.slug] == (1, 1)
    assert counts[other.slug] == (0, 0)
    assert "Skjult" not in html
    assert "@example.dk" not in html
    assert published.author_name not in html


def test_contributors_are_people_told_apart_by_address_never_named(client, question):
    other = Question.objects.get(slug="motivation")
    make_contribution(question=question, author_name="Anna Holm", author_email="anna@example.dk")
    make_contribution(question=other, author_name="Anna Holm", author_email=" Anna@Example.DK ")
    make_contribution(question=other, author_name="Anna Holm", author_email="anna@example.org")
    # Two whose addresses were deleted after the retention period: told apart by their name.
    make_contribution(question=question, author_name="Bo Berg", author_email="")
    make_contribution(question=other, author_name="bo berg ", author_email="")
    make_contribution(question=other, author_name="Carl Dam", author_email="")

    found = figures.totals()
    questions, _more = figures.published_per_question()
    html = client.get(URL).content.decode()

    assert (found.contributions, found.contributors) == (6, 4)
    counts = {q.slug: (q.reply_count, q.contributor_count) for q in questions}
    assert counts[question.slug] == (2, 2)
    assert counts[other.slug] == (4, 4)
    for private in ("Anna", "anna@", "Bo Berg", "Carl Dam"):
        assert private not in html
    assert "<dd>4</dd>" in html


def test_a_withdrawal_takes_the_contribution_and_its_author_out_of_the_count(question):
    kept = make_contribution(question=question, author_email="to@example.dk")
    again = make_contribution(question=question, author_email="to@example.dk")
    alone = make_contribution(question=question, author_email="en@example.dk")

    rights.withdraw(contribution=again)
    assert (figures.totals().contributions, figures.totals().contributors) == (2, 2)
    rights.withdraw(contribution=alone)
    assert (figures.totals().contributions, figures.totals().contributors) == (1, 1)
    assert figures.published_per_week()[0].contributors == 1
    assert kept.status == Status.PUBLISHED


def test_the_questions_are_ordered_by_contributions_and_linked(client, question):
    other = Question.objects.get(slug="motivation")
    for _ in range(3):
        make_contribution(question=other)
    make_contribution(question=question)

    questions, more = figures.published_per_question()
    html = client.get(URL).content.decode()

    assert [q.slug for q in questions[:2]] == [other.slug, question.slug]
    assert not more
    assert len(questions) == Question.objects.count()
    assert f'<a href="{other.get_absolute_url()}">{other.title}</a>' in html


# Bounded, and one query a chart ----------------------------------------------------------------


def test_the_weeks_and_questions_drawn_are_bounded_whatever_the_data(client, seeded):
    start = utc(2023, 1, 2, 12)
    many = [make_question() for _ in range(MAX_QUESTIONS + 5)]
    for n in range(60):
        published_at(start + timedelta(weeks=n), question=many[n % len(many)])

    weeks = figures.published_per_week()
    questions, more = figures.published_per_question()
    html = client.get(URL).content.decode()

    assert len(weeks) == MAX_WEEKS
    assert weeks[-1] == Week(date(2024, 2, 19), 1, 1)
    assert len(questions) == MAX_QUESTIONS
    assert more
    assert html.count('<th scope="row">') == MAX_WEEKS + MAX_QUESTIONS
    assert f"De {MAX_QUESTIONS} spørgsmål, der har flest indlæg." in html


@pytest.mark.parametrize("contributions", [1, 40])
def test_the_page_is_built_with_one_query_a_chart_and_one_for_the_totals(
    client, question, django_assert_num_queries, settings, contributions
):
    settings.MIA_PAGE_CACHE_SECONDS = 0
    for n in range(contributions):
        published_at(utc(2025, 1, 1) + timedelta(days=n * 3), question=question)

    with django_assert_num_queries(3):
        response = client.get(URL)

    assert response.status_code == 200


# Cached with the pages -------------------------------------------------------------------------


def test_the_page_is_cached_and_the_next_publish_is_on_it(reader, question, webmaster):
    make_contribution(question=question)
    waiting = make_contribution(question=question, status=Status.PENDING)
    first, from_cache = page(reader)
    assert not from_cache
    assert "<dd>1</dd>" in first
    assert page(reader)[1]

    services.publish(contribution=waiting, actor=webmaster)

    html, from_cache = page(reader)
    assert not from_cache
    assert "<dd>2</dd>" in html
    assert page(reader)[1]


def test_a_contribution_waiting_in_the_queue_leaves_the_cached_page_alone(reader, question):
    make_contribution(question=question)
    page(reader)

    services.submit_contribution(
        question=question, author_name="Ny", author_email="ny@example.dk", body="Tekst."
    )

    assert page(reader)[1]


def test_with_nothing_published_the_page_says_so(client, seeded):
    html = client.get(URL).content.decode()

    assert "Der er endnu ikke offentliggjort noget." in html
    assert "<svg" not in html


# Found by readers and search engines -----------------------------------------------------------


def test_every_page_links_to_the_figures_in_its_footer(client, seeded):
    assert f'href="{URL}"' in client.get("/").content.decode()
    assert 'href="/en/debatten-i-tal/"' in client.get("/en/").content.decode()


def test_the_sitemap_lists_the_figures_in_both_languages(client, seeded):
    sitemap = client.get("/sitemap.xml").content.decode()

    assert f"{URL}</loc>" in sitemap
    assert "/en/debatten-i-tal/</loc>" in sitemap


def test_the_charts_are_images_with_a_title_a_description_and_their_numbers_in_tables(
    client, question
):
    make_contribution(question=question)

    html = client.get(URL).content.decode()

    for key in ("per-week", "per-question"):
        assert f'role="img" aria-labelledby="{key}-title {key}-desc"' in html
        assert f'<title id="{key}-title">' in html
        assert f'<desc id="{key}-desc">' in html
        assert f'<caption id="{key}-caption">' in html
    assert "<script" not in html.split("<main", 1)[1].split("</main>", 1)[0]
