"""
The webmaster's figures, on the admin index: how long the queue has been, day by day, and how
long contributions wait in it for the editors' decision, week by week.

Both are worked out from the record of decisions alone, one query each, and bounded: the last
QUEUE_WEEKS calendar weeks of days, and the last WAIT_WEEKS weeks. A contribution joins the queue
when a decision moves it to "pending" (its sender's confirmation, or being put back) and leaves
it when one moves it on; its wait is the time between. Only the editors' own decisions count as
an end to a wait (not a withdrawal, nor a blocked sender's contribution marked as spam at once).
The figures are kept in the cache until a decision is taken or the day changes.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.cache import cache
from django.db.models import (
    Case,
    Count,
    DateField,
    DurationField,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import Window
from django.db.models.functions import RowNumber, TruncDate
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from debates.charts import (
    DASHED,
    DAY,
    LINE,
    WEEK,
    Series,
    TimeChart,
    full_date,
    one_decimal,
    period_label,
    whole,
)
from debates.figures import local_week, monday, site_timezone, start_of
from debates.models import Contribution
from moderation.models import Decision
from moderation.services.decisions import moderators_decisions

PENDING = Contribution.Status.PENDING
QUEUE_WEEKS = 4
WAIT_WEEKS = 12
# The percentiles of the waits each week, as fractions of a hundred: the median and the 90th.
PERCENTILES = (50, 90)
ONE_DAY = timedelta(days=1)

JOINED = Q(to_status=PENDING) & ~Q(from_status=PENDING)
LEFT = Q(from_status=PENDING) & ~Q(to_status=PENDING)


@dataclass(frozen=True)
class Day:
    day: date
    queue: int


@dataclass(frozen=True)
class WaitWeek:
    start: date
    decisions: int
    # In seconds; None in a week without decisions.
    median: float | None
    p90: float | None


def queue_by_day(*, today: date) -> list[Day]:
    """The queue's length at the end of each day, from the Monday QUEUE_WEEKS weeks ago to today."""
    first = monday(today) - timedelta(weeks=QUEUE_WEEKS - 1)
    before = first - timedelta(days=1)
    # Everything before the first day is summed as one day, the length the chart starts from.
    day = Case(
        When(created_at__lt=start_of(first), then=Value(before)),
        default=TruncDate("created_at", tzinfo=site_timezone()),
        output_field=DateField(),
    )
    changes = {
        row["day"]: row["change"]
        for row in Decision.objects.filter(JOINED | LEFT, created_at__lt=start_of(today + ONE_DAY))
        .annotate(day=day)
        .values("day")
        .annotate(change=Sum(Case(When(JOINED, then=1), default=-1)))
        .order_by("day")
    }
    length = changes.get(before, 0)
    days = []
    for n in range((today - first).days + 1):
        current = first + timedelta(days=n)
        length += changes.get(current, 0)
        days.append(Day(current, length))
    return days


def waits_by_week(*, today: date) -> list[WaitWeek]:
    """
    For each of the last WAIT_WEEKS weeks, the editors' decisions on waiting contributions and
    the median and 90th percentile of the time each had waited. The database ranks each week's
    waits; of each week only the two or four ranks around each percentile come back, and the
    percentile lies between them (as PostgreSQL's percentile_cont places it).
    """
    first = monday(today) - timedelta(weeks=WAIT_WEEKS - 1)
    joined_at = (
        Decision.objects.filter(
            JOINED, contribution=OuterRef("contribution"), pk__lt=OuterRef("pk")
        )
        .order_by("-pk")
        .values("created_at")[:1]
    )
    decided = [rule.action for rule in moderators_decisions(PENDING) if rule.to != PENDING]
    count = F("decisions")
    around = Q()
    for p in PERCENTILES:
        # The 1-based ranks either side of the percentile's place, (n - 1) × p / 100 from 0.
        around |= Q(rank=(count - 1) * p / 100 + 1) | Q(rank=((count - 1) * p + 99) / 100 + 1)
    rows = (
        Decision.objects.filter(
            LEFT, action__in=decided, created_at__gte=start_of(first), actor_name__gt=""
        )
        .annotate(joined_at=Subquery(joined_at))
        .filter(joined_at__isnull=False)
        .annotate(
            week=local_week("created_at"),
            wait=ExpressionWrapper(F("created_at") - F("joined_at"), output_field=DurationField()),
        )
        .annotate(
            rank=Window(RowNumber(), partition_by=[F("week")], order_by=[F("wait"), F("pk")]),
            decisions=Window(Count("pk"), partition_by=[F("week")]),
        )
        .filter(around)
        .order_by()
        .values_list("week", "decisions", "rank", "wait")
    )
    found: dict[date, tuple[int, dict[int, float]]] = {}
    for week, decisions, rank, wait in rows:
        found.setdefault(week, (decisions, {}))[1][rank] = wait.total_seconds()
    weeks = []
    for n in range(WAIT_WEEKS):
        start = first + timedelta(weeks=n)
        decisions, ranked = found.get(start, (0, {}))
        median, p90 = (_percentile(ranked, decisions, p) for p in PERCENTILES)
        weeks.append(WaitWeek(start, decisions, median, p90))
    return weeks


