"""Working time: when the bot may send something on its own.

Issue 14 ("Respecting people's time"): nothing the bot sends by itself lands in the
weekend, on a holiday or outside working hours. A team's working time is a set of
weekdays and a daily window (default Monday to Friday, 08:00 to 18:00, in the team's
timezone); a moment outside it moves to the next working moment. Holidays are not
working days. How far a step may move is bounded (`MAX_SHIFT`): beyond that it is
dropped, never sent weeks late.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from functools import lru_cache

from bot.schedule import DAYS, day_name, place

MAX_SHIFT = timedelta(days=14)
DEFAULT_DAYS = ("mon", "tue", "wed", "thu", "fri")
DEFAULT_HOURS = "08:00-18:00"
_HOURS = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)\s*-\s*([01]?\d|2[0-4]):([0-5]\d)$")


def parse_hours(text: str) -> tuple[time, time | None]:
    """`"08:00-18:00"` -> (08:00, 18:00); an end of `24:00` is None (until midnight).

    Raises ValueError with what is wrong.
    """
    match = _HOURS.match(text.strip())
    if not match:
        raise ValueError(f"working hours look like '08:00-18:00', not {text!r}")
    start = time(int(match.group(1)), int(match.group(2)))
    end_hour, end_minute = int(match.group(3)), int(match.group(4))
    if end_hour == 24 and end_minute:
        raise ValueError(f"working hours end at 24:00 at the latest, not {text!r}")
    end = None if end_hour == 24 else time(end_hour, end_minute)
    if end is not None and end <= start:
        raise ValueError(f"working hours must end after they start: {text!r}")
    return start, end


def parse_days(days: list[str]) -> frozenset[int]:
    """`["mon", ..., "fri"]` -> weekday numbers (Monday is 0). Raises ValueError."""
    found = set()
    for day in days:
        name = day_name(day)
        if name is None:
            raise ValueError(f"unknown day {day!r} (use mon, tue, wed, thu, fri, sat, sun)")
        found.add(DAYS.index(name))
    if not found:
        raise ValueError("at least one working day is needed")
    return frozenset(found)


@dataclass(frozen=True)
class WorkingTime:
    """Working days (0 = Monday) and daily hours `[start, end)`; `end` None means midnight."""

    days: frozenset[int] = frozenset(range(5))
    start: time = time(8, 0)
    end: time | None = time(18, 0)

    @classmethod
    def parse(cls, days: list[str], hours: str) -> WorkingTime:
        """From config: weekday names and `"08:00-18:00"`. Raises ValueError."""
        return _parsed(tuple(days), hours)

    def _open(self, wall: datetime, is_holiday: Callable[[date], bool]) -> bool:
        if wall.weekday() not in self.days or is_holiday(wall.date()):
            return False
        return self.start <= wall.time() and (self.end is None or wall.time() < self.end)

    def next_moment(self, moment: datetime, tz: tzinfo, is_holiday: Callable[[date], bool],
                    limit: timedelta = MAX_SHIFT) -> datetime | None:
        """`moment` itself when it is working time, else the next working moment within
        `limit`, or None when there is none that soon (a long closure)."""
        wall = moment.astimezone(tz).replace(tzinfo=None)
        if self._open(wall, is_holiday):
            return moment
        day = wall.date()
        if wall.time() >= self.start:
            day += timedelta(days=1)
        last = (moment + limit).astimezone(tz).replace(tzinfo=None)
        while True:
            candidate = datetime.combine(day, self.start)
            if candidate > last:
                return None
            if self._open(candidate, is_holiday):
                return place(candidate, tz)
            day += timedelta(days=1)


@lru_cache(maxsize=256)
def _parsed(days: tuple[str, ...], hours: str) -> WorkingTime:
    """`WorkingTime.parse`, once per distinct setting (10,000 teams mostly share one)."""
    start, end = parse_hours(hours)
    return WorkingTime(parse_days(list(days)), start, end)
