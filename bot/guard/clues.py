"""Shared helpers of the detectors: one spelling of the text, and the words around a match.

People paste text from Word, PDFs and phones: spaces that do not break, dashes of every
width, curly apostrophes. `normalise` maps each of them to its plain ASCII twin, one
character for one, so positions found in the normalised text are positions in the original.
"""

from __future__ import annotations

import re

_SAME_AS = {
    " ": "\u00a0\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000\t\u200b\u200c\u200d\u2060\ufeff",
    "-": "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d",
    "'": "\u2018\u2019\u201b\u02bc\u00b4`",
    "@": "\uff20",
}
_TABLE = str.maketrans({c: plain for plain, chars in _SAME_AS.items() for c in chars})

_MONEY_BEFORE = re.compile(r"(?:€|eur|euro|\$|£)\s*$", re.IGNORECASE)
_MONEY_AFTER = re.compile(r"^\s*(?:€|eur\b|euro)", re.IGNORECASE)


def normalise(text: str) -> str:
    """`text` with Unicode spaces, dashes and apostrophes made ASCII; same length, same positions."""
    return text.translate(_TABLE)


def before(text: str, start: int, width: int = 40) -> str:
    """Up to `width` characters before position `start`."""
    return text[max(0, start - width):start]


def is_money(text: str, start: int, end: int) -> bool:
    """A currency sign or word right before or after `text[start:end]`."""
    return bool(_MONEY_BEFORE.search(before(text, start, 6)) or _MONEY_AFTER.match(text[end:]))
