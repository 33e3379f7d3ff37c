"""
The charts drawn on the server: images with a title and a description, text as text in the
current language's number and date formats, shapes that say what the colours say, and colours
that stand out from a light and a dark page alike.
"""

import re
from datetime import date, timedelta

import pytest
from django.utils import translation

from debates.charts import (
    BARS,
    COLOURS,
    DASHED,
    DAY,
    LINE,
    BarChart,
    Series,
    TimeChart,
    nice_ticks,
    one_decimal,
)

NUMBER_IN_COORDINATE = re.compile(r'\b(?:x|y|x1|x2|y1|y2|width|height)="[^"]*,[^"]*"')


def weekly(values=(1200, 0, 35, 7), lines=(900, None, 30, 7)):
    starts = [date(2024, 12, 23) + timedelta(weeks=n) for n in range(len(values))]
    return TimeChart(
        key="uger",
        title="Indlæg pr. uge",
        description="Søjler og en linje.",
        row_header="Uge",
        series=[Series("Indlæg", tuple(values), BARS), Series("Personer", tuple(lines), LINE)],
        periods=starts,
    )


def test_a_chart_is_an_image_named_by_its_title_and_description():
    svg = weekly().svg()

    assert 'role="img" aria-labelledby="uger-title uger-desc"' in svg
    assert '<title id="uger-title">Indlæg pr. uge</title>' in svg
    assert '<desc id="uger-desc">Søjler og en linje.</desc>' in svg
    assert "<text" in svg
    assert "<image" not in svg


@pytest.mark.parametrize(
    ("language", "number", "tick", "row"),
    [
        ("da", "1.200", "23. dec.", "Uge 52: 23. dec. – 29. dec. 2024"),
        ("en", "1,200", "Dec. 23", "Week 52: Dec. 23 – Dec. 29, 2024"),
    ],
)
def test_numbers_and_dates_are_written_as_the_language_writes_them(language, number, tick, row):
    with translation.override(language):
        chart = weekly()
        svg = chart.svg()
        rows = chart.rows

    assert f">{tick}<" in svg
    assert ">2024<" in svg
    assert ">2025<" in svg
    assert rows[0].label == row
    assert rows[0].values == (number, "900")
    assert rows[1].values == ("0", "–")
    assert not NUMBER_IN_COORDINATE.search(svg), "coordinates must use a decimal point"


def test_the_table_has_a_row_for_every_period_and_the_chart_a_bar_for_every_value():
    chart = weekly()

    assert [r.label.split(":")[0] for r in chart.rows] == ["Uge 52", "Uge 1", "Uge 2", "Uge 3"]
    assert len(chart.bars) == 3  # an empty week draws no bar
    (line,) = chart.lines
    # The week without a value breaks the line: 4 points, 1 segment of the 3.
    assert len(line["points"]) == 3
    assert len(line["segments"]) == 1


def test_a_line_and_a_dashed_line_differ_in_shape_as_well_as_colour():
    chart = TimeChart(
        key="ventetid",
        title="Ventetid",
        description="To linjer.",
        series=[Series("Median", (1.0, 2.0), LINE), Series("90 %", (3.0, 4.5), DASHED)],
        periods=[date(2025, 3, 24), date(2025, 3, 31)],
        unit=DAY,
        value_format=one_decimal,
        axis_label="Timer",
    )
    svg = chart.svg()

    solid, dashed = chart.lines
    assert solid["colour"] != dashed["colour"]
    assert svg.count("<circle") == 2 + 1  # the marks, and the legend's
    assert svg.count('stroke-dasharray="7 5"') == 1 + 1  # the segment, and the legend's
    assert ">Timer<" in svg
    # Whole steps on the axis are written whole; the table keeps the decimal.
    assert ">4<" in svg
    assert chart.rows[1].values == ("2,0", "4,5")


def test_a_bar_chart_names_each_bar_and_writes_its_value_at_its_end():
    chart = BarChart(
        key="spoergsmaal",
        title="Indlæg pr. spørgsmål",
        description="En søjle pr. spørgsmål.",
        row_header="Spørgsmål",
        series=[Series("Indlæg", (1500, 3), BARS)],
        extra=[Series("Personer", (700, 3), BARS)],
        names=["Et meget langt spørgsmål om lederens mange forskellige roller i praksis", "Kort"],
        urls=["/debat/a/", "/debat/b/"],
    )

    svg = chart.svg()

    assert ">1.500<" in svg
    assert "Et meget langt spørgsmål om lederens …" in svg
    assert chart.rows[0].values == ("1.500", "700")
    assert chart.rows[0].label.endswith("i praksis")
    assert chart.headers == ["Indlæg", "Personer"]


@pytest.mark.parametrize(
    ("largest", "whole", "ticks"),
    [
        (0, True, [0, 1]),
        (3, True, [0, 1, 2, 3]),
        (45, True, [0, 20, 40, 60]),
        (1234, True, [0, 500, 1000, 1500]),
        (2.9, False, [0, 1, 2, 3]),
        (0.3, False, [0, 0.1, 0.2, 0.3]),
    ],
)
def test_the_axis_has_a_few_round_steps_past_the_largest_value(largest, whole, ticks):
    assert nice_ticks(largest, whole=whole) == pytest.approx(ticks)


def luminance(colour):
    def channel(value):
        value /= 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a, b):
    light, dark = sorted([luminance(a), luminance(b)], reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.mark.parametrize("colour", COLOURS)
@pytest.mark.parametrize("background", ["#ffffff", "#f6f3ee", "#121212"])
def test_every_colour_has_3_to_1_contrast_on_the_site_and_in_the_admin_light_or_dark(
    colour, background
):
    assert contrast(colour, background) >= 3
