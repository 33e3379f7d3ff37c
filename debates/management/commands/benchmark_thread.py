"""
How a question's page scales with the number of replies: queries, time and memory per page.

The replies are made inside a transaction that is rolled back at the end, so the benchmark can
run against any database without leaving anything behind. Compare the figures within one run:
they are ratios on a shared machine, not promises.
"""

import statistics
import time
import tracemalloc
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from debates.markup import render_markdown
from debates.models import Contribution, Question

BODY = (
    "Rollerne kan **forenes**, hvis lederen skifter bevidst mellem dem.\n\n"
    "- igangsætter\n- facilitator\n- katalysator\n\nSe https://ruc.dk for mere."
)


class Rollback(Exception):
    """Raised to undo the benchmark's replies."""


class Command(BaseCommand):
    help = (
        "Measure a question page with growing numbers of published replies: database queries, "
        "median render time and peak memory, with a table on stdout and optionally a PNG chart. "
        "Nothing is left in the database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--sizes", default="0,10,100,500,1000,2000")
        parser.add_argument("--repeat", type=int, default=5, help="Renders per size (median).")
        parser.add_argument("--question", default="lederens-roller")
        parser.add_argument("--plot", type=Path, help="Write a PNG chart here (needs matplotlib).")

    def handle(self, *args, sizes, repeat, question, plot, **options):
        sizes = sorted({int(s) for s in sizes.split(",")})
        question = Question.objects.filter(slug=question).first()
        if question is None:
            raise CommandError("No such question; run `manage.py seed_content` first.")
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        # What a page costs to build, as right after a change: not the whole page from the cache.
        settings.MIA_PAGE_CACHE_SECONDS = 0
        rows = []
        try:
            with transaction.atomic():
                made = 0
                for size in sizes:
                    self._add_replies(question, size - made)
                    made = size
                    rows.append((size, *self._measure(question, repeat)))
                    self.stdout.write(self._line(rows[-1]))
                raise Rollback
        except Rollback:
            pass
        self._summarise(rows)
        if plot:
            self._plot(rows, plot)

    def _add_replies(self, question, count):
        """Threads of five: a reply to the question with four nested under it, as debates grow."""
        now = timezone.now()
        html = render_markdown(BODY)
        parent = None
        for n in range(count):
            if n % 5 == 0:
                parent = None
            parent = Contribution.objects.create(
                question=question,
                parent=parent,
                depth=parent.depth + 1 if parent else 1,
                status=Contribution.Status.PUBLISHED,
                author_name=f"Bidragyder {n}",
                author_email=f"b{n}@example.dk",
                author_organisation="Roskilde Kommune",
                title=f"Indlæg {n}" if n % 2 else "",
                body=BODY,
                body_html=html,
                original_body=BODY,
                published_at=now,
            )
            if n and n % 500 == 0:
                self.stderr.write(f"  … {n} of {count} replies made")

    def _measure(self, question, repeat):
        client = Client()
        url = question.get_absolute_url()
        client.get(url)  # warm the template and URL caches
        queries = []
        with connection.execute_wrapper(
            lambda execute, sql, *args: queries.append(sql) or execute(sql, *args)
        ):
            response = client.get(url)
        assert response.status_code == 200
        timings = []
        for _ in range(repeat):
            start = time.perf_counter()
            client.get(url)
            timings.append(time.perf_counter() - start)
        tracemalloc.start()
        client.get(url)
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return (
            len(queries),
            statistics.median(timings) * 1000,
            peak / 1024 / 1024,
            len(response.content) / 1024,
        )

    def _line(self, row):
        size, queries, ms, mb, kb = row
        return (
            f"{size:>6} replies  {queries:>3} queries  {ms:>8.1f} ms  "
            f"{mb:>7.1f} MB peak  {kb:>8.0f} KB page"
        )

    def _summarise(self, rows):
        first, last = rows[0], rows[-1]
        self.stdout.write("")
        self.stdout.write(
            f"Database: {connection.vendor}. Queries per page: "
            f"{sorted({r[1] for r in rows})} (constant if one value)."
        )
        if last[0] and first[0] != last[0]:
            per_reply = (last[2] - first[2]) / (last[0] - first[0])
            self.stdout.write(
                f"Render time grows by about {per_reply:.3f} ms per reply "
                f"({last[2] / max(first[2], 0.001):.1f}× from {first[0]} to {last[0]} replies)."
            )

    def _plot(self, rows, path):
        try:
            import matplotlib

            matplotlib.use("Agg")
            import matplotlib.pyplot as plt
        except ImportError as error:
            raise CommandError("The chart needs matplotlib: pip install matplotlib") from error
        sizes = [r[0] for r in rows]
        fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
        left.plot(sizes, [r[2] for r in rows], marker="o", label="median render time (ms)")
        left.plot(sizes, [r[3] for r in rows], marker="s", label="peak memory (MB)")
        left.set_xlabel("published replies on the page")
        left.legend()
        left.grid(alpha=0.3)
        right.plot(sizes, [r[1] for r in rows], marker="o", color="tab:green")
        right.set_xlabel("published replies on the page")
        right.set_ylabel("database queries")
        right.set_ylim(bottom=0)
        right.grid(alpha=0.3)
        fig.suptitle(f"A question page as its thread grows ({connection.vendor})")
        fig.tight_layout()
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=110)
        self.stdout.write(f"Chart written to {path}")
