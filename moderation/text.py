"""
Names, titles and subjects people send, made fit for the one line they are shown on: a byline, a
page heading, a mail's header. The web form, the mail intake and the mails the forum writes all
pass them through here.
"""

import unicodedata

# Controls (Cc) and formatting characters (Cf): the bidi embeddings, overrides and isolates
# (U+202A-202E, U+2066-2069), marks (U+200E, U+200F, U+061C), zero-width spaces and joiners
# (U+200B-200D, U+2060, U+FEFF) and the soft hyphen.
_INVISIBLE_CATEGORIES = {"Cc", "Cf"}


def one_line(value: str) -> str:
    """
    A name, title or subject as one line of single spaces, NFC-normalised and without control or
    invisible formatting characters: it goes into mail headers, bylines and page headings, where
    a right-to-left override or a zero-width space would make it read as something it is not.
    """
    value = unicodedata.normalize("NFC", value)
    value = "".join(
        c for c in value if c.isspace() or unicodedata.category(c) not in _INVISIBLE_CATEGORIES
    )
    return " ".join(value.split())
