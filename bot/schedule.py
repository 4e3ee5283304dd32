"""Schedules as data: a human form (`"fri 14:00"`, `"first tue 14:00"`) or a cron line.

Both become APScheduler `CronTrigger` fields; `RitualTrigger` then fixes the two DST
quirks APScheduler 3.11 has, so one wall-clock time fires once a day at most.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_ALIASES = {
    "ma": "mon", "di": "tue", "wo": "wed", "do": "thu", "vr": "fri", "za": "sat", "zo": "sun",
    "monday": "mon", "tuesday": "tue", "wednesday": "wed", "thursday": "thu",
    "friday": "fri", "saturday": "sat", "sunday": "sun",
    "maandag": "mon", "dinsdag": "tue", "woensdag": "wed", "donderdag": "thu", "vrijdag": "fri",
    "zaterdag": "sat", "zondag": "sun",
}
_ORDINALS = {"first": "1st", "second": "2nd", "third": "3rd", "fourth": "4th", "last": "last",
             "1st": "1st", "2nd": "2nd", "3rd": "3rd", "4th": "4th",
             "eerste": "1st", "tweede": "2nd", "derde": "3rd", "vierde": "4th", "laatste": "last"}
_CRON_DOW = {"0": "sun", "7": "sun", "1": "mon", "2": "tue", "3": "wed", "4": "thu", "5": "fri", "6": "sat"}
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


class ScheduleError(ValueError):
    """A schedule string that cannot be understood; the message says why.

    `key` and `values` name the text in `bot.texts` (`schedule_error.<key>`), so a person
    reads it in their own language; `str()` is the English one (for config.toml checks).
    """

    def __init__(self, key: str, **values: object) -> None:
        from bot.i18n import translate
        from bot.texts import TEXTS

        self.key = key
        self.values = values
        super().__init__(translate(TEXTS, f"schedule_error.{key}", "en", **values))

    def translated(self, language: str) -> str:
        from bot.i18n import translate
        from bot.texts import TEXTS

        return translate(TEXTS, f"schedule_error.{self.key}", language, **self.values)


@dataclass(frozen=True)
class Schedule:
    """A parsed schedule: the text the user wrote and the cron fields it means."""

    source: str
    fields: tuple[tuple[str, str], ...]

    def cron(self, tz: tzinfo) -> CronTrigger:
        return CronTrigger(timezone=tz, **dict(self.fields))

    def trigger(self, tz: tzinfo, offset: timedelta = timedelta(0)) -> RitualTrigger:
        return RitualTrigger(self, tz, offset)


def parse_schedule(source: str) -> Schedule:
    """Parse `"fri 14:00"`, `"mon,thu 09:30"`, `"daily 08:00"`, `"weekdays 17:00"`,
    `"first tue 14:00"` (monthly) or a five-field cron line such as `"0 14 * * 5"`."""
    raw = source.strip().lower()
    if not raw:
        raise ScheduleError("empty")
    parts = raw.split()
    if len(parts) == 5:
        return _parse_cron(source, parts)
    return _parse_human(source, parts)


def _parse_human(source: str, parts: list[str]) -> Schedule:
    time_part = parts[-1]
    match = _TIME.match(time_part)
    if not match:
        raise ScheduleError("no_time", source=source)
    fields: dict[str, str] = {"hour": str(int(match.group(1))), "minute": str(int(match.group(2)))}
    words = parts[:-1]
    if not words:
        raise ScheduleError("no_day", source=source)
    if len(words) == 1 and words[0] in ("daily", "dagelijks"):
        return Schedule(source, tuple(fields.items()))
    if len(words) == 1 and words[0] in ("weekdays", "werkdagen"):
        fields["day_of_week"] = "mon-fri"
        return Schedule(source, tuple(fields.items()))
    if len(words) == 2 and words[0] in _ORDINALS:
        day = _day(words[1], source)
        fields["day"] = f"{_ORDINALS[words[0]]} {day}"
        return Schedule(source, tuple(fields.items()))
    if len(words) == 1:
        days = [_day(d, source) for d in words[0].split(",")]
        fields["day_of_week"] = ",".join(days)
        return Schedule(source, tuple(fields.items()))
    raise ScheduleError("unreadable", source=source)


def _day(word: str, source: str) -> str:
    day = _DAY_ALIASES.get(word, word)
    if day not in DAYS:
        raise ScheduleError("unknown_day", word=word, source=source)
    return day


def _parse_cron(source: str, parts: list[str]) -> Schedule:
    minute, hour, day, month, dow = parts
    # Cron counts Sunday as 0; APScheduler 3's from_crontab treats 0 as Monday. Use names.
    dow_names = re.sub(r"\d", lambda m: _CRON_DOW.get(m.group(0), m.group(0)), dow)
    fields = {"minute": minute, "hour": hour, "day": day, "month": month, "day_of_week": dow_names}
    try:
        CronTrigger(**fields)
    except ValueError as exc:
        raise ScheduleError("bad_cron", source=source, detail=str(exc)) from None
    return Schedule(source, tuple(fields.items()))


class RitualTrigger(BaseTrigger):
    """A cron trigger in a team's timezone, shifted by a step offset, DST-safe.

    APScheduler 3.11 fires an ambiguous autumn time twice (once per UTC offset); this
    trigger skips the second one. The offset is applied in wall-clock time, so a step
    "one day before 14:00" stays at 14:00 across a DST change.
    """

    def __init__(self, schedule: Schedule, tz: tzinfo, offset: timedelta = timedelta(0)) -> None:
        self.schedule = schedule
        self.tz = tz
        self.offset = offset
        self._cron = schedule.cron(tz)

    def get_next_fire_time(self, previous_fire_time: datetime | None, now: datetime) -> datetime | None:
        # Search base occurrences from (now - offset) and shift each by the offset.
        base_now = _wall_shift(now.astimezone(self.tz), -self.offset)
        prev_base = None if previous_fire_time is None else _wall_shift(previous_fire_time.astimezone(self.tz), -self.offset)
        candidate = self._cron.get_next_fire_time(prev_base, base_now)
        while candidate is not None and prev_base is not None and wall_key(candidate) <= wall_key(prev_base):
            candidate = self._cron.get_next_fire_time(candidate, _after(candidate))
        if candidate is None:
            return None
        return _wall_shift(candidate, self.offset)

    def occurrences(self, start: datetime, end: datetime) -> list[datetime]:
        """Every firing in `[start, end)`, one per wall-clock time."""
        found: list[datetime] = []
        previous: datetime | None = None
        now = start
        while True:
            nxt = self.get_next_fire_time(previous, now)
            if nxt is None or nxt >= end:
                return found
            if nxt >= start:
                found.append(nxt)
            previous, now = nxt, _after(nxt)

    def __getstate__(self) -> dict[str, Any]:  # pragma: no cover - memory job store only
        return {"schedule": self.schedule, "tz": self.tz, "offset": self.offset}

    def __str__(self) -> str:
        return f"ritual[{self.schedule.source}{'' if not self.offset else f' {self.offset:+}'}]"


def _after(moment: datetime) -> datetime:
    """One second later in real time (aware arithmetic in Python is wall-clock arithmetic)."""
    return (moment.astimezone(UTC) + timedelta(seconds=1)).astimezone(moment.tzinfo)


def wall_key(moment: datetime) -> str:
    """The local wall-clock time of a firing: the identity of an occurrence, DST-proof."""
    return moment.replace(tzinfo=None, fold=0).isoformat(timespec="minutes")


def _wall_shift(moment: datetime, delta: timedelta) -> datetime:
    """Add `delta` in wall-clock time, keeping the timezone (what a person means by 'a day before')."""
    if not delta:
        return moment
    tz = moment.tzinfo
    naive = moment.replace(tzinfo=None, fold=0) + delta
    return naive.replace(tzinfo=tz)
