"""Schedules as data: a human form (`"fri 14:00"`, `"first tue 14:00"`) or a cron line.

Both become cron fields; `RitualTrigger` reads them in wall-clock time and places each
time on the real timeline, so every wall-clock time fires exactly once, DST or not.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
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


class NeverFires(ScheduleError):
    """A schedule that reads well but never comes round (soon enough to be meant)."""

    def __init__(self, source: str, days: int) -> None:
        super().__init__("never", source=source, days=days)
        self.source = source
        self.days = days


class TooOften(ScheduleError):
    """A schedule with more than one time of day: rituals come round daily at most."""

    def __init__(self, source: str) -> None:
        super().__init__("too_often", source=source)
        self.source = source


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
        if parts[:-1]:  # say what is wrong with the days too, not one thing at a time
            _parse_human(source, [*parts[:-1], "0:00"])
        if re.fullmatch(r"\d{1,2}[:.]\d{2}", time_part):
            raise ScheduleError("bad_time", source=source, time=time_part)
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


def day_name(word: str) -> str | None:
    """`mon` ... `sun` for a day name or abbreviation (English or Dutch), None if unknown."""
    day = _DAY_ALIASES.get(word.strip().lower(), word.strip().lower())
    return day if day in DAYS else None


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
    try:  # only checks the fields: any zone does, and one given keeps the host's zone (tzlocal) out of it
        CronTrigger(timezone=UTC, **fields)
    except ValueError as exc:
        raise ScheduleError("bad_cron", source=source, detail=str(exc)) from None
    return Schedule(source, tuple(fields.items()))


class RitualTrigger(BaseTrigger):
    """A cron schedule in a team's timezone, shifted by a step offset, DST-proof.

    The schedule is read in wall-clock time (what a team means by "mon 00:30"), then each
    wall time is placed on the real timeline: a time that exists fires once (an ambiguous
    autumn time at its first passing), a time skipped by a spring change fires once at the
    first moment after the gap. The offset is wall-clock too, so a step "one day before
    14:00" stays at 14:00 across a DST change. APScheduler's own `CronTrigger` (3.11) loses
    times after a spring change and doubles autumn ones; it is only used here in UTC, where
    wall time has no gaps, to enumerate the wall-clock times.
    """

    def __init__(self, schedule: Schedule, tz: tzinfo, offset: timedelta = timedelta(0)) -> None:
        self.schedule = schedule
        self.tz = tz
        self.offset = offset
        self._wall = schedule.cron(UTC)

    def walls(self, start: datetime) -> Iterator[datetime]:
        """Scheduled moments (naive wall-clock times of the occurrences) from `start` (naive) on."""
        cursor: datetime | None = start.replace(tzinfo=UTC)
        previous: datetime | None = None
        while cursor is not None:
            found = self._wall.get_next_fire_time(previous, cursor)
            if found is None:
                return
            yield found.replace(tzinfo=None)
            previous, cursor = found, found + timedelta(seconds=1)

    def firings(self, start: datetime, end: datetime) -> Iterator[Firing]:
        """This step's firings whose real moment lies in `[start, end)`, in time order."""
        base_start = start.astimezone(self.tz).replace(tzinfo=None) - _MAX_GAP - self.offset
        for occurrence in self.walls(base_start):
            at = place(occurrence + self.offset, self.tz)
            if at >= end:
                return
            if at >= start:
                yield Firing(at, wall_key(occurrence))

    def get_next_fire_time(self, previous_fire_time: datetime | None, now: datetime) -> datetime | None:
        start = now if previous_fire_time is None else max(now, previous_fire_time + timedelta(microseconds=1))
        start = _ceil_second(start)
        for firing in self.firings(start, datetime.max.replace(tzinfo=UTC) - timedelta(days=2)):
            return firing.at
        return None

    def occurrences(self, start: datetime, end: datetime) -> list[datetime]:
        """Every firing in `[start, end)`, one per wall-clock time."""
        return [f.at for f in self.firings(start, end)]

    def __getstate__(self) -> dict[str, Any]:  # pragma: no cover - memory job store only
        return {"schedule": self.schedule, "tz": self.tz, "offset": self.offset}

    def __str__(self) -> str:
        return f"ritual[{self.schedule.source}{_spoken_offset(self.offset)}]"


