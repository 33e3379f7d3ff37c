"""
Danish text quotes in one style, “…”, wherever the site writes it: its pages and mails (the
templates) and the Danish catalogue. It is one of the two main forms Dansk Sprognævn gives
(Retskrivningsregler § 58), the one the site and Django's own Danish admin were written in.
"""

import gettext
import re
from pathlib import Path

from django.conf import settings

OTHER_QUOTES = re.compile(r"[„»«‚›‹]")
TAGS = re.compile(r"<[^>]*>|\{%.*?%\}|\{\{.*?\}\}|\{#.*?#\}", re.DOTALL)
TEMPLATES = Path(settings.BASE_DIR) / "templates"


def quotation_problems(text):
    """What in a text quotes other than “…”: other marks, straight ones, or a mark left open."""
    words = TAGS.sub(" ", text)
    problems = [f"uses {mark}" for mark in sorted(set(OTHER_QUOTES.findall(words)))]
    if '"' in words:
        problems.append('uses "')
    if words.count("“") != words.count("”"):
        problems.append("leaves a “ unclosed")
    return problems


def danish_messages():
    path = Path(settings.BASE_DIR) / "locale" / "da" / "LC_MESSAGES" / "django.mo"
    with path.open("rb") as catalogue:
        messages = gettext.GNUTranslations(catalogue)._catalog
    return [text for key, text in messages.items() if key]


def test_the_danish_catalogue_quotes_with_one_style():
    wrong = {text: found for text in danish_messages() if (found := quotation_problems(text))}
    assert wrong == {}


def test_pages_and_mails_quote_with_one_style():
    wrong = {}
    for path in sorted([*TEMPLATES.rglob("*.html"), *TEMPLATES.rglob("*.txt")]):
        if found := quotation_problems(path.read_text(encoding="utf-8")):
            wrong[str(path.relative_to(TEMPLATES))] = found
    assert wrong == {}


def test_the_check_finds_the_other_styles():
    assert quotation_problems("Han skrev »nej« og „ja“.") == [
        "uses «",
        "uses »",
        "uses „",
        "leaves a “ unclosed",
    ]
    assert quotation_problems('Han skrev "ja".') == ['uses "']
    assert quotation_problems('<a href="/">Han</a> skrev “ja” {% url "x" %}') == []
