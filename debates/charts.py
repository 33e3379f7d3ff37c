"""
Charts drawn on the server as SVG: bars and lines over weeks or days, and bars for a list of
named things. The debate in figures draws its charts with them, and so does the webmaster's panel.

A chart is as wide as the column it stands in: x positions are percentages of its width and y
positions are pixels, so it fills a phone's screen or a desktop's with its text at the page's own
size, and grows with the reader's zoom. Its labels are text, in the current language with its
number and date formats. It is an image with a title and a description for assistive technology,
and the page shows the same numbers in a table (`rows`) beside it. Shapes say what the colours
say (bars; a solid line with round marks; a dashed line with square marks), and each colour has
3:1 contrast against both a light and a dark page (the admin's dark mode).
"""

import math
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.template.loader import render_to_string
from django.utils.formats import date_format, number_format
from django.utils.functional import cached_property
from django.utils.safestring import SafeString
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

BARS, LINE, DASHED = "bars", "line", "dashed"
# Teal and rust, in that order: 4.9:1 and 5.0:1 against white, 3.9:1 and 3.7:1 against #121212.
COLOURS = ("#2b7a94", "#b3541e")
WEEK, DAY = "week", "day"

# Geometry: y in pixels, x in percent of the chart's width.
TICK_FONT = 13
PLOT_HEIGHT = 200
LEFT, RIGHT = 11.0, 94.0
MAX_TICKS = 5
ROW_HEIGHT = 46
BAR_SPAN = 82.0
LABEL_CHARS = 38


def whole(value: float) -> str:
    """A count, in the current language: 1.234 in Danish, 1,234 in English."""
    return number_format(round(value), 0, use_l10n=True, force_grouping=True)


def one_decimal(value: float) -> str:
    return number_format(value, 1, use_l10n=True, force_grouping=True)


def short_date(day: date) -> str:
    return date_format(day, pgettext("date on a chart's axis", "N j"))


def full_date(day: date) -> str:
    return date_format(day, pgettext("date in a chart's table", "N j, Y"))


def period_label(start: date, unit: str) -> str:
    """A week or a day in full, as a table's row names it."""
    if unit == DAY:
        return full_date(start)
    return _("Week %(number)s: %(first)s – %(last)s") % {
        "number": start.isocalendar().week,
        "first": short_date(start),
        "last": full_date(start + timedelta(days=6)),
    }


@dataclass(frozen=True)
class Series:
    """One set of values, one per period or thing, drawn as bars or as a line."""

    label: str
    values: tuple[float | None, ...]
    style: str = BARS
    # How the table writes its values, if not as the chart's axis does.
    value_format: object = None


@dataclass(frozen=True)
class Row:
    """A row of the chart's table: what it is, and its values as the chart labels them."""

    label: str
    values: tuple[str, ...]
    url: str = ""


@dataclass
class _Chart:
    key: str
    title: str
    description: str
    series: list[Series]
    value_format: object = whole
    # What the numbers are measured in, above the axis ("Hours"); counts need none.
    axis_label: str = ""
    # The heading of the table's first column, which names each row.
    row_header: str = ""
    # More columns for the table that the chart does not draw.
    extra: list[Series] = field(default_factory=list)
    colours: dict = field(init=False, default_factory=dict)

    def __post_init__(self):
        self.colours = {s.label: COLOURS[i % len(COLOURS)] for i, s in enumerate(self.series)}

    @property
    def headers(self) -> list[str]:
        return [s.label for s in (*self.series, *self.extra)]

    def _values(self, index: int) -> tuple[str, ...]:
        return tuple(
            _formatted(s.values[index], s.value_format or self.value_format)
            for s in (*self.series, *self.extra)
        )

    @property
    def legend(self) -> list[dict]:
        if len(self.series) < 2:
            return []
        return [
            {
                "label": s.label,
                "style": s.style,
                "colour": self.colours[s.label],
                "x": _pct(LEFT + i * 40),
            }
            for i, s in enumerate(self.series)
        ]

    def svg(self) -> SafeString:
        return render_to_string(self.template, {"chart": self})


