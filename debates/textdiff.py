"""
Two versions of a text, line by line: the lines that stayed, went and came, and within a line
that was changed, the words that went and came. Work is bounded for any input: past a size the
texts are only said to differ, and long runs of unchanged lines are shortened to their edges.
"""

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Literal

# Lines of unchanged text shown around each change; a longer run between changes is shortened.
CONTEXT_LINES = 2
# Past these, a text is shown whole on each side rather than compared.
MAX_LINES = 2_000
MAX_CHARS = 200_000
# Past this many words in a pair of changed lines, the lines are marked whole.
MAX_WORDS = 3_000
# Lines that went and came are paired as one line edited when this alike (difflib's ratio), as
# long as there are no more than this many pairs to weigh.
SIMILAR = 0.6
MAX_PAIRINGS = 400

_WORDS = re.compile(r"(\s+)")


@dataclass(frozen=True)
class Segment:
    text: str
    is_changed: bool


@dataclass(frozen=True)
class Line:
    kind: Literal["same", "removed", "added", "skipped"]
    segments: tuple[Segment, ...] = ()
    # For a "skipped" line: how many unchanged lines it stands for.
    count: int = 0


def line_diff(old: str, new: str) -> list[Line] | None:
    """The lines of `new` against `old`, or None if either is too large to compare."""
    if max(len(old), len(new)) > MAX_CHARS:
        return None
    old_lines, new_lines = old.splitlines(), new.splitlines()
    if max(len(old_lines), len(new_lines)) > MAX_LINES:
        return None
    lines = []
    opcodes = SequenceMatcher(None, old_lines, new_lines, autojunk=False).get_opcodes()
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            lines += _unchanged(old_lines[i1:i2], first=index == 0, last=index == len(opcodes) - 1)
            continue
        lines += _replaced(old_lines[i1:i2], new_lines[j1:j2])
    return lines


def _replaced(removed, added):
    """Lines that went and came: each that was edited rather than replaced, word by word."""
    pairs = _edited_pairs(removed, added)
    lines, old_at, new_at = [], 0, 0
    for old_index, new_index in [*pairs, (len(removed), len(added))]:
        lines += [_whole("removed", text) for text in removed[old_at:old_index]]
        lines += [_whole("added", text) for text in added[new_at:new_index]]
        if old_index < len(removed):
            old_words, new_words = _word_diff(removed[old_index], added[new_index])
            lines += [Line("removed", old_words), Line("added", new_words)]
        old_at, new_at = old_index + 1, new_index + 1
    return lines


def _edited_pairs(removed, added):
    """(old, new) line indexes, in order, of lines similar enough to be one line edited."""
    if len(removed) * len(added) > MAX_PAIRINGS:
        return []
    pairs, start = [], 0
    for old_index, old in enumerate(removed):
        best, best_ratio = None, SIMILAR
        for new_index in range(start, len(added)):
            ratio = SequenceMatcher(None, old, added[new_index], autojunk=False).quick_ratio()
            if ratio >= best_ratio:
                best, best_ratio = new_index, ratio
        if best is not None:
            pairs.append((old_index, best))
            start = best + 1
    return pairs


def _whole(kind, text):
    return Line(kind, (Segment(text, False),))


def _unchanged(texts, *, first, last):
    def same(part):
        return [Line("same", (Segment(text, False),)) for text in part]

    head = 0 if first else CONTEXT_LINES
    tail = 0 if last else CONTEXT_LINES
    if len(texts) <= head + tail + 1:
        return same(texts)
    kept_tail = texts[len(texts) - tail :] if tail else []
    skipped = Line("skipped", count=len(texts) - head - tail)
    return [*same(texts[:head]), skipped, *same(kept_tail)]


def _word_diff(old: str, new: str):
    old_words, new_words = _WORDS.split(old), _WORDS.split(new)
    if len(old_words) + len(new_words) > MAX_WORDS:
        return (Segment(old, True),), (Segment(new, True),)
    before, after = [], []
    matcher = SequenceMatcher(None, old_words, new_words, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if i1 < i2:
            before.append(Segment("".join(old_words[i1:i2]), tag != "equal"))
        if j1 < j2:
            after.append(Segment("".join(new_words[j1:j2]), tag != "equal"))
    return tuple(before), tuple(after)
