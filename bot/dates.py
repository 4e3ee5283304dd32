"""Dates, weekdays and schedules as people write them, in the person's language.

"vrijdag 4 december om 14:00", "elke vrijdag om 14:00", "de eerste dinsdag van de
maand om 14:00": never `2026-12-04T14:00` or `fri 14:00` in what a person reads
(see docs/voice.md). Day and month names come from Babel (CLDR); the patterns that put
them in order (`EEEE d MMMM 'om' HH:mm`) and the words around them are messages in the
`dates` catalog (bot/locale/<language>/LC_MESSAGES/dates.po), so a translator sets both.
"""

from __future__ import annotations

from datetime import date, datetime

from babel.dates import format_date, format_datetime, get_day_names

from bot.i18n import SOURCE_LANGUAGE, PoCatalog, supported_languages, translate
from bot.schedule import DAYS, Schedule

TEXTS = PoCatalog("bot", "dates")


def _lang(language: str) -> str:
    return language if language in supported_languages() else SOURCE_LANGUAGE


def formatted(moment: date | datetime, pattern_key: str, language: str) -> str:
    """`moment` by the CLDR pattern the `dates` catalog holds under `pattern_key`, in `language`.

    A datetime is shown in its own timezone (callers pass it in the team's or person's zone).
    """
    lang = _lang(language)
    pattern = translate(TEXTS, pattern_key, lang)
    if isinstance(moment, datetime):
        return format_datetime(moment, pattern, tzinfo=moment.tzinfo, locale=lang)
    return format_date(moment, pattern, locale=lang)


def weekday_name(index: int, language: str) -> str:
    """`maandag` / `Monday` for 0, ... (Python's weekday numbering), as in running text."""
    return str(get_day_names("wide", context="format", locale=_lang(language))[index])


def spoken_day(day: date, language: str, *, year: bool = False) -> str:
    """`vrijdag 4 december` / `Friday 4 December` (with the year when asked)."""
    return formatted(day, "day_year" if year else "day", language)


def spoken_moment(moment: datetime, language: str, *, year: bool = False) -> str:
    """`vrijdag 4 december om 14:00` / `Friday 4 December at 14:00`, in the moment's own timezone."""
    return formatted(moment, "moment_year" if year else "moment", language)


def short_month(day: date, language: str) -> str:
    """`dec 26` / `Dec 26`: a month and its year, short (for columns of months)."""
    return formatted(day, "month_year", language)


def spoken_schedule(schedule: Schedule, language: str) -> str:
    """`elke vrijdag om 14:00`, `de eerste dinsdag van de maand om 14:00`; a cron line as it was written."""
    lang = _lang(language)
    fields = dict(schedule.fields)
    if not fields.get("hour", "").isdigit() or not fields.get("minute", "").isdigit() or fields.get("month", "*") != "*":
        return f"'{schedule.source}'"
    at = f"{int(fields['hour']):02d}:{int(fields['minute']):02d}"
    day = fields.get("day", "*")
    dow = fields.get("day_of_week", "*")
    if day not in ("*", "") and " " in day:  # "1st tue": monthly
        ordinal, name = day.split(" ", 1)
        if name in DAYS and f"nth.{ordinal}" in TEXTS:
            return translate(TEXTS, "schedule.monthly", lang, nth=translate(TEXTS, f"nth.{ordinal}", lang),
                             day=weekday_name(DAYS.index(name), lang), time=at)
        return f"'{schedule.source}'"
    if day not in ("*", ""):
        return f"'{schedule.source}'"
    if dow == "*":
        return translate(TEXTS, "schedule.every_day", lang, time=at)
    if dow == "mon-fri":
        return translate(TEXTS, "schedule.every_working_day", lang, time=at)
    names = dow.split(",")
    if not all(n in DAYS for n in names):
        return f"'{schedule.source}'"
    spoken = [weekday_name(DAYS.index(n), lang) for n in names]
    joined = spoken[0] if len(spoken) == 1 else f"{', '.join(spoken[:-1])} {translate(TEXTS, 'and', lang)} {spoken[-1]}"
    return translate(TEXTS, "schedule.every", lang, days=joined, time=at)
