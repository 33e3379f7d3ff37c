"""
What a reader downloads for a question page, gzip-compressed: the HTML, with and without the
contributions' own words, and each stylesheet and script the page links (from the static files
finders), for a few numbers of short contributions.

    python bench/page_weight.py [--sizes 0,10,50] [--question lederens-roller]

It needs the seeded content (`manage.py seed_content`). The contributions are made inside a
transaction that is rolled back, so nothing is left in the database. The test in
tests/debates/test_page_weight.py holds the 50-contribution page to BUDGET_BYTES, measured the
same way.
"""

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mia_forum.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import transaction  # noqa: E402
from django.test import Client  # noqa: E402

from debates.models import Question  # noqa: E402
from tests.debates.test_page_weight import (  # noqa: E402
    BUDGET_BYTES,
    add_short_contributions,
    page_weight,
)


class Rollback(Exception):
    """Raised to undo the benchmark's contributions."""


def kb(size):
    return f"{size / 1024:7.1f} KB"


def measure(question, count):
    texts = add_short_contributions(question, count) if count else []
    html = Client().get(question.get_absolute_url()).content.decode()
    with_text = page_weight(html)
    without_text = page_weight(html, without=tuple(texts))
    return with_text, without_text


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="0,10,50")
    parser.add_argument("--question", default="lederens-roller")
    options = parser.parse_args()
    question = Question.objects.filter(slug=options.question).first()
    if question is None:
        sys.exit("No such question; run `manage.py seed_content` first.")
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.MIA_PAGE_CACHE_SECONDS = 0
    # Every contribution on the one page measured.
    settings.MIA_CONTRIBUTIONS_PER_PAGE = max(int(n) for n in options.sizes.split(","))

    rows = []
    for count in sorted({int(n) for n in options.sizes.split(",")}):
        try:
            with transaction.atomic():
                rows.append((count, *measure(question, count)))
                raise Rollback
        except Rollback:
            pass

    print(f"{'contributions':<14}{'HTML':>11}{'HTML − text':>14}{'static':>11}{'total':>11}")
    for count, with_text, without_text in rows:
        static = sum(size for name, size in without_text.items() if name != "HTML")
        print(
            f"{count:<14}{kb(with_text['HTML']):>11}{kb(without_text['HTML']):>14}"
            f"{kb(static):>11}{kb(static + without_text['HTML']):>11}"
        )
    print("\nStatic files (gzip), linked by the page:")
    for name, size in rows[-1][2].items():
        if name != "HTML":
            print(f"  {kb(size)}  {name}")
    count, _with_text, without_text = rows[-1]
    total = sum(without_text.values())
    print(
        f"\nBudget: {kb(BUDGET_BYTES).strip()} for the page with {count} contributions, "
        f"their words cut: {kb(total).strip()} ({'within' if total < BUDGET_BYTES else 'OVER'})."
    )
    if len(rows) > 1 and rows[-1][0] != rows[0][0]:
        first, last = rows[0], rows[-1]
        per = (last[2]["HTML"] - first[2]["HTML"]) / (last[0] - first[0])
        print(f"Each contribution's markup adds about {per:.0f} bytes of gzipped HTML.")


if __name__ == "__main__":
    main()
