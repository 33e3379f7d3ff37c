"""
What a search costs, for ordinary queries and for the ones shaped to be expensive: one letter,
words whose trigrams are everywhere, eight long words, the longest query the box takes.

    DATABASE_URL=postgres://… .venv/bin/python bench/search.py [--runs 5] [--plans]

It reads the database DATABASE_URL names as it is (seed it first, for instance with
`manage.py seed_demo --replies 1000`) and changes nothing. For each query it prints how many
contributions match; the median time of a whole search (`debates.search.find`: every kind, the
first page, its snippets) and the CPU time this process spent on it, which a busy machine
disturbs less (on SQLite it includes the database's work); and on PostgreSQL the contributions
query's own execution time from EXPLAIN ANALYZE, its planning time, the indexes its plan reads
and how many rows it had to look at. `--plans` prints the plans too.
"""

import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mia_forum.settings")

import django

django.setup()

from django.db import connection  # noqa: E402

from debates import search  # noqa: E402
from debates.models import Contribution  # noqa: E402

QUERIES = [
    # What readers type.
    "økonomistyring",
    "styring",
    "ledelse",
    "munter",
    "innovation medarbejdere",
    # One letter, and a word too short to be looked for inside others.
    "x",
    "e",
    "erne",
    # Words of five letters whose trigrams are in nearly every text.
    "ering",
    "erne ende ingen ernes",
    # Eight long words, and the longest query the box takes.
    "kommunerne innovation medarbejderne ledelse offentlige sektor udvikling samarbejde",
    "a" * search.MAX_QUERY_LENGTH,
    " ".join(["økonomistyringsmodellerne"] * 8),
    "abcdefghijklmnopqrstuvwxyzæøå" * 7,
]


def timed(query, runs):
    """Median wall-clock and CPU milliseconds of a whole search, as the page makes it."""
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        results = search.find(query)
        for group in results.groups:
            for hit in group.page:
                hit.url, hit.marked_title, hit.snippet  # noqa: B018 (what the page shows)
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(wall) * 1000, statistics.median(cpu) * 1000


def explained(query):
    terms = search.parse_terms(query)
    if not terms:
        return None
    rows = search._contributions_in_postgresql(terms)
    return rows.explain(analyze=True, buffers=True)


def summary(plan):
    indexes = sorted(set(re.findall(r"Index Scan on (\w+)", plan)))
    scans = re.findall(r"Seq Scan on debates_contribution", plan)
    scanned = r"(?:Bitmap Heap|Seq) Scan on debates_contribution.*?actual.*?rows=(\d+) loops"
    looked_at = sum(int(n) for n in re.findall(scanned, plan))
    removed = r"Rows Removed by (?:Index Recheck|Filter): (\d+)"
    rechecked = sum(int(n) for n in re.findall(removed, plan))
    executed = float(re.search(r"Execution Time: ([\d.]+)", plan)[1])
    planned = float(re.search(r"Planning Time: ([\d.]+)", plan)[1])
    return {
        "plan": ", ".join(indexes) + (" SEQ SCAN" if scans else ""),
        "rows": looked_at + rechecked,
        "ms": executed,
        "planned": planned,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--plans", action="store_true", help="print each EXPLAIN ANALYZE")
    args = parser.parse_args()

    published = Contribution.objects.published().count()
    on_postgresql = connection.vendor == "postgresql"
    load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
    print(f"{connection.vendor}: {published} published contributions, {args.runs} runs each")
    print(f"load average {load} on {os.cpu_count()} cores\n")
    search.find("opvarmning")  # imports, compiled patterns and the stemmer are not measured

    header = f"{'query':<34}{'terms':>6}{'found':>7}{'search':>10}{'(cpu)':>9}"
    if on_postgresql:
        header += f"{'SQL':>9}{'plan':>7}{'rows read':>11}  indexes"
    print(header)
    for query in QUERIES:
        terms = search.parse_terms(query)
        results = search.find(query, kind="contributions")
        found = sum(group.count for group in results.groups)
        wall, cpu = timed(query, args.runs)
        line = f"{query[:32]:<34}{len(terms):>6}{found:>7}{wall:>8.1f}ms{cpu:>7.1f}ms"
        if on_postgresql and terms:
            plan = explained(query)
            facts = summary(plan)
            line += f"{facts['ms']:>7.1f}ms{facts['planned']:>5.1f}ms{facts['rows']:>11}"
            line += f"  {facts['plan']}"
            if args.plans:
                line += "\n" + plan + "\n"
        print(line)


if __name__ == "__main__":
    main()
