"""Full dates: dates of birth, and other dates that can identify a case.

- A full, plausible day-month-year date (1900-2100), numeric (`12-03-2015`, `12/3/2015`,
  `12.03.2015`, `2015-03-12`, `03-04-'10`) or with a Dutch or English month name
  (`12 maart 2015`, `5 sept. '07`, `March 3rd, 2015`). dd-mm comes first (Dutch); mm/dd
  is accepted too because English texts use it.
- `birth_date` after a cue ("geboren", "geb.", "geboortedatum", "born", "DOB") or before
  "geboren"/"born"; `date` otherwise, so the author is told honestly what was found. After
  a birth cue a bare 2-digit year counts too (`geb. 12-03-15`); elsewhere `12-03-15` is as
  often a version or a score, but `'15` with an apostrophe is always a year.
- The team's own agenda is not a client's: a date right after a weekday (`dinsdag
  21-01-2025`), followed by a time (`14-01-2025 om 9:00`), joined to another date as a
  period (`1-1-2024 t/m 31-12-2024`), right after "per", "vanaf" or "uiterlijk", or at most
  three words after an agenda noun (deadline, studiedag, overleg, MDO, ...) is a meeting,
  a deadline or a period, and is not flagged unless a birth cue says otherwise. Further
  away the noun says nothing: "bij het overleg bleek dat hij op 14-06-2024 ..." is a case.
  A period whose first day stands bare ("van 10 tot 14 maart 2025", "12 en 13 maart 2025")
  is a course or a holiday when the sentence names no person.
  A date called a start or end date ("startdatum ... is 6 januari 2025", "1 september 2025
  als einddatum") is a plan too, up to six words after the word or right before it.
- A policy, a term or the team's work is not a client's either: a date in a sentence that
  names a policy or an arrangement (beleid, wet, regeling, contract, subsidie, indicatie,
  beschikking, pilot, project, cao, rooster, a software version or release, ...) or says
  something begins, ends or expires (begint, gaat in, loopt af, liep af, verloopt, vervalt, eindigt, geldig tot), and names
  no person (a pronoun, a client, a child, a relative: `bot.guard.clues.PERSON`), is not
  flagged: "Op 1 januari 2027 begint het nieuwe beleid", "De indicatie liep af op
  31-12-2026". With a person it is: "Zijn indicatie liep af op 31-12-2026".
- After a birth cue, shorter forms are birth dates too: six or eight digits written
  together (`geb 120315`, `geboren 12032015`, ddmmyy or ddmmyyyy, also after a note in
  brackets: `Geboortedatum (ddmmjj): 030410`), spaced as on a form (`Geboren: 03 04 2010`)
  and a month with a year (`geboren in maart 2015`, `geb. 03-2015`, `born in March 2015`).
  Without the cue they are a number and a month, and are left alone.
- Times, years alone and day-month without a year are never flagged, nor a year alone
  after a birth cue ("geboren in 2015": an age, shared by a whole class).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

from bot.guard.clues import PERSON, before, sentence
from bot.guard.kinds import BIRTH_DATE, DATE, Finding

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
_START = r"(?<!\w)(?<!\d[.,/:-])"
_END = r"(?![\w/:-]|[.,]\d)"
_NUMERIC_DATE = re.compile(rf"{_START}(\d{{1,2}})([-/.])(\d{{1,2}})\2(\d{{4}}|'\d{{2}}|\d{{2}}){_END}")
_ISO_DATE = re.compile(rf"{_START}(\d{{4}})([-/])(\d{{1,2}})\2(\d{{1,2}}){_END}")
_DAY_MONTH_YEAR = re.compile(rf"\b(\d{{1,2}}){_ORD}[\s-]+({_MONTH})\.?,?[\s-]+(\d{{4}}|'\d{{2}})(?!\d)", re.IGNORECASE)
_MONTH_DAY_YEAR = re.compile(rf"\b({_MONTH})\.?\s+(\d{{1,2}}){_ORD},?\s+(\d{{4}}|'\d{{2}})(?!\d)", re.IGNORECASE)

# Only after a birth cue: "geb 120315", "geboren 12032015"; "geboren in maart 2015", "geb. 03-2015".
_COMPACT_DATE = re.compile(rf"{_START}(\d{{2}})(\d{{2}})(\d{{4}}|\d{{2}})(?![\w/:-]|[.,]\d)")
_MONTH_YEAR = re.compile(rf"\b({_MONTH})\.?,?\s+(\d{{4}}|'\d{{2}})(?!\d)", re.IGNORECASE)
_SPACED_DATE = re.compile(rf"{_START}(\d{{1,2}}) (\d{{1,2}}) (\d{{4}}|\d{{2}}){_END}")
_NUMERIC_MONTH_YEAR = re.compile(rf"{_START}(\d{{1,2}})([-/.])(\d{{4}}){_END}")
# A policy, an arrangement or a term in the sentence: the date is the team's work, not a client's.
_POLICY = re.compile(
    r"\b(?:beleid\w*|wet|wetten|regeling|verordening|contract|subsidie|budget|begroting|indicatie|beschikking"
    r"|termijn|pilot|project|aanbesteding|cao|rooster|protocol|werkwijze|systeem|jaarverslag|reorganisatie"
    r"|fusie|tarie(?:f|ven)|policy|contract(?:en)?|versie|release|update|build|app|software|begint|beginnen|gaat\s+in|gaan\s+in|ingaat|ingaan|in\s+werking"
    r"|lo(?:o|)pt\s+af|lopen\s+af|liep(?:en)?\s+af|afloopt|aflopen|verlo(?:o|)pt|verlopen|verliep(?:en)?|verv(?:a|)lt"
    r"|vervallen|verviel(?:en)?|verstrijkt|eindigt|eindigen|geldig|expires?|expired)\b",
    re.IGNORECASE)
# A short note in brackets may sit between the cue and the date: "Geboortedatum (ddmmjj): 030410".
_BIRTH_CUE = re.compile(r"\b(?:geboren|geb(?:\.|\b)\s?(?:datum|dat\b\.?)?|geboortedatum|born|date of birth|birth\s?date"
                        r"|d\.?o\.?b\b\.?)(?:\s*\([^()\d]{1,20}\))?[\s:(]*(?:op|on|in|is|was|als)?[\s:]*$", re.IGNORECASE)
_BIRTH_AFTER = re.compile(r"^\)?\s*(?:geboren|born)\b", re.IGNORECASE)
_WEEKDAY_BEFORE = re.compile(
    r"\b(?:maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag|ma|di|wo|do|vr|za|zo|monday|tuesday"
    r"|wednesday|thursday|friday|saturday|sunday|mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)\.?,?\s*$",
    re.IGNORECASE)
_TIME_AFTER = re.compile(r"^\s*[,;]?\s*(?:(?:om|at|van|from|vanaf|tussen|between)\s+)?"
                         r"(?:\d{1,2}[:.]\d{2}(?![\d.,])|\d{1,2}\s*uur\b)", re.IGNORECASE)
# "per 1-2-2025", "uiterlijk 10-01-2025": the word right before the date.
_AGENDA_WORD = re.compile(r"\b(?:per|vanaf|uiterlijk|m\.i\.v\.|met ingang van|gaat in op|ingaande|as of|due|starting"
                          r"|effective)[\s:]*$", re.IGNORECASE)
# "Deadline voor de jaarverslagen: 15 december 2024": an agenda noun at most three words before.
_AGENDA_NOUN = re.compile(
    r"\b(?:deadline|ingangsdatum|startdatum|einddatum|planning|gepland|ingepland|agenda|vergadering|overleg"
    r"|teamoverleg|mdo|teamdag|studiedag|training|cursus|workshop|bijeenkomst|intervisie|evaluatie|meeting)\b"
    r"(?:[\s:,]+[^\s.!?]+){0,3}?[\s:,]*$", re.IGNORECASE)
# "Startdatum van de nieuwe collega is 6 januari 2025", "1 september 2025 als einddatum": a
# date named as the start or end of something is a plan, a few words before it or right after.
_PLAN_DATE_BEFORE = re.compile(r"\b(?:startdatum|begindatum|einddatum|ingangsdatum)\b(?:[\s:,]+[^\s.!?]+){0,6}?[\s:,]*$",
                               re.IGNORECASE)
_PLAN_DATE_AFTER = re.compile(r"^\s*(?:als|is\s+de|is\s+mijn|is\s+zijn|is\s+haar)\s+(?:startdatum|begindatum|einddatum"
                              r"|ingangsdatum|deadline)\b", re.IGNORECASE)
# "van 10 tot 14 maart 2025", "3-5 juni 2024", "12 en 13 maart": a period whose first day is written without its month.
_DAY_BEFORE_RANGE = re.compile(r"(?<![\d.,/:-])\d{1,2}(?:e|ste|de)?\s*(?:-|t/m|tot(?:\s+en\s+met)?|en|&|to|until)\s*$",
                               re.IGNORECASE)
_RANGE_BETWEEN = re.compile(r"^\s*(?:-|t/m|tot(?:\s+en\s+met)?|tot|to|until|till|through)\s*$", re.IGNORECASE)


def _plausible(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return 1900 <= year <= 2100


def _years(year_text: str) -> list[int]:
    digits = year_text.lstrip("'")
    if len(digits) == 4:
        return [int(digits)]
    return [2000 + int(digits), 1900 + int(digits)]


def _candidates(text: str) -> Iterator[tuple[int, int, bool]]:
    """(start, end, is it cued as a birth date) for every plausible full date."""
    def birth_cue(start: int, end: int) -> bool:
        return bool(_BIRTH_CUE.search(before(text, start)) or _BIRTH_AFTER.match(text[end:end + 12]))

    for m in _NUMERIC_DATE.finditer(text):
        first, second, year_text = int(m.group(1)), int(m.group(3)), m.group(4)
        cued = birth_cue(m.start(), m.end())
        if len(year_text) == 2 and not cued:
            continue
        if any(_plausible(y, second, first) or _plausible(y, first, second) for y in _years(year_text)):
            yield m.start(), m.end(), cued
    for m in _ISO_DATE.finditer(text):
        if _plausible(int(m.group(1)), int(m.group(3)), int(m.group(4))):
            yield m.start(), m.end(), birth_cue(m.start(), m.end())
    for m in _DAY_MONTH_YEAR.finditer(text):
        month, day = _MONTHS[m.group(2).lower()], int(m.group(1))
        if any(_plausible(y, month, day) for y in _years(m.group(3))):
            yield m.start(), m.end(), birth_cue(m.start(), m.end())
    for m in _MONTH_DAY_YEAR.finditer(text):
        month, day = _MONTHS[m.group(1).lower()], int(m.group(2))
        if any(_plausible(y, month, day) for y in _years(m.group(3))):
            yield m.start(), m.end(), birth_cue(m.start(), m.end())


def _birth_only(text: str) -> Iterator[tuple[int, int, bool]]:
    """Short forms that are a date of birth only right after a birth cue (see the module docstring)."""
    for m in _COMPACT_DATE.finditer(text):
        day, month = int(m.group(1)), int(m.group(2))
        if (_BIRTH_CUE.search(before(text, m.start()))
                and any(_plausible(y, month, day) for y in _years(m.group(3)))):
            yield m.start(), m.end(), True
    for m in _SPACED_DATE.finditer(text):  # "Geboren: 03 04 2010", written as on a form
        day, month = int(m.group(1)), int(m.group(2))
        if (_BIRTH_CUE.search(before(text, m.start()))
                and any(_plausible(y, month, day) for y in _years(m.group(3)))):
            yield m.start(), m.end(), True
    for pattern, month_group, year_group in ((_MONTH_YEAR, 1, 2), (_NUMERIC_MONTH_YEAR, 1, 3)):
        for m in pattern.finditer(text):
            month_text = m.group(month_group).lower()
            month = _MONTHS[month_text] if month_text in _MONTHS else int(month_text)
            if (_BIRTH_CUE.search(before(text, m.start()))
                    and any(_plausible(y, month, 1) for y in _years(m.group(year_group)))):
                yield m.start(), m.end(), True


def _policy_or_term(text: str, start: int, end: int) -> bool:
    around = sentence(text, start, end)
    return bool(_POLICY.search(around)) and not PERSON.search(around)


def _short_period(text: str, start: int, end: int) -> bool:
    """A period whose first day stands bare before the date ("van 10 tot 14 maart 2025"), with no
    person in the sentence: a course or a holiday; "hij was van 3 tot 5 juni 2024 weg" is a case."""
    return bool(_DAY_BEFORE_RANGE.search(before(text, start, 20))) and not PERSON.search(sentence(text, start, end))


def _on_the_agenda(text: str, start: int, end: int) -> bool:
    return bool(_policy_or_term(text, start, end) or _short_period(text, start, end) or _WEEKDAY_BEFORE.search(before(text, start, 16)) or _TIME_AFTER.match(text[end:end + 24])
                or _AGENDA_WORD.search(before(text, start, 20)) or _AGENDA_NOUN.search(before(text, start, 80))
                or _PLAN_DATE_BEFORE.search(before(text, start, 80)) or _PLAN_DATE_AFTER.match(text[end:end + 30]))


def dates(text: str) -> Iterator[Finding]:
    """Full dates in `text` (normalised) that may identify a client."""
    full = set(_candidates(text))
    found = sorted(full | {short for short in _birth_only(text)
                           if all(short[1] <= start or short[0] >= end for start, end, _ in full)})
    in_period: set[int] = set()
    for (start_a, end_a, _), (start_b, _, _) in zip(found, found[1:], strict=False):
        if _RANGE_BETWEEN.match(text[end_a:start_b]):
            in_period |= {start_a, start_b}
    for start, end, cued in found:
        if cued:
            yield Finding(BIRTH_DATE, start, end)
        elif start not in in_period and not _on_the_agenda(text, start, end):
            yield Finding(DATE, start, end)
