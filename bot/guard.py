"""The client-data guard: spot likely client identifiers before a shared text is posted.

Teams in youth care, schools and welfare write about children and families; a mistake or
a dilemma can carry a client's identity into a chat that is stored on someone else's
servers. Before the bot posts a shared text it asks the author, privately, to take such
details out or post anyway. This module only *finds*; it never decides or blocks.

Choices (each covered by tests in `tests/test_guard.py`):

- `bsn`: 9 digits (`123456782`, `123.456.782`, `123 456 782`, `1234.56.782`) that pass
  the eleven-test and are not all zeros. An 8-digit number is a BSN whose leading zero was
  dropped (spreadsheets do this) only right after a cue such as "BSN" or
  "burgerservicenummer": on its own an 8-digit number is too often something else
  (a KvK number, 20150312). A number after a currency sign or before "euro" is money.
- `birth_date` / `date`: any full, plausible day-month-year date (1900-2100), numeric
  (`12-03-2015`, `12/3/2015`, `12.03.2015`, `2015-03-12`) or with a Dutch or English month
  name (`12 maart 2015`, `March 3rd, 2015`). In a case description any full date is a
  likely date of birth or a date that identifies the case, so all are flagged; the kind is
  `birth_date` after a cue ("geboren", "geb.", "born", "DOB") and `date` otherwise, so the
  author is told honestly what was found. After a birth cue a 2-digit year counts too.
  Times, years alone and day-month without a year are not flagged.
- `phone`: Dutch numbers of 10 digits (`06-12345678`, `020 123 4567`, `(010) 1234567`),
  `+31`/`0031` numbers, and other `+<country>` numbers of 8-15 digits.
- `email`: any address; a colleague's work address is indistinguishable from a parent's.
- `postcode_house_number`: a Dutch postcode with a house number after (`1234 AB 12`,
  `1234AB, 12a`) or before it (`Dorpsstraat 12, 1234 AB`), and also a bare postcode: a
  6-position postcode covers about twenty addresses, which with a story is enough. Units
  that look like postcodes (`2048 MB`, `1500 KM`) are not flagged.

Overlaps are settled by kind (email, postcode, dates, phone, bsn, in that order) so one
piece of text gets one finding. The module imports no logging and never prints: neither the
text nor what was found in it may end up in a log.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date

from bot.i18n import Catalog, translate

BSN = "bsn"
BIRTH_DATE = "birth_date"
DATE = "date"
PHONE = "phone"
EMAIL = "email"
POSTCODE = "postcode_house_number"
KINDS = (EMAIL, POSTCODE, BIRTH_DATE, DATE, PHONE, BSN)
"""Every kind, in the order that wins when two findings overlap."""


@dataclass(frozen=True)
class Finding:
    """Where a likely identifier sits in the text; deliberately without its value."""

    kind: str
    start: int
    end: int


# --- bsn ---------------------------------------------------------------------------------

_BSN = re.compile(r"(?<![\w.,/-])(?:\d{9}|\d{3}([. ])\d{3}\1\d{3}|\d{4}([. ])\d{2}\2\d{3})(?![\w/-]|[.,]\d)")
_BSN_SHORT = re.compile(r"(?<![\w.,/-])\d{8}(?![\w/-]|[.,]\d)")
_BSN_CUE = re.compile(r"(?:bsn|burgerservicenummer|sofi-?nummer|citizen service number)"
                      r"(?:[\s-]*(?:nummer|nr\.?|number|no\.?))?[\s:.#-]*$", re.IGNORECASE)
_MONEY_BEFORE = re.compile(r"(?:€|eur|euro|\$|£)\s*$", re.IGNORECASE)
_MONEY_AFTER = re.compile(r"^\s*(?:€|eur\b|euro)", re.IGNORECASE)


def eleven_test(digits: str) -> bool:
    """The BSN check: 9*d1 + 8*d2 + ... + 2*d8 - d9 is a multiple of 11, and not all zeros."""
    if len(digits) != 9 or not digits.isdigit() or set(digits) == {"0"}:
        return False
    total = sum(w * int(d) for w, d in zip(range(9, 1, -1), digits[:8], strict=True))
    return (total - int(digits[8])) % 11 == 0


def _is_money(text: str, start: int, end: int) -> bool:
    return bool(_MONEY_BEFORE.search(text[max(0, start - 6):start]) or _MONEY_AFTER.match(text[end:]))


def _bsns(text: str) -> Iterator[Finding]:
    for m in _BSN.finditer(text):
        digits = re.sub(r"\D", "", m.group())
        if eleven_test(digits) and not _is_money(text, m.start(), m.end()):
            yield Finding(BSN, m.start(), m.end())
    for m in _BSN_SHORT.finditer(text):
        if _BSN_CUE.search(text[max(0, m.start() - 40):m.start()]) and eleven_test("0" + m.group()):
            yield Finding(BSN, m.start(), m.end())


# --- dates -------------------------------------------------------------------------------

_MONTHS = {
    **{name: i for i, name in enumerate(
        "januari februari maart april mei juni juli augustus september oktober november december".split(), 1)},
    **{name: i for i, name in enumerate(
        "january february march april may june july august september october november december".split(), 1)},
    **{name: i for i, name in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), 1)},
    "mrt": 3, "okt": 10, "sept": 9,
}
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_ORD = r"(?:ste|de|e|st|nd|rd|th)?"
_NUMERIC_DATE = re.compile(r"(?<![\w.,/:-])(\d{1,2})([-/.])(\d{1,2})\2(\d{4}|\d{2})(?![\w/:-]|[.,]\d)")
_ISO_DATE = re.compile(r"(?<![\w.,/:-])(\d{4})([-/])(\d{1,2})\2(\d{1,2})(?![\w/:-]|[.,]\d)")
_DAY_MONTH_YEAR = re.compile(rf"\b(\d{{1,2}}){_ORD}\s+({_MONTH})\.?,?\s+(\d{{4}})\b", re.IGNORECASE)
_MONTH_DAY_YEAR = re.compile(rf"\b({_MONTH})\.?\s+(\d{{1,2}}){_ORD},?\s+(\d{{4}})\b", re.IGNORECASE)
_BIRTH_CUE = re.compile(r"(?:geboren|geb\.|geboortedatum|born|date of birth|birth ?date|d\.?o\.?b\.?)"
                        r"\s*(?:op|on|in|:)?\s*$", re.IGNORECASE)


def _plausible(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return 1900 <= year <= 2100


def _dates(text: str) -> Iterator[Finding]:
    def birth_cue(start: int) -> bool:
        return bool(_BIRTH_CUE.search(text[max(0, start - 40):start]))

    for m in _NUMERIC_DATE.finditer(text):
        first, second, year_text = int(m.group(1)), int(m.group(3)), m.group(4)
        cued = birth_cue(m.start())
        if len(year_text) == 2 and not cued:
            continue  # 12-03-15 is as often a version or a score as a date
        years = [int(year_text)] if len(year_text) == 4 else [2000 + int(year_text), 1900 + int(year_text)]
        # dd-mm first, Dutch; mm/dd too, because English texts use it.
        if any(_plausible(y, second, first) or _plausible(y, first, second) for y in years):
            yield Finding(BIRTH_DATE if cued else DATE, m.start(), m.end())
    for m in _ISO_DATE.finditer(text):
        if _plausible(int(m.group(1)), int(m.group(3)), int(m.group(4))):
            yield Finding(BIRTH_DATE if birth_cue(m.start()) else DATE, m.start(), m.end())
    for m in _DAY_MONTH_YEAR.finditer(text):
        if _plausible(int(m.group(3)), _MONTHS[m.group(2).lower()], int(m.group(1))):
            yield Finding(BIRTH_DATE if birth_cue(m.start()) else DATE, m.start(), m.end())
    for m in _MONTH_DAY_YEAR.finditer(text):
        if _plausible(int(m.group(3)), _MONTHS[m.group(1).lower()], int(m.group(2))):
            yield Finding(BIRTH_DATE if birth_cue(m.start()) else DATE, m.start(), m.end())


# --- phone -------------------------------------------------------------------------------

_SEP = r"(?:\s?[-/]\s?|\s)?"
_PHONE = re.compile(
    r"(?<![\w+.,/:-])(?:"
    # Dutch, 10 digits: area code of 2-4 digits (the leading 0 included), then the rest.
    rf"(?:\(0[1-9]\)|0[1-9]){_SEP}\d(?:[ -]?\d){{7}}"
    rf"|(?:\(0[1-9]\d\)|0[1-9]\d){_SEP}\d(?:[ -]?\d){{6}}"
    rf"|(?:\(0[1-9]\d\d\)|0[1-9]\d\d){_SEP}\d(?:[ -]?\d){{5}}"
    # +31 / 0031, optionally with (0), then 9 digits.
    r"|(?:\+|00)31[ -]?(?:\(0\)[ -]?)?[1-9](?:[ -]?\d){8}"
    # Any other country: + and 8-15 digits in all.
    r"|\+[1-9](?:[ -]?\(?\d\)?){7,14}"
    r")(?![\w:]|[.,]\d)"
)


def _phones(text: str) -> Iterator[Finding]:
    for m in _PHONE.finditer(text):
        yield Finding(PHONE, m.start(), m.end())


# --- email and postcode --------------------------------------------------------------------

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}\b")
_POSTCODE = r"[1-9]\d{3}(?:\s?[A-Z]{2}|[a-z]{2})"
_HOUSE_NUMBER = r"\d{1,5}(?:\s?[a-zA-Z]\b)?(?:-\d{1,4})?"
_STREET = (r"(?:[A-Z][\w'-]*(?:straat|laan|weg|plein|singel|gracht|kade|dijk|hof|park|pad|steeg"
           r"|dreef|baan|markt|ring|veld|erf|wal|street|road|avenue|lane)\s+)")
_ADDRESS = re.compile(
    rf"(?<![\w.,-])(?P<before>{_STREET}?{_HOUSE_NUMBER},?\s+)?(?P<postcode>{_POSTCODE})(?![\w-])"
    rf"(?P<after>,?\s+{_HOUSE_NUMBER}(?![\w:%-]|[.,]\d))?"
)
_NEVER_POSTCODE = frozenset({"SA", "SD", "SS"})  # letter pairs PostNL does not use
_UNITS = frozenset("KB MB GB TB PB KM CM MM KG MG ML CL DL NM KW MW HZ PC AD BC AM PM EK WK TV".split())


def _postcodes(text: str) -> Iterator[Finding]:
    for m in _ADDRESS.finditer(text):
        letters = m.group("postcode")[-2:].upper()
        bare = not (m.group("before") or m.group("after"))
        if letters not in _NEVER_POSTCODE and not (bare and letters in _UNITS):
            yield Finding(POSTCODE, m.start(), m.end())


def _emails(text: str) -> Iterator[Finding]:
    for m in _EMAIL.finditer(text):
        yield Finding(EMAIL, m.start(), m.end())


# --- the public functions -----------------------------------------------------------------

_DETECTORS: tuple[Callable[[str], Iterator[Finding]], ...] = (_emails, _postcodes, _dates, _phones, _bsns)


def find_identifiers(text: str) -> list[Finding]:
    """Likely client identifiers in `text`, in reading order and never overlapping."""
    candidates = [f for detect in _DETECTORS for f in detect(text)]
    candidates.sort(key=lambda f: (KINDS.index(f.kind), f.start, f.start - f.end))
    kept: list[Finding] = []
    for finding in candidates:
        if all(finding.end <= k.start or finding.start >= k.end for k in kept):
            kept.append(finding)
    return sorted(kept, key=lambda f: f.start)


TEXTS: Catalog = {
    "placeholder.bsn": {"nl": "[bsn]", "en": "[bsn]"},
    "placeholder.birth_date": {"nl": "[geboortedatum]", "en": "[date of birth]"},
    "placeholder.date": {"nl": "[datum]", "en": "[date]"},
    "placeholder.phone": {"nl": "[telefoonnummer]", "en": "[phone number]"},
    "placeholder.email": {"nl": "[e-mailadres]", "en": "[email address]"},
    "placeholder.postcode_house_number": {"nl": "[adres]", "en": "[address]"},
    "one.bsn": {"nl": "een burgerservicenummer", "en": "a citizen service number (BSN)"},
    "many.bsn": {"nl": "{n} burgerservicenummers", "en": "{n} citizen service numbers (BSN)"},
    "one.birth_date": {"nl": "een geboortedatum", "en": "a date of birth"},
    "many.birth_date": {"nl": "{n} geboortedata", "en": "{n} dates of birth"},
    "one.date": {"nl": "een datum", "en": "a date"},
    "many.date": {"nl": "{n} datums", "en": "{n} dates"},
    "one.phone": {"nl": "een telefoonnummer", "en": "a phone number"},
    "many.phone": {"nl": "{n} telefoonnummers", "en": "{n} phone numbers"},
    "one.email": {"nl": "een e-mailadres", "en": "an email address"},
    "many.email": {"nl": "{n} e-mailadressen", "en": "{n} email addresses"},
    "one.postcode_house_number": {"nl": "een postcode of adres", "en": "a postcode or address"},
    "many.postcode_house_number": {"nl": "{n} postcodes of adressen", "en": "{n} postcodes or addresses"},
    "and": {"nl": "en", "en": "and"},
    "ask": {
        "nl": "Je tekst lijkt gegevens te bevatten waarmee een cliënt herkenbaar kan zijn: {items}. "
              "Wil je die eruit halen voordat ik het deel? Gaat het niet om een cliënt, "
              "dan kun je het gewoon zo delen.",
        "en": "Your text seems to contain details that could make a client recognisable: {items}. "
              "Would you like to take them out before I share it? If they're not about a client, "
              "you can share it as it is.",
    },
}


def _merged(findings: Iterable[Finding]) -> list[Finding]:
    """Overlapping findings joined into one span, named after the one that starts first."""
    merged: list[Finding] = []
    for f in sorted(findings, key=lambda f: (f.start, f.start - f.end)):
        if merged and f.start < merged[-1].end:
            last = merged[-1]
            merged[-1] = Finding(last.kind, last.start, max(last.end, f.end))
        else:
            merged.append(f)
    return merged


def redact(text: str, findings: Sequence[Finding], language: str = "nl") -> str:
    """`text` with each finding replaced by a neutral placeholder such as `[telefoonnummer]`.

    Overlapping findings (only possible when they were not made by `find_identifiers`) are
    replaced together by one placeholder, so no part of either is left behind.
    """
    parts: list[str] = []
    position = 0
    for f in _merged(findings):
        parts += [text[position:f.start], translate(TEXTS, f"placeholder.{f.kind}", language)]
        position = f.end
    return "".join(parts) + text[position:]


def describe(findings: Sequence[Finding], language: str = "nl") -> str:
    """The private question to the author: which kinds were found, never the values.

    Empty when nothing was found, so callers can simply skip the question.
    """
    counts: dict[str, int] = {}
    for f in findings:
        counts[f.kind] = counts.get(f.kind, 0) + 1
    if not counts:
        return ""
    items = [translate(TEXTS, f"one.{kind}", language) if n == 1 else translate(TEXTS, f"many.{kind}", language, n=n)
             for kind, n in counts.items()]
    listed = items[0] if len(items) == 1 else (
        f"{', '.join(items[:-1])} {translate(TEXTS, 'and', language)} {items[-1]}")
    return translate(TEXTS, "ask", language, items=listed)
