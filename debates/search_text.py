"""
What search reads of a text: the words a reader sees, folded the same way on every database.

Search indexes what is shown, never what was typed: for Markdown (contributions, syntheses, and any
other text stored as sanitised HTML) that is the rendered HTML's text, so a link's address and
title, comments and stripped markup are neither found nor quoted in a snippet. `html_text` derives
it; on PostgreSQL the function `debates_visible_text` does exactly the same, and `fold` mirrors
`debates_fold` (both made by the migration `search_visible_text_and_trigrams`). Tests hold each
pair to the same results, so the two databases find the same things.

Folding lowercases and drops accents (“Münter” is found as “munter”), but keeps the Danish
letters æ, ø and å, which are letters of their own: “sø” (lake) never finds “so”.
"""

import re
import unicodedata
from functools import lru_cache
from html.entities import html5

import snowballstemmer

# PostgreSQL's danish.stop (Snowball's list), so that both databases ignore the same words.
DANISH_STOP_WORDS = """
    og i jeg det at en den til er som på de med han af for ikke der var mig sig men et har om vi
    min havde ham hun nu over da fra du ud sin dem os op man hans hvor eller hvad skal selv her
    alle vil blev kunne ind når være dog noget ville jo deres efter ned skulle denne end dette mit
    også under have dig anden hende mine alt meget sit sine vor mod disse hvis din nogle hos blive
    mange ad bliver hendes været thi jer sådan
"""
STOP_WORDS = frozenset(DANISH_STOP_WORDS.split())

# Letters and digits; everything else separates words, as PostgreSQL's parser mostly does.
WORD = re.compile(r"[^\W_]+")

# Invisible characters that may sit inside a word (a soft hyphen, zero-width joiners): removed.
INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
# Latin letters whose accents fold away (all of Latin-1, Extended-A and -B, Extended Additional).
FOLDED_RANGES = [(0x00C0, 0x0250), (0x1E00, 0x1F00)]
# Letters with a stroke, which Unicode does not decompose, read as their base letter.
STROKED = {"ł": "l", "Ł": "l", "đ": "d", "Đ": "d", "ı": "i"}


def _folded_letter(ch):
    """The letter `ch` folds to, or None when it stays as it is."""
    marks = unicodedata.normalize("NFD", ch)
    base, marks = marks[0], marks[1:]
    if ch in STROKED:
        return STROKED[ch]
    if marks and all(unicodedata.category(mark) == "Mn" for mark in marks):
        # Å is A with a ring in Unicode, but a letter of its own in Danish.
        return "å" if base in "aA" and "\u030a" in marks else base.lower()
    lower = ch.lower()
    return lower if lower != ch and len(lower) == 1 else None


def fold_table():
    """(from, to) as `translate()` takes them: each letter and its folded form, then what goes."""
    pairs = [
        (ch, to)
        for start, stop in FOLDED_RANGES
        for ch in map(chr, range(start, stop))
        if ch.isalpha() and (to := _folded_letter(ch)) and len(to) == 1 and to != ch
    ]
    return "".join(ch for ch, _ in pairs) + INVISIBLE, "".join(to for _, to in pairs)


_FROM, _TO = fold_table()
_FOLD = str.maketrans(_FROM[: len(_TO)], _TO, INVISIBLE)
# translate() is slow beside a search, and most Danish text has none of the table's characters.
_FOLDED = re.compile(f"[{re.escape(_FROM)}]")


def fold(text: str) -> str:
    """Composed, lowercased, accents off but æ, ø and å kept, invisible characters gone."""
    text = unicodedata.normalize("NFC", text)
    # The table holds the uppercase letters too, whose lower() depends on PostgreSQL's locale;
    # it goes first because Python lowers “İ” to two characters, PostgreSQL to one.
    if _FOLDED.search(text):
        text = text.translate(_FOLD)
    return text.lower()


# The visible text of sanitised HTML -------------------------------------------------------------

# Any attribute value may hold ">" only inside quotes.
_ATTRIBUTES = r"""(?:[^>"']|"[^"]*"|'[^']*')*"""
COMMENT = r"<!--.*?(?:-->|\Z)"
# Tags that separate the words on either side; every other tag (a, em, code, …) joins them.
BLOCK_TAG = (
    r"</?(?:p|br|hr|li|ul|ol|dl|dt|dd|blockquote|pre|div|h[1-6]|table|thead|tbody|tr|td|th"
    rf"|section|article|header|footer|figure|figcaption)(?:[\s/]{_ATTRIBUTES})?>"
)
TAG = rf"<[A-Za-z/!?]{_ATTRIBUTES}>"
ENTITY = r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{0,31});"
# HTML5's named character references, by name without the semicolon.
ENTITIES = {name[:-1]: text for name, text in html5.items() if name.endswith(";")}

_COMMENT = re.compile(COMMENT, re.S)
_BLOCK_TAG = re.compile(BLOCK_TAG, re.I)
_TAG = re.compile(TAG)
_ENTITY = re.compile(ENTITY)


def _character(number):
    invalid = number == 0 or number > 0x10FFFF or 0xD800 <= number <= 0xDFFF
    return "\ufffd" if invalid else chr(number)


def _decoded(match):
    name = match[1]
    if name[:2] in {"#x", "#X"}:
        return _character(int(name[2:], 16))
    if name[0] == "#":
        return _character(int(name[1:]))
    return ENTITIES.get(name, match[0])


def html_text(html: str) -> str:
    """The text of sanitised HTML as a reader sees it: no tags, attributes or comments."""
    text = _COMMENT.sub(" ", html)
    text = _BLOCK_TAG.sub(" ", text)
    text = _TAG.sub("", text)
    return _ENTITY.sub(_decoded, text)


@lru_cache(maxsize=50_000)
def fold_word(word: str) -> str:
    return fold(word)


# Texts up to this long are remembered once read, so that scanning the same rows again is cheap.
CACHED_HTML_CHARS = 4096


def indexed_html(html: str) -> str:
    """What search looks in for a text stored as HTML; a trigger stores the same on PostgreSQL."""
    return _indexed_html(html) if len(html) <= CACHED_HTML_CHARS else fold(html_text(html))


@lru_cache(maxsize=4096)
def _indexed_html(html):
    return fold(html_text(html))


def shown_text(html: str) -> str:
    """The visible text of sanitised HTML on one line, to quote from."""
    text = unicodedata.normalize("NFC", html_text(html))
    return " ".join(text.translate(str.maketrans("", "", INVISIBLE)).split())


# Words and stems --------------------------------------------------------------------------------


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    """The Snowball stem of a folded word, as PostgreSQL's `danish` dictionary makes it."""
    return _stemmer().stemWord(word)


@lru_cache(maxsize=1)
def _stemmer():
    return snowballstemmer.stemmer("danish")


def stems(text: str) -> list[str]:
    """The stems of a text's words, stop words left out as PostgreSQL leaves them out."""
    return [stem(word) for word in WORD.findall(fold(text)) if word not in STOP_WORDS]
