"""
Soft hyphens in long Danish words. Browsers hyphenate Danish only where they hold a Danish
dictionary (Chromium on Linux and Windows holds none until it has downloaded one), and a long
compound such as "Innovationsakademi" is otherwise broken anywhere, without a hyphen, on a phone.
"""

import re
from functools import lru_cache

import pyphen
from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

register = template.Library()

SOFT_HYPHEN = "\u00ad"
# Shorter words fit on a phone's line at every heading size the site uses.
_LONG_WORD = re.compile(r"[^\W\d_]{10,}")
_danish = pyphen.Pyphen(lang="da_DK", left=3, right=3)


@lru_cache(maxsize=4096)
def _hyphenated(word: str) -> str:
    return _danish.inserted(word, hyphen=SOFT_HYPHEN)


@register.filter(is_safe=True)
def hyphenate(text) -> str:
    """The text, escaped, with a soft hyphen wherever Danish lets a long word break."""
    escaped = conditional_escape(text)
    return mark_safe(_LONG_WORD.sub(lambda word: _hyphenated(word.group()), escaped))
