"""
The webmaster's figures on the admin index: the queue's length day by day and the waits for a
decision week by week, worked out from the record of decisions the same way on SQLite and
PostgreSQL, and shown only to those who may moderate.
"""

import random
import statistics
from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from debates.models import Contribution
from moderation import services
from moderation.figures import WAIT_WEEKS, panel_figures, queue_by_day, waits_by_week
from moderation.models import Decision
from tests.factories import make_contribution, make_user

Status = Contribution.Status
Action = Decision.Action
HOUR = 3600


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def decided(contribution, action, from_status, to_status, at, *, by="redaktion"):
    """A decision as if taken at `at` (the record stamps the present)."""
    decision = Decision.objects.create(
        contribution=contribution,
        action=action,
        actor_name=by,
        from_status=from_status,
        to_status=to_status,
    )
    Decision.objects.filter(pk=decision.pk).update(created_at=at)
    return decision


def confirmed(contribution, at):
    return decided(contribution, Action.CONFIRMED, Status.UNCONFIRMED, Status.PENDING, at, by="")


def waited(question, hours, *, joined, action=Action.PUBLISHED, to=Status.PUBLISHED):
    contribution = make_contribution(question=question, status=to)
    confirmed(contribution, joined)
    decided(contribution, action, Status.PENDING, to, joined + timedelta(hours=hours))
    return contribution


# The queue, day by day -------------------------------------------------------------------------


def test_the_queue_is_counted_at_the_end_of_each_day_in_copenhagen(question):
    c1, c2, c3, c4, c5, c6 = (make_contribution(question=question) for _ in range(6))
    # Two joined before the first day shown, and one of them left: the chart starts at 1.
    confirmed(c1, utc(2025, 2, 1, 9))
    confirmed(c2, utc(2025, 2, 1, 9))
    decided(c2, Action.PUBLISHED, Status.PENDING, Status.PUBLISHED, utc(2025, 3, 5, 9))
    decided(c3, Action.SUBMITTED, "", Status.UNCONFIRMED, utc(2025, 3, 10, 7))
    confirmed(c3, utc(2025, 3, 10, 8))
    confirmed(c4, utc(2025, 3, 12, 8))
    decided(c4, Action.EDITED, Status.PENDING, Status.PENDING, utc(2025, 3, 13, 8))
    decided(c4, Action.REJECTED, Status.PENDING, Status.REJECTED, utc(2025, 3, 14, 8))
    decided(c4, Action.REOPENED, Status.REJECTED, Status.PENDING, utc(2025, 3, 17, 8))
    # Sunday 23:30 and Monday 00:30 in Copenhagen, both on Sunday in UTC.
    confirmed(c5, utc(2025, 3, 30, 21, 30))
    decided(c5, Action.PUBLISHED, Status.PENDING, Status.PUBLISHED, utc(2025, 3, 30, 22, 30))
    decided(c3, Action.WITHDRAWN, Status.PENDING, Status.WITHDRAWN, utc(2025, 3, 31, 10), by="")
    # A blocked sender's contribution joins and leaves at once.
    confirmed(c6, utc(2025, 3, 20, 8))
    decided(c6, Action.MARKED_SPAM, Status.PENDING, Status.SPAM, utc(2025, 3, 20, 8), by="")

    days = queue_by_day(today=date(2025, 3, 31))

    lengths = {d.day: d.queue for d in days}
    assert days[0].day == date(2025, 3, 10)
    assert days[-1].day == date(2025, 3, 31)
    assert len(days) == 22
    expected = {date(2025, 3, 10): 2, date(2025, 3, 11): 2, date(2025, 3, 12): 3}
    expected |= {date(2025, 3, 13): 3, date(2025, 3, 14): 2, date(2025, 3, 16): 2}
    expected |= {date(2025, 3, 17): 3, date(2025, 3, 29): 3, date(2025, 3, 30): 4}
    expected |= {date(2025, 3, 31): 2}
    assert {day: lengths[day] for day in expected} == expected


def test_the_queue_today_is_the_number_waiting(question, webmaster):
    made = [
        services.confirm_contribution(
            contribution=services.submit_contribution(
                question=question,
                author_name=f"Skribent {n}",
                author_email=f"skribent{n}@example.dk",
                body=f"Tekst nummer {n}.",
            )
        )
        for n in range(4)
    ]
    services.publish(contribution=made[0], actor=webmaster)
    services.reject(contribution=made[1], actor=webmaster, reason="Uden for emnet.")
    services.reopen(contribution=made[1], actor=webmaster)

    days = queue_by_day(today=timezone.localdate())

    assert days[-1].queue == Contribution.objects.awaiting_moderation().count() == 3


# Waiting for a decision, week by week ----------------------------------------------------------