@dataclass
class TimeChart(_Chart):
    """Bars and lines over consecutive weeks or days (`periods` are their first days)."""

    periods: list[date] = field(default_factory=list)
    unit: str = WEEK
    template = "debates/_time_chart.html"

    @property
    def rows(self) -> list[Row]:
        return [
            Row(period_label(start, self.unit), self._values(i))
            for i, start in enumerate(self.periods)
        ]

    @cached_property
    def _top(self) -> float:
        return 8 + (26 if self.legend else 0) + (20 if self.axis_label else 0) + 8

    @property
    def height(self) -> int:
        return int(self._top + PLOT_HEIGHT + 44)

    @property
    def axis_label_y(self) -> str:
        return _px(self._top - 12)

    @cached_property
    def _scale(self) -> list[float]:
        largest = max((v for s in self.series for v in s.values if v is not None), default=0)
        return nice_ticks(largest, whole=self.value_format is whole)

    def _y(self, value: float) -> float:
        return self._top + PLOT_HEIGHT - value / self._scale[-1] * PLOT_HEIGHT

    def _slot(self) -> float:
        return (RIGHT - LEFT) / max(len(self.periods), 1)

    def _centre(self, index: int) -> float:
        return LEFT + (index + 0.5) * self._slot()

    @property
    def baseline(self) -> dict:
        return {"x1": _pct(LEFT), "x2": _pct(RIGHT), "y": _px(self._y(0))}

    @property
    def gridlines(self) -> list[dict]:
        # Whole steps are written whole, even on an axis of hours with a decimal.
        label = whole if all(float(v).is_integer() for v in self._scale) else self.value_format
        return [
            {
                "y": _px(self._y(value)),
                "label_y": _px(self._y(value) + TICK_FONT / 3),
                "label": label(value),
            }
            for value in self._scale
        ]

    @property
    def label_x(self) -> str:
        return _pct(LEFT - 1.5)

    @property
    def ticks(self) -> list[dict]:
        """A date under every few periods, the latest always; the year where it changes."""
        count = len(self.periods)
        every = max(1, math.ceil(count / MAX_TICKS))
        shown, year = [], None
        for index in range(count):
            if (count - 1 - index) % every:
                continue
            start = self.periods[index]
            shown.append(
                {
                    "x": _pct(self._centre(index)),
                    "label": short_date(start),
                    "year": str(start.year) if start.year != year else "",
                }
            )
            year = start.year
        y = self._y(0)
        for tick in shown:
            tick["y"], tick["year_y"] = _px(y + 18), _px(y + 35)
        return shown

    @property
    def bars(self) -> list[dict]:
        drawn = [s for s in self.series if s.style == BARS]
        if not drawn:
            return []
        slot = self._slot()
        width = slot * 0.7 / len(drawn)
        shapes = []
        for n, series in enumerate(drawn):
            for index, value in enumerate(series.values):
                if not value:
                    continue
                top = self._y(value)
                shapes.append(
                    {
                        "x": _pct(LEFT + index * slot + slot * 0.15 + n * width),
                        "width": _pct(width),
                        "y": _px(top),
                        "height": _px(self._y(0) - top),
                        "colour": self.colours[series.label],
                    }
                )
        return shapes

    @property
    def lines(self) -> list[dict]:
        """Each line as its segments and its marks; a period without a value breaks the line."""
        drawn = []
        for series in self.series:
            if series.style == BARS:
                continue
            points = [
                (_pct(self._centre(i)), _px(self._y(v)))
                for i, v in enumerate(series.values)
                if v is not None
            ]
            segments = [
                {
                    "x1": _pct(self._centre(i)),
                    "y1": _px(self._y(a)),
                    "x2": _pct(self._centre(i + 1)),
                    "y2": _px(self._y(b)),
                }
                for i, (a, b) in enumerate(zip(series.values, series.values[1:], strict=False))
                if a is not None and b is not None
            ]
            drawn.append(
                {
                    "colour": self.colours[series.label],
                    "style": series.style,
                    "dashed": series.style == DASHED,
                    "segments": segments,
                    "points": [{"x": x, "y": y} for x, y in points],
                }
            )
        return drawn


@dataclass
class BarChart(_Chart):
    """Horizontal bars, one per named thing, each labelled with its name and its value."""

    names: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    template = "debates/_bar_chart.html"

    @property
    def rows(self) -> list[Row]:
        return [
            Row(name, self._values(i), self.urls[i] if self.urls else "")
            for i, name in enumerate(self.names)
        ]

    @property
    def height(self) -> int:
        return ROW_HEIGHT * len(self.names) + 8

    @property
    def items(self) -> list[dict]:
        series = self.series[0]
        largest = max((v for v in series.values if v), default=0) or 1
        drawn = []
        for index, (name, value) in enumerate(zip(self.names, series.values, strict=True)):
            top = index * ROW_HEIGHT
            span = (value or 0) / largest * BAR_SPAN
            drawn.append(
                {
                    "name": Truncator(name).chars(LABEL_CHARS),
                    "name_y": _px(top + 16),
                    "bar_y": _px(top + 23),
                    "bar_height": _px(16),
                    "width": _pct(span),
                    "value": self.value_format(value or 0),
                    "value_x": _pct(span),
                    "value_y": _px(top + 36),
                    "colour": self.colours[series.label],
                }
            )
        return drawn

    @property
    def axis_bottom(self) -> str:
        return _px(self.height - 8)


def nice_ticks(largest: float, *, whole: bool = True) -> list[float]:
    """Evenly spaced values from 0 past `largest`: steps of 1, 2, 2.5 or 5 times a power of 10."""
    if largest <= 0:
        return [0, 1]
    rough = largest / 4
    magnitude = 10 ** math.floor(math.log10(rough))
    steps = (1, 2, 5, 10) if whole and magnitude < 10 else (1, 2, 2.5, 5, 10)
    step = next(m * magnitude for m in steps if m * magnitude >= rough)
    if whole:
        step = max(1, round(step))
    count = math.ceil(largest / step)
    return [step * i for i in range(count + 1)]


def _formatted(value, value_format) -> str:
    return "–" if value is None else value_format(value)


# SVG coordinates are written with a point, whatever the language's decimal separator.
def _pct(value: float) -> str:
    return f"{value:.3f}%"


def _px(value: float) -> str:
    return f"{value:.1f}"
