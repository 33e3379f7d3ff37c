"""
The debate in figures: what has been published, counted in the database.

Only published contributions count (`Contribution.objects.published()`). A contributor is a
person told apart by their e-mail address as the database compares it (trimmed, lower-case), and
is never named nor their address shown; where the address has been deleted after the retention
period, by the name the contribution was published under. A withdrawn contribution is no longer
published, so neither it nor its author counts, unless the author has another one published.

Each chart is one query, bounded whatever the data: the latest MAX_WEEKS weeks with something
published, and the MAX_QUESTIONS questions with the most contributions. A week runs from Monday
to Sunday in the site's time zone, worked out the same way on SQLite and PostgreSQL.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, DateField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, Concat, Lower, NullIf, Trim, TruncWeek
from django.utils.translation import gettext as _

from debates.charts import BARS, LINE, BarChart, Series, TimeChart, full_date, whole
from debates.models import Contribution, Question

MAX_WEEKS = 26
MAX_QUESTIONS = 20


# Weeks and people, as the database tells them apart -----------------------------------------


def site_timezone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def local_week(field: str) -> TruncWeek:
    """The Monday that starts the local week of a moment, as a date, on either database."""
    return TruncWeek(field, output_field=DateField(), tzinfo=site_timezone())


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def start_of(day: date) -> datetime:
    """Local midnight at the start of a day (which summer time may make 23 or 25 hours long)."""
    return datetime.combine(day, time.min, tzinfo=site_timezone())


def person():
    """Who wrote a contribution, as one value the database can count distinct."""
    return Coalesce(
        NullIf(Lower(Trim("author_email")), Value("")),
        Concat(Value("name:"), Lower(Trim("author_name"))),
    )


# The queries -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Week:
    start: date
    contributions: int
    contributors: int


@dataclass(frozen=True)
class Totals:
    contributions: int
    contributors: int
    questions: int


def totals() -> Totals:
    found = Contribution.objects.published().aggregate(
        contributions=Count("pk"),
        contributors=Count(person(), distinct=True),
        questions=Count("question", distinct=True),
    )
    return Totals(**found)


def published_per_week() -> list[Week]:
    """The latest MAX_WEEKS weeks, from the first with a publication to the last, gaps as 0."""
    found = list(
        Contribution.objects.published()
        .filter(published_at__isnull=False)
        .annotate(week=local_week("published_at"))
        .values("week")
        .annotate(contributions=Count("pk"), contributors=Count(person(), distinct=True))
        .order_by("-week")[:MAX_WEEKS]
    )
    if not found:
        return []
    by_week = {row["week"]: row for row in found}
    last = found[0]["week"]
    start = max(found[-1]["week"], last - timedelta(weeks=MAX_WEEKS - 1))
    weeks = []
    while start <= last:
        row = by_week.get(start, {"contributions": 0, "contributors": 0})
        weeks.append(Week(start, row["contributions"], row["contributors"]))
        start += timedelta(weeks=1)
    return weeks


def published_per_question() -> tuple[list[Question], bool]:
    """
    The questions with the most published contributions, each annotated with `reply_count` and
    `contributor_count`, and whether there are more than MAX_QUESTIONS of them.
    """
    contributors = (
        Contribution.objects.published()
        .filter(question=OuterRef("pk"))
        .order_by()
        .values("question")
        .annotate(count=Count(person(), distinct=True))
        .values("count")
    )
    questions = list(
        Question.objects.with_reply_counts()
        .annotate(contributor_count=Coalesce(Subquery(contributors), 0))
        .order_by("-reply_count", "paper", "position", "pk")
        .only("title", "slug")[: MAX_QUESTIONS + 1]
    )
    return questions[:MAX_QUESTIONS], len(questions) > MAX_QUESTIONS


# The page's figures ----------------------------------------------------------------------------


@dataclass
class DebateInFigures:
    totals: Totals
    weekly: TimeChart | None
    per_question: BarChart | None
    more_questions: bool

    @property
    def key_figures(self) -> list[tuple[str, str]]:
        return [
            (_("Contributions published"), whole(self.totals.contributions)),
            (_("Contributors"), whole(self.totals.contributors)),
            (_("Questions with contributions"), whole(self.totals.questions)),
        ]


def debate_in_figures() -> DebateInFigures:
    """The public page's numbers and charts, in the current language: three queries."""
    found = totals()
    weeks = published_per_week()
    questions, more = published_per_question()
    return DebateInFigures(
        totals=found,
        weekly=weekly_chart(weeks) if weeks else None,
        per_question=question_chart(questions) if found.contributions else None,
        more_questions=more,
    )


def weekly_chart(weeks: list[Week]) -> TimeChart:
    busiest = max(weeks, key=lambda w: (w.contributions, w.start))
    return TimeChart(
        key="per-week",
        title=_("Contributions published per week, and their contributors"),
        description=_(
            "Bars show the contributions published each week and a line the number of people "
            "who wrote them, for %(count)s weeks from the week of %(first)s to the week of "
            "%(last)s. The most in one week were %(most)s, in the week of %(busiest)s. The "
            "table gives every number."
        )
        % {
            "count": len(weeks),
            "first": full_date(weeks[0].start),
            "last": full_date(weeks[-1].start),
            "most": whole(busiest.contributions),
            "busiest": full_date(busiest.start),
        },
        row_header=_("Week"),
        series=[
            Series(_("Contributions"), tuple(w.contributions for w in weeks), BARS),
            Series(_("Contributors"), tuple(w.contributors for w in weeks), LINE),
        ],
        periods=[w.start for w in weeks],
    )


def question_chart(questions: list[Question]) -> BarChart:
    most = questions[0]
    return BarChart(
        key="per-question",
        title=_("Contributions published per question"),
        description=_(
            "One bar per question, as long as the number of contributions published under it. "
            "The most were %(count)s, under “%(title)s”. The table gives every number, and the "
            "number of contributors too."
        )
        % {"count": whole(most.reply_count), "title": most.title},
        row_header=_("Question"),
        series=[Series(_("Contributions"), tuple(q.reply_count for q in questions), BARS)],
        extra=[Series(_("Contributors"), tuple(q.contributor_count for q in questions), BARS)],
        names=[q.title for q in questions],
        urls=[q.get_absolute_url() for q in questions],
    )