def test_the_median_and_90th_percentile_wait_each_week(question):
    # Week of 6 January: 1, 2, 3 and 4 hours; a withdrawal and a blocked sender do not count.
    for hours, action, to in [
        (1, Action.PUBLISHED, Status.PUBLISHED),
        (2, Action.REJECTED, Status.REJECTED),
        (3, Action.MARKED_SPAM, Status.SPAM),
        (4, Action.PUBLISHED, Status.PUBLISHED),
    ]:
        waited(question, hours, joined=utc(2025, 1, 6, 8), action=action, to=to)
    gone = make_contribution(question=question, status=Status.WITHDRAWN)
    confirmed(gone, utc(2025, 1, 6, 8))
    decided(gone, Action.WITHDRAWN, Status.PENDING, Status.WITHDRAWN, utc(2025, 1, 10), by="")
    blocked = make_contribution(question=question, status=Status.SPAM)
    confirmed(blocked, utc(2025, 1, 7, 8))
    decided(blocked, Action.MARKED_SPAM, Status.PENDING, Status.SPAM, utc(2025, 1, 7, 8), by="")
    # Over the new year: decided at 07:00 on 1 January in Copenhagen, in the week of 30 December.
    waited(question, 10, joined=utc(2024, 12, 31, 20))
    # Put back in the queue: each stay is measured from when it began.
    again = make_contribution(question=question)
    confirmed(again, utc(2024, 12, 2, 8))
    decided(again, Action.REJECTED, Status.PENDING, Status.REJECTED, utc(2024, 12, 3, 8))
    decided(again, Action.REOPENED, Status.REJECTED, Status.PENDING, utc(2024, 12, 10, 8))
    decided(again, Action.PUBLISHED, Status.PENDING, Status.PUBLISHED, utc(2024, 12, 10, 10))
    # This week: 1 to 11 hours.
    for hours in range(1, 12):
        waited(question, hours, joined=utc(2025, 1, 13, 0))
    # Before the first week shown.
    waited(question, 50, joined=utc(2024, 10, 20, 8))

    weeks = waits_by_week(today=date(2025, 1, 15))

    assert len(weeks) == WAIT_WEEKS
    assert weeks[0].start == date(2024, 10, 28)
    found = {w.start: (w.decisions, w.median / HOUR, w.p90 / HOUR) for w in weeks if w.decisions}
    assert found == {
        date(2024, 12, 2): (1, 24, 24),
        date(2024, 12, 9): (1, 2, 2),
        date(2024, 12, 30): (1, 10, 10),
        date(2025, 1, 6): (4, 2.5, pytest.approx(3.7)),
        date(2025, 1, 13): (11, 6, 10),
    }
    assert all(w.median is None and w.p90 is None for w in weeks if not w.decisions)


def test_the_database_finds_the_percentiles_python_finds(question):
    rng = random.Random(5)
    joined = utc(2025, 2, 17, 12)
    waits = {}
    for _ in range(60):
        start = joined + timedelta(hours=rng.randrange(0, 14 * 24))
        hours = rng.randrange(1, 200) / 4
        waited(question, hours, joined=start)
        end = timezone.localtime(start + timedelta(hours=hours)).date()
        waits.setdefault(end - timedelta(days=end.weekday()), []).append(hours * HOUR)

    weeks = waits_by_week(today=date(2025, 3, 20))

    found = {w.start: (w.median, w.p90) for w in weeks if w.decisions}
    assert found.keys() == waits.keys()
    for week, seconds in waits.items():
        median, p90 = found[week]
        assert median == pytest.approx(statistics.median(seconds))
        expected = (
            seconds[0]
            if len(seconds) == 1
            else statistics.quantiles(seconds, n=10, method="inclusive")[8]
        )
        assert p90 == pytest.approx(expected)


# The panel -------------------------------------------------------------------------------------


def test_the_panel_shows_both_charts_with_their_tables_to_a_moderator(moderator, question):
    waited(question, 3, joined=timezone.now() - timedelta(hours=5))

    html = moderator.get(reverse("admin:index")).content.decode()

    assert 'id="mia-figures"' in html
    for key in ("queue-by-day", "waits-by-week"):
        assert f'role="img" aria-labelledby="{key}-title {key}-desc"' in html
    assert "<caption>Indlæg, der venter i køen, ved slutningen af hver dag</caption>" in html
    assert '<caption id="waits-by-week-caption">' in html
    assert '<abbr title="mandag">man</abbr>' in html
    assert f'href="{reverse("debates:figures")}"' in html


def test_staff_who_may_not_moderate_do_not_see_the_panel(client, question):
    make_contribution(question=question, status=Status.PENDING)
    client.force_login(make_user(is_staff=True))

    response = client.get(reverse("admin:index"))

    assert response.status_code == 200
    assert 'id="mia-figures"' not in response.content.decode()


def test_anonymous_visitors_are_sent_to_log_in(client, seeded):
    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_the_figures_are_kept_until_the_next_decision(
    question, webmaster, django_assert_num_queries
):
    waiting = make_contribution(question=question, status=Status.PENDING)
    confirmed(waiting, timezone.now())
    assert panel_figures().queue[-1].queue == 1

    with django_assert_num_queries(1):
        assert panel_figures().queue[-1].queue == 1

    services.publish(contribution=waiting, actor=webmaster)
    assert panel_figures().queue[-1].queue == 0
