"""E-mail addresses and Dutch postcodes (with or without a house number or street).

- `email`: any address; a colleague's work address is indistinguishable from a parent's.
  Also written to dodge spam filters: `naam(at)provider(dot)nl`, `naam [at] provider
  [punt] nl`, `naam(a)provider.nl`, `naam @ provider.nl`, `naam at provider dot nl`. A
  mention (`@jan.de.vries`) is not an address.
- `postcode_house_number`: a postcode with a house number after it (`1234 AB 12`,
  `1234AB12`, `1234AB, 12a`, `1234 ab, huisnummer 4`) or a street and number before it (`Dorpsstraat 12, 1234 AB`),
  and a bare postcode too: a 6-position postcode covers about twenty addresses, which with
  a story is enough. A street with a house number and no postcode (`Vondellaan 42`) is an
  address as well; the street is recognised by its ending (-straat, -laan, -weg, ...). Letters in lower case count when written together (`1234ab`) or
  with a house number, street or a cue ("postcode", "adres", "woont op"); apart and alone (`2024 en`) they are
  too often a year and a word. Units that look like postcodes (`2048 MB`, `1500 km`) are not
  flagged, nor letter pairs PostNL does not use (SA, SD, SS).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.guard.clues import before
from bot.guard.kinds import EMAIL, POSTCODE, Finding

_AT = r"(?:@|\s@\s|\s?[(\[{<]\s?(?:at|a|@|apen?staartje)\s?[)\]}>]\s?|\s+apen?staartje\s+)"
_DOT = r"(?:\.|\s?[(\[{<]\s?(?:dot|punt|\.)\s?[)\]}>]\s?|\s+(?:dot|punt)\s+)"
_EMAIL = re.compile(rf"(?<![\w.+-])[\w.+-]*\w{_AT}[\w-]+(?:{_DOT}[\w-]+)*?{_DOT}[a-z]{{2,}}\b", re.IGNORECASE)
# Spelled out in words, both "at" and "dot": "naam at provider dot nl". A bare " at " is too
# common in English ("at bol.com") to count on its own.
_SPELLED = re.compile(r"(?<![\w.+-])[\w.+-]*\w\s+at\s+[\w-]+(?:\s+(?:dot|punt)\s+[\w-]+)*?\s+(?:dot|punt)\s+[a-z]{2,}\b",
                      re.IGNORECASE)

_POSTCODE = r"[1-9]\d{3}(?P<gap>\s?)(?P<letters>[A-Za-z]{2})"
# A house number with its addition: 12a, 12 A, 12-3, 7-II, 14-hs, 4 bis.
_HOUSE_NUMBER = (r"\d{1,5}(?:\s?(?:bis|hs)\b|\s?[a-zA-Z]\b)?"
                 r"(?:-(?:\d{1,4}|[IVX]{1,4}\b|hs\b|bis\b|[a-zA-Z]\b)|\s(?:hs|bis|I{1,3})\b)?")
_STREET = (r"(?:[A-Z][\w'-]*(?:straat|laan|weg|plein|singel|gracht|kade|dijk|hof|park|pad|steeg"
           r"|dreef|baan|markt|ring|veld|erf|wal|street|road|avenue|lane)\s+)")
_ADDRESS = re.compile(
    rf"(?<![\w.,-])(?P<before>{_STREET}?{_HOUSE_NUMBER},?\s+)?(?P<postcode>{_POSTCODE})(?![a-zA-Z-])"
    rf"(?P<after>(?:,?\s+(?:(?:nr|no|huisnr|huisnummer)\.?:?\s*)?)?{_HOUSE_NUMBER}(?![\w:%-]|[.,]\d))?"
)
# A street and house number without a postcode ("Vondellaan 42 in Zwolle") is a home address
# too. A 4-digit number that reads as a year ("Arbeidsmarkt 2025") is not a house number, nor
# is a count or a distance ("over het Malieveld 3 keer", "Ringweg 3 km file").
_COUNTED = (r"\s*(?:x|keer|maal|km|m|meter|kilometer|jaar|maanden|weken|dagen|uur|minuten|mensen|kinderen"
            r"|personen|deelnemers|stuks|euro|procent)\b")
_STREET_ADDRESS = re.compile(rf"(?<![\w-]){_STREET}(?P<number>{_HOUSE_NUMBER})(?![\w:%-]|[.,]\d|{_COUNTED})")
_YEAR = re.compile(r"(?:19|20)\d\d\b")
_POSTCODE_CUE = re.compile(r"\b(?:postcode|adres|address|woont\s+(?:nu\s+|sinds\s+\w+\s+)?(?:op|in))[\s:]*$",
                           re.IGNORECASE)
_NEVER_POSTCODE = frozenset({"SA", "SD", "SS"})
_UNITS = frozenset("KB MB GB TB PB KM CM MM KG MG ML CL DL NM KW MW HZ PC AD BC AM PM EK WK TV".split())
_WORDS = frozenset("en de in op of te om is na al ik we ze je er zo nu ja uw to at on an as be by do go he if it "
                   "me my no or so up us".split())


def emails(text: str) -> Iterator[Finding]:
    """E-mail addresses in `text` (normalised), also when written with (at) and (dot)."""
    for pattern in (_EMAIL, _SPELLED):
        for m in pattern.finditer(text):
            yield Finding(EMAIL, m.start(), m.end())


def postcodes(text: str) -> Iterator[Finding]:
    """Dutch postcodes in `text` (normalised), with the house number or street when given."""
    position = 0
    while m := _ADDRESS.search(text, position):
        if _is_postcode(text, m):
            yield Finding(POSTCODE, m.start(), m.end())
            position = m.end()
        else:  # "2019 op 1234 AB 56": what looked like a postcode may hide the real one
            position = m.start() + 1
    for m in _STREET_ADDRESS.finditer(text):
        if not _YEAR.match(m.group("number")):
            yield Finding(POSTCODE, m.start(), m.end())


def _is_postcode(text: str, m: re.Match[str]) -> bool:
    letters = m.group("letters")
    bare = not (m.group("before") or m.group("after"))
    if letters.upper() in _NEVER_POSTCODE or (bare and letters.upper() in _UNITS):
        return False
    if letters.isupper() or not m.group("gap"):
        return True
    in_context = not bare or _POSTCODE_CUE.search(before(text, m.start(), 12))
    return bool(in_context) and letters.lower() not in _WORDS and letters.upper() not in _UNITS
