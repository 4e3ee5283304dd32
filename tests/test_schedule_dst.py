"""Daylight saving, table-driven: every minute of the days around both changes of the year.

For each zone and each change, a daily schedule at every minute of the day is run over
the day before, the day of the change and the day after. Expected from an independent
oracle (a scan of every real minute): a wall-clock time that exists fires exactly once,
at its first passing; a time that does not exist fires once, at the first moment after
the gap. Lord Howe Island moves its clocks by 30 minutes.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.engine import Planned
from bot.schedule import parse_schedule, place, wall_key
from tests.conftest import TEAM_TOML

CHANGES = [
    ("Europe/Amsterdam", date(2026, 3, 29)), ("Europe/Amsterdam", date(2026, 10, 25)),
    ("America/New_York", date(2026, 3, 8)), ("America/New_York", date(2026, 11, 1)),
    ("Australia/Sydney", date(2026, 4, 5)), ("Australia/Sydney", date(2026, 10, 4)),
    ("Australia/Lord_Howe", date(2026, 4, 5)), ("Australia/Lord_Howe", date(2026, 10, 4)),
]


def _oracle(tz: ZoneInfo, start: datetime, end: datetime) -> dict[datetime, datetime]:
    """Each local wall-clock minute that exists in [start, end) -> its first real moment."""
    first: dict[datetime, datetime] = {}
    moment = start.astimezone(UTC)
    while moment < end:
        wall = moment.astimezone(tz).replace(tzinfo=None)
        first.setdefault(wall, moment)
        moment += timedelta(minutes=1)
    return first


@pytest.mark.parametrize(("zone", "day"), CHANGES, ids=[f"{z}-{d}" for z, d in CHANGES])
def test_every_minute_fires_once_around_a_dst_change(zone: str, day: date) -> None:
    tz = ZoneInfo(zone)
    start = datetime.combine(day - timedelta(days=1), datetime.min.time(), tzinfo=tz)
    end = datetime.combine(day + timedelta(days=2), datetime.min.time(), tzinfo=tz)
    assert start.utcoffset() != end.utcoffset(), "not a DST change"
    exists = _oracle(tz, start, end)
    real_minutes = sorted(exists.values())
    skipped = 0
    for minute in range(24 * 60):
        hour, mins = divmod(minute, 60)
        found = parse_schedule(f"{mins} {hour} * * *").trigger(tz).occurrences(start, end)
        expected = []
        for offset in (-1, 0, 1):
            wall = datetime.combine(day + timedelta(days=offset), datetime.min.time()).replace(hour=hour, minute=mins)
            if wall in exists:
                expected.append(exists[wall])
            else:
                skipped += 1
                after = next(m for m in real_minutes if m.astimezone(tz).replace(tzinfo=None) > wall)
                expected.append(after)
        assert [f.astimezone(UTC) for f in found] == expected, f"{hour:02d}:{mins:02d}"
    gap = timedelta(minutes=30) if zone == "Australia/Lord_Howe" else timedelta(hours=1)
    spring = start.utcoffset() < end.utcoffset()  # type: ignore[operator]
    assert skipped == (gap.total_seconds() // 60 if spring else 0)


def test_monday_0030_after_the_spring_change_fires() -> None:
    ams = ZoneInfo("Europe/Amsterdam")
    found = parse_schedule("mon 00:30").trigger(ams).occurrences(datetime(2026, 3, 27, tzinfo=ams),
                                                                 datetime(2026, 4, 7, tzinfo=ams))
    assert [wall_key(f) for f in found] == ["2026-03-30T00:30", "2026-04-06T00:30"]
    la = ZoneInfo("America/Los_Angeles")
    found = parse_schedule("mon 00:30").trigger(la).occurrences(datetime(2026, 3, 6, tzinfo=la),
                                                                datetime(2026, 3, 17, tzinfo=la))
    assert [wall_key(f) for f in found] == ["2026-03-09T00:30", "2026-03-16T00:30"]


def test_a_time_in_the_gap_is_placed_at_the_end_of_the_gap() -> None:
    ams = ZoneInfo("Europe/Amsterdam")
    wall = datetime(2026, 3, 29, 2, 30, tzinfo=UTC).replace(tzinfo=None)
    assert place(wall, ams).astimezone(UTC) == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
    lhi = ZoneInfo("Australia/Lord_Howe")
    wall = datetime(2026, 10, 4, 2, 10, tzinfo=UTC).replace(tzinfo=None)
    assert place(wall, lhi).strftime("%H:%M") == "02:30"


async def test_occurrence_keys_around_the_autumn_fold_are_one(make_harness) -> None:  # type: ignore[no-untyped-def]
    """Both passings of 02:30 on the autumn night are one occurrence: the engine claims it once."""
    ams = ZoneInfo("Europe/Amsterdam")
    h = await make_harness(TEAM_TOML.replace('"fri 14:00"', '"sun 02:30"') + "sharer_notice_hours = 0\n",
                           start=datetime(2026, 10, 24, 12, 0, tzinfo=ams))
    (plan,) = [p for p in h.bot.plans if p.step.name == "prompt"]
    assert isinstance(plan, Planned)
    first = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST
    second = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # 02:30 CET, an hour later
    assert plan.occurrence_key(first) == plan.occurrence_key(second) == "2026-10-25T02:30"
    h.clock.set(second)
    assert await h.bot.engine.fire(plan, first) == "done"
    assert await h.bot.engine.fire(plan, second) == "taken"
    found = plan.trigger().occurrences(first - timedelta(hours=3), second + timedelta(hours=3))
    assert [f.astimezone(UTC) for f in found] == [first]
