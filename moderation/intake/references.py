"""Which open question a mail answers, named the ways the site tells contributors to name it."""

import re
import unicodedata
from dataclasses import dataclass

# Which question a message answers ----------------------------------------------------------------


@dataclass(frozen=True)
class QuestionReference:
    number: int | None  # 1..99 when the mail names a question by number/tag
    slug: str | None  # when the mail names a question page address


QUESTION_TAG = re.compile(r"\[\s*mia[\s-]*0*([1-9]\d?)\s*\]", re.IGNORECASE)
# Also the spellings people use without Danish letters, and "no.", "nummer", "#" for "nr.".
_QUESTION_WORDS = re.compile(
    r"\b(?:spørgsmål|spoergsmaal|sporgsmal|question)\s*(?:nr\.?|nummer|no\.?|number|#)?\s*"
    r"0*([1-9]\d?)(?!\w)",
    re.IGNORECASE,
)
# The question page is /debat/<slug>/ (or /en/debat/<slug>/) on whatever host serves the site.
_QUESTION_ADDRESS = re.compile(
    r"""
    (?:
        (?i:https?://[^\s/?#<>"'()\[\]]+)             # any host, with its scheme
      | (?i:\b[a-z0-9-]+(?:\.[a-z0-9-]+)+(?::\d+)?)   # a host written without the scheme
      | (?<![\w/.-])                                  # or just the path
    )
    (?:/en)?/debat/
    ([a-z0-9]+(?:-[a-z0-9]+)*)
    (?![\w-])
    """,
    re.VERBOSE,
)


def find_question_reference(subject: str, text: str) -> QuestionReference:
    """
    Which question a contributor named, as the site tells them to name it.

    In order of precedence: a tag in the subject ("[MIA-3]", "[mia 3]"), the words "spørgsmål 3",
    "spørgsmål nr. 3" or "question 3" in the subject, a question page's address in the subject,
    and a question page's address in the body. Within each, the first match counts. The caller
    looks the number or slug up; this function does not know which questions exist.
    """
    subject = unicodedata.normalize("NFC", subject)
    for pattern in (QUESTION_TAG, _QUESTION_WORDS):
        match = pattern.search(subject)
        if match:
            return QuestionReference(number=int(match.group(1)), slug=None)
    for haystack in (subject, unicodedata.normalize("NFC", text)):
        match = _QUESTION_ADDRESS.search(haystack)
        if match:
            return QuestionReference(number=None, slug=match.group(1))
    return QuestionReference(number=None, slug=None)
