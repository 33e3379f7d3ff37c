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
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mia_forum.settings")

import django

django.setup()

from debates.markup import render_markdown  # noqa: E402

NORMAL = (
    "Innovation i den offentlige sektor kræver *tillid* og **tid**. Se [rapporten]"
    "(https://ruc.dk/mia) og https://example.dk for mere.\n\n"
    "- ledelse\n- medarbejdere\n\n> Et citat fra workshoppen.\n\n"
)

# Each shape repeated to the length measured.
SHAPES = {
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


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lengths", default="2500,10000,20000")
    lengths = [int(n) for n in parser.parse_args().lengths.split(",")]
    render_markdown(NORMAL)  # imports and compiled patterns are not what is measured

    print(f"{'shape':<24}" + "".join(f"{n:>16,}" for n in lengths))
    normal = {n: seconds(repeated(NORMAL, n)) for n in lengths}
    print(f"{'normal text':<24}" + "".join(f"{normal[n]:>15.3f}s" for n in lengths))
    worst = 0.0
    for name, shape in SHAPES.items():
        row = []
        for n in lengths:
            took = seconds(repeated(shape, n))
            worst = max(worst, took / normal[n])
            row.append(f"{took:>8.3f}s {took / normal[n]:>5.1f}×")
        print(f"{name:<24}" + "".join(row))
    print(f"\nworst: {worst:.1f}× the normal text of the same length")


if __name__ == "__main__":
    main()
