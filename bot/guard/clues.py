"""Shared helpers of the detectors: one spelling of the text, and the words around a match.

People paste text from Word, PDFs and phones: spaces that do not break, dashes of every
width, soft hyphens, curly apostrophes, digits of another width or script. `normalise` maps
each of them to its plain ASCII twin, one character for one, so positions found in the
normalised text are positions in the original.
"""

from __future__ import annotations

import re
import unicodedata

_SAME_AS = {
    " ": "\u00a0\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000\t\u200b\u200c\u200d\u2060\ufeff",
    "-": "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d",
    "'": "\u2018\u2019\u201b\u02bc\u00b4`",
    "@": "\uff20",
}
_TABLE = str.maketrans({
    **{c: plain for plain, chars in _SAME_AS.items() for c in chars},
    "\u00ad": "-",  # a soft hyphen: invisible, pasted from a hyphenated document, even inside a number
})
# digits of every width and script (fullwidth ０-９, Arabic-Indic, ...) read as the same number
_DIGIT = re.compile(r"\d")  # every decimal digit, of any script

# Words that put a person (a client, a relative) in a sentence: pronouns, roles, family.
PERSON = re.compile(
    r"\b(?:hij|zij|ze|zijn|haar|hem|he|she|his|her|him|cli[eë]nte?n?|jongeren?|jongens?|meisjes?|kind(?:je|eren)?"
    r"|baby|pupil|leerlingen?|bewoners?|zoon|dochter|(?:pleeg|stief|groot|schoon)?(?:moeder|vader|ouders?)"
    r"|opa|oma|broer(?:tje)?|zus(?:je)?|oom|tante|gezin|familie|mevrouw|meneer|mw|dhr|mother|father|parents?"
    r"|child|son|daughter)\b", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?;](?=\s|$)|\n")

_MONEY_BEFORE = re.compile(r"(?:€|eur|euro|\$|£)\s*$", re.IGNORECASE)
_MONEY_AFTER = re.compile(r"^\s*(?:€|eur\b|euro)", re.IGNORECASE)


def normalise(text: str) -> str:
    """`text` with Unicode spaces, dashes, apostrophes and digits made ASCII; same length, same positions."""
    plain = text.translate(_TABLE)
    if plain.isascii():
        return plain
    return _DIGIT.sub(lambda m: str(unicodedata.digit(m.group())), plain)


def before(text: str, start: int, width: int = 40) -> str:
    """Up to `width` characters before position `start`."""
    return text[max(0, start - width):start]


def sentence(text: str, start: int, end: int, width: int = 120) -> str:
    """The sentence around `text[start:end]`: from the last sentence end before it (". ", "!",
    "?", ";" or a new line) to the first one after it, at most `width` characters each side."""
    head = before(text, start, width)
    stops = list(_SENTENCE_END.finditer(head))
    head = head[stops[-1].end():] if stops else head
    tail = text[end:end + width]
    stop = _SENTENCE_END.search(tail)
    return head + text[start:end] + (tail[:stop.start()] if stop else tail)


def is_money(text: str, start: int, end: int) -> bool:
    """A currency sign or word right before or after `text[start:end]`."""
    return bool(_MONEY_BEFORE.search(before(text, start, 6)) or _MONEY_AFTER.match(text[end:]))