@dataclass(frozen=True, order=True)
class Firing:
    """One firing of a step: its real moment and the occurrence (scheduled wall time) it belongs to."""

    at: datetime
    occurrence: str


_MAX_GAP = timedelta(hours=3)  # larger than any DST jump in the tz database


def place(wall: datetime, tz: tzinfo) -> datetime:
    """A naive wall-clock time as a real moment in `tz`: an ambiguous time at its first
    passing, a time in a spring gap at the first moment after the gap."""
    first = wall.replace(tzinfo=tz, fold=0)
    if first.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == wall:
        return first
    # In a gap: fold=1 reads it with the offset after the change (a moment before the
    # change), fold=0 with the offset before it (a moment after). The change lies between.
    low = wall.replace(tzinfo=tz, fold=1).astimezone(UTC)
    high = first.astimezone(UTC)
    if high < low:
        low, high = high, low
    before = low.astimezone(tz).utcoffset()
    while high - low > timedelta(seconds=1):
        middle = low + timedelta(seconds=int((high - low).total_seconds()) // 2)
        if middle.astimezone(tz).utcoffset() == before:
            low = middle
        else:
            high = middle
    return high.astimezone(tz)


def _ceil_second(moment: datetime) -> datetime:
    if moment.microsecond:
        return moment.replace(microsecond=0) + timedelta(seconds=1)
    return moment


def _spoken_offset(offset: timedelta) -> str:
    """`+6d`, `-24h`, `+30m` for a log line; '' for no offset."""
    if not offset:
        return ""
    sign = "-" if offset < timedelta(0) else "+"
    minutes = int(abs(offset).total_seconds()) // 60
    if minutes % (24 * 60) == 0:
        return f" {sign}{minutes // (24 * 60)}d"
    if minutes % 60 == 0:
        return f" {sign}{minutes // 60}h"
    return f" {sign}{minutes}m"


def next_firing_within(schedule: Schedule, tz: tzinfo, now: datetime, days: int = 400) -> datetime | None:
    """The schedule's next moment within `days` of `now`, or None when it never comes that soon."""
    end = now + timedelta(days=days)
    for firing in schedule.trigger(tz).firings(now, end):
        return firing.at
    return None


def check_fires(schedule: Schedule, tz: tzinfo, now: datetime, days: int = 400) -> None:
    """Raise `NeverFires` when the schedule has no moment in the next `days` days
    (e.g. "0 14 31 2 *": there is no 31 February). Issue 12: such a schedule would
    silently never run, so config and the admin command refuse it."""
    if next_firing_within(schedule, tz, now, days) is None:
        raise NeverFires(schedule.source, days)


def check_often(schedule: Schedule, now: datetime) -> None:
    """Raise `TooOften` when the schedule has more than one time of day ("*/5 * * * *",
    "0 9,17 * * *"). Every ritual here is weekly or monthly, the most frequent a working-day
    look (`"0 9 * * 1-5"`); each firing asks something of people, and the engine looks at
    every firing in its look-back and look-ahead windows, so a schedule every minute made
    start-up stall for seconds (an attacker test). Cron's minute and hour apply to every
    day it matches, so the first day's first two times tell: less than a day apart means
    two times a day. In UTC wall time, where days have no DST gaps."""
    wall = schedule.cron(UTC)
    first = wall.get_next_fire_time(None, now.astimezone(UTC))
    if first is None:
        return
    midnight = first.replace(hour=0, minute=0, second=0, microsecond=0)
    a = wall.get_next_fire_time(None, midnight)
    b = wall.get_next_fire_time(a, a + timedelta(seconds=1)) if a is not None else None
    if a is not None and b is not None and b - a < timedelta(days=1):
        raise TooOften(schedule.source)


def wall_key(moment: datetime) -> str:
    """The local wall-clock time of a firing: the identity of an occurrence, DST-proof."""
    return moment.replace(tzinfo=None, fold=0).isoformat(timespec="minutes")
