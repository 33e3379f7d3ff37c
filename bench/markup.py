"""
How long contributors' Markdown takes to render, for normal text and for each shape known to
exhaust a Markdown renderer, at a few lengths up to the form's limit.

    python bench/markup.py [--lengths 2500,10000,20000]

Before bounding the renderer, `"[" * 19990` took over a minute at 20k characters (0.9 s at 2.5k,
16 s at 10k, 68 s at 20k); every figure printed here should stay within a small multiple of
the normal text's.
"""

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mia_forum.settings")

import django

django.setup()

from debates.markup import render_markdown  # noqa: E402

# The same corpus the test holds to its budget.
from tests.debates.test_markup_limits import (  # noqa: E402
    NORMAL,
    PATHOLOGICAL,
    repeated,
    seconds,
)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lengths", default="2500,10000,20000")
    lengths = [int(n) for n in parser.parse_args().lengths.split(",")]
    render_markdown(NORMAL)  # imports and compiled patterns are not what is measured

    print(f"{'shape':<24}" + "".join(f"{n:>16,}" for n in lengths))
    normal = {n: seconds(repeated(NORMAL, n)) for n in lengths}
    print(f"{'normal text':<24}" + "".join(f"{normal[n]:>15.3f}s" for n in lengths))
    worst = 0.0
    for name, shape in PATHOLOGICAL.items():
        row = []
        for n in lengths:
            took = seconds(repeated(shape, n))
            worst = max(worst, took / normal[n])
            row.append(f"{took:>8.3f}s {took / normal[n]:>5.1f}×")
        print(f"{name:<24}" + "".join(row))
    print(f"\nworst: {worst:.1f}× the normal text of the same length")


if __name__ == "__main__":
    main()
