"""Dates, weekdays and schedules as people write them, in Dutch and English.

"vrijdag 4 december om 14:00", "elke vrijdag om 14:00", "de eerste dinsdag van de
maand om 14:00": never `2026-12-04T14:00` or `fri 14:00` in what a person reads
(see docs/voice.md). Written out here rather than with Babel: two languages, and
the Dutch forms ("om", lower-case day names) are exactly what the voice guide asks.
"""

from __future__ import annotations

from datetime import date, datetime

from bot.schedule import DAYS, Schedule

DAY_NAMES = {
    "nl": ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
MONTH_NAMES = {
    "nl": ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
           "november", "december"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
}
_AT = {"nl": "om", "en": "at"}
_ORDINAL = {"nl": {"1st": "eerste", "2nd": "tweede", "3rd": "derde", "4th": "vierde", "last": "laatste"},
            "en": {"1st": "first", "2nd": "second", "3rd": "third", "4th": "fourth", "last": "last"}}


def _lang(language: str) -> str:
    return language if language in DAY_NAMES else "en"


def spoken_day(day: date, language: str, *, year: bool = False) -> str:
    """`vrijdag 4 december` / `Friday 4 December` (with the year when asked)."""
    lang = _lang(language)
    text = f"{DAY_NAMES[lang][day.weekday()]} {day.day} {MONTH_NAMES[lang][day.month - 1]}"
    return f"{text} {day.year}" if year else text


def spoken_moment(moment: datetime, language: str, *, year: bool = False) -> str:
    """`vrijdag 4 december om 14:00` / `Friday 4 December at 14:00`, in the moment's own timezone."""
    lang = _lang(language)
    return f"{spoken_day(moment.date(), lang, year=year)} {_AT[lang]} {moment:%H:%M}"


def spoken_schedule(schedule: Schedule, language: str) -> str:
    """`elke vrijdag om 14:00`, `de eerste dinsdag van de maand om 14:00`; a cron line as it was written."""
    lang = _lang(language)
    fields = dict(schedule.fields)
    if not fields.get("hour", "").isdigit() or not fields.get("minute", "").isdigit() or fields.get("month", "*") != "*":
        return f"'{schedule.source}'"
    at = f"{_AT[lang]} {int(fields['hour']):02d}:{int(fields['minute']):02d}"
    day = fields.get("day", "*")
    dow = fields.get("day_of_week", "*")
    if day not in ("*", "") and " " in day:  # "1st tue": monthly
        ordinal, name = day.split(" ", 1)
        if name in DAYS and ordinal in _ORDINAL[lang]:
            weekday = DAY_NAMES[lang][DAYS.index(name)]
            if lang == "nl":
                return f"de {_ORDINAL[lang][ordinal]} {weekday} van de maand {at}"
            return f"the {_ORDINAL[lang][ordinal]} {weekday} of the month {at}"
        return f"'{schedule.source}'"
    if day not in ("*", ""):
        return f"'{schedule.source}'"
    if dow == "*":
        return f"{'elke dag' if lang == 'nl' else 'every day'} {at}"
    if dow == "mon-fri":
        return f"{'elke werkdag' if lang == 'nl' else 'every working day'} {at}"
    names = dow.split(",")
    if not all(n in DAYS for n in names):
        return f"'{schedule.source}'"
    spoken = [DAY_NAMES[lang][DAYS.index(n)] for n in names]
    joined = spoken[0] if len(spoken) == 1 else ", ".join(spoken[:-1]) + (" en " if lang == "nl" else " and ") + spoken[-1]
    return f"{'elke' if lang == 'nl' else 'every'} {joined} {at}"