def _percentile(ranked: dict[int, float], count: int, p: int) -> float | None:
    if not count:
        return None
    place = (count - 1) * p / 100
    below = int(place)
    fraction = place - below
    low = ranked[below + 1]
    high = ranked.get(below + 2, low)
    return low + (high - low) * fraction


@dataclass(frozen=True)
class PanelFigures:
    queue: list[Day]
    waits: list[WaitWeek]


def panel_figures() -> PanelFigures:
    """
    The figures, from the cache while no decision has been taken (or undone, by the deletion
    of a contribution) since they were worked out, on the same day.
    """
    today = timezone.localdate()
    latest = Decision.objects.aggregate(last=Max("pk"), count=Count("pk"))
    key = f"mia:panel-figures:{today.isoformat()}:{latest['last']}:{latest['count']}"
    figures = cache.get(key)
    if figures is None:
        figures = PanelFigures(queue_by_day(today=today), waits_by_week(today=today))
        cache.set(key, figures, timeout=24 * 60 * 60)
    return figures


# The panel's charts -----------------------------------------------------------------------------


def queue_chart(days: list[Day]) -> TimeChart:
    longest = max(days, key=lambda d: (d.queue, d.day))
    return TimeChart(
        key="queue-by-day",
        title=_("Contributions waiting in the queue at the end of each day"),
        description=_(
            "A line through the number of contributions waiting at the end of each day, from "
            "%(first)s to %(last)s: %(now)s at the end, and at most %(most)s, on %(longest)s. The "
            "table gives every number."
        )
        % {
            "first": full_date(days[0].day),
            "last": full_date(days[-1].day),
            "now": whole(days[-1].queue),
            "most": whole(longest.queue),
            "longest": full_date(longest.day),
        },
        row_header=_("Day"),
        series=[Series(_("Waiting"), tuple(d.queue for d in days), LINE)],
        periods=[d.day for d in days],
        unit=DAY,
    )


def queue_calendar(days: list[Day]) -> dict:
    """The queue's lengths as a calendar: a row per week, a column per weekday."""
    first = monday(days[0].day)
    weekdays = [
        {"short": date_format(day, "D"), "name": date_format(day, "l")}
        for day in (first + timedelta(days=n) for n in range(7))
    ]
    by_day = {d.day: whole(d.queue) for d in days}
    weeks = []
    for week in range(QUEUE_WEEKS):
        start = first + timedelta(weeks=week)
        weeks.append(
            {
                "label": period_label(start, WEEK),
                "values": [by_day.get(start + timedelta(days=n), "") for n in range(7)],
            }
        )
    return {"weekdays": weekdays, "weeks": weeks}


def wait_chart(weeks: list[WaitWeek]) -> TimeChart:
    longest = max((w.p90 or 0 for w in weeks), default=0)
    in_days = longest >= 48 * 3600
    unit = 24 * 3600 if in_days else 3600

    def measured(seconds):
        return None if seconds is None else seconds / unit

    decided = [w for w in weeks if w.decisions]
    if decided:
        summary = _(
            "In the week of %(week)s, half the decisions came within %(median)s and nine in ten "
            "within %(p90)s."
        ) % {
            "week": full_date(decided[-1].start),
            "median": _duration(decided[-1].median, in_days),
            "p90": _duration(decided[-1].p90, in_days),
        }
    else:
        summary = _("No decisions were taken in these weeks.")
    return TimeChart(
        key="waits-by-week",
        title=_("Time from confirmation to decision, per week"),
        description=_(
            "Two lines over %(count)s weeks: a solid one through the median wait for the "
            "editors' decision, and a dashed one through the 90th percentile. %(summary)s The "
            "table gives every number."
        )
        % {"count": len(weeks), "summary": summary},
        row_header=_("Week"),
        axis_label=_("Days") if in_days else _("Hours"),
        value_format=one_decimal,
        series=[
            Series(_("Median"), tuple(measured(w.median) for w in weeks), LINE),
            Series(_("90th percentile"), tuple(measured(w.p90) for w in weeks), DASHED),
        ],
        extra=[Series(_("Decisions"), tuple(w.decisions for w in weeks), value_format=whole)],
        periods=[w.start for w in weeks],
    )


def _duration(seconds: float, in_days: bool) -> str:
    if in_days:
        return _("%(days)s days") % {"days": one_decimal(seconds / 86400)}
    return _("%(hours)s hours") % {"hours": one_decimal(seconds / 3600)}
