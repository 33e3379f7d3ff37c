"""
No text a contributor can send holds a server process: every shape known to exhaust a Markdown
renderer renders, at the length limit, in about the time a normal text of that length takes.
"""

import time

import pytest

from debates.markup import render_markdown

NORMAL = (
    "Innovation i den offentlige sektor kræver *tillid* og **tid**. Se [rapporten]"
    "(https://ruc.dk/mia) og https://example.dk for mere.\n\n"
    "- ledelse\n- medarbejdere\n\n> Et citat fra workshoppen.\n\n"
)

# Measured on a shared machine, so the budget is a ratio to the normal text in the same run.
TIMES_NORMAL = 20

PATHOLOGICAL = {
    "open brackets": "[",
    "link openers": "[a](",
    "image openers": "![",
    "reference openers": "[a][",
    "empty link openers": "[](",
    "link with <": "[a](<",
    "bracket and emphasis": "[*",
    "bracket lines": "[\n",
    "emphasis *": "*",
    "emphasis _": "_",
    "emphasis pairs": "*a*",
    "strong openers": "**a",
    "nested quotes": ">",
    "nested quotes, spaced": "> ",
    "quote lines": "> \n",
    "nested lists": "  - ",
    "nested numbered lists": "1. ",
    "list lines": "- \n  ",
    "backticks": "`",
    "code spans": "``a",
    "reference definitions": "[a]: x\n",
    "html-ish <": "<",
    "html comments": "<!--",
    "entities &": "&",
    "numeric entities": "&#",
    "setext underlines": "=\n",
    "rules": "***\n",
    "hard breaks": "a  \n",
    "backslashes": "\\",
    "one long line": "abcdefghij",
    "short lines": "a\n",
    "mixed": "[*_`<&>\n- [a](",
}


def repeated(shape, length):
    return (shape * (length // len(shape) + 1))[:length]


def seconds(text):
    start = time.perf_counter()
    render_markdown(text)
    return time.perf_counter() - start


@pytest.fixture(scope="module")
def normal_seconds():
    from django.conf import settings

    text = repeated(NORMAL, settings.MIA_MAX_TEXT_CHARS)
    render_markdown(text)
    return min(seconds(text) for _ in range(3))


@pytest.mark.parametrize("shape", PATHOLOGICAL.values(), ids=PATHOLOGICAL.keys())
def test_a_text_shaped_to_exhaust_the_renderer_renders_in_about_normal_time(
    shape, normal_seconds, settings
):
    took = seconds(repeated(shape, settings.MIA_MAX_TEXT_CHARS))

    assert took <= TIMES_NORMAL * normal_seconds, (
        f"{took:.2f} s, {took / normal_seconds:.0f}× a normal text's {normal_seconds:.3f} s"
    )


def test_a_text_that_runs_out_of_time_is_shown_as_typed():
    html = render_markdown("[" * 19990 + " *slut* <b>")

    assert html == "<p>" + "[" * 19990 + " *slut* &lt;b&gt;</p>"


def test_a_normal_text_at_the_limit_is_still_rendered_as_markdown(settings):
    html = render_markdown(repeated(NORMAL, settings.MIA_MAX_TEXT_CHARS))

    assert html.count("<em>tillid</em>") == html.count("tillid")
    assert html.count('<a href="https://ruc.dk/mia"') == html.count("rapporten")


def test_a_mail_longer_than_the_limit_keeps_all_its_text_the_rest_as_typed(settings):
    settings.MIA_MAX_TEXT_CHARS = 150
    first = "Første afsnit med *vægt*.\n\n"
    text = first * 5 + "Sidste afsnit med *stjerner* & <b>tags</b>."

    html = render_markdown(text)

    assert html.count("<p>Første afsnit med <em>vægt</em>.</p>") == 5
    assert html.endswith("<p>Sidste afsnit med *stjerner* &amp; &lt;b&gt;tags&lt;/b&gt;.</p>")


def test_a_mail_many_times_the_limit_renders_in_bounded_time(normal_seconds, settings):
    took = seconds(repeated("[a](", 10 * settings.MIA_MAX_TEXT_CHARS))

    assert took <= TIMES_NORMAL * normal_seconds
