"""Schedules: human and cron forms, DST days, step offsets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.schedule import ScheduleError, parse_schedule, wall_key

AMS = ZoneInfo("Europe/Amsterdam")


def _days(source: str, start: datetime, days: int, tz: ZoneInfo = AMS, offset: timedelta = timedelta(0)) -> list[datetime]:
    return parse_schedule(source).trigger(tz, offset).occurrences(start, start + timedelta(days=days))


@pytest.mark.parametrize(("source", "weekday", "hour"), [
    ("fri 14:00", 4, 14), ("vr 14:00", 4, 14), ("0 14 * * 5", 4, 14), ("0 9 * * 1", 0, 9),
    ("30 8 * * 0", 6, 8), ("mon 09:00", 0, 9),
])
def test_weekly_forms(source: str, weekday: int, hour: int) -> None:
    found = _days(source, datetime(2026, 11, 23, tzinfo=AMS), 7)
    assert len(found) == 1
    assert found[0].weekday() == weekday and found[0].hour == hour


def test_cron_sunday_is_zero_like_cron_not_monday() -> None:
    (sunday,) = _days("0 10 * * 0", datetime(2026, 11, 23, tzinfo=AMS), 7)
    assert sunday.strftime("%A") == "Sunday"


def test_first_tuesday_monthly() -> None:
    found = _days("first tue 14:00", datetime(2026, 11, 1, tzinfo=AMS), 92)
    assert [d.date().isoformat() for d in found] == ["2026-11-03", "2026-12-01", "2027-01-05"]


def test_daily_and_weekdays() -> None:
    assert len(_days("daily 08:00", datetime(2026, 11, 23, tzinfo=AMS), 7)) == 7
    assert len(_days("weekdays 08:00", datetime(2026, 11, 23, tzinfo=AMS), 7)) == 5


@pytest.mark.parametrize("bad", ["", "fri", "fri 14", "fri 24:00", "someday 10:00", "1 2 3", "99 * * * *", "next fri 10:00"])
def test_bad_schedules_say_why(bad: str) -> None:
    with pytest.raises(ScheduleError) as err:
        parse_schedule(bad)
    assert str(err.value)


def test_spring_forward_fires_once_at_a_real_moment() -> None:
    # 2026-03-29: Amsterdam jumps from 02:00 to 03:00; 02:30 does not exist that day, and
    # fires at the first moment after the gap (issue 12), 03:00 CEST.
    found = _days("daily 02:30", datetime(2026, 3, 28, tzinfo=AMS), 3)
    assert len(found) == 3
    spring = found[1]
    assert spring.date().isoformat() == "2026-03-29"
    assert spring.astimezone(UTC) == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)


def test_autumn_back_fires_once() -> None:
    # 2026-10-25: 02:30 happens twice in Amsterdam; APScheduler's CronTrigger alone fires twice.
    found = _days("daily 02:30", datetime(2026, 10, 24, tzinfo=AMS), 3)
    assert [d.date().isoformat() for d in found] == ["2026-10-24", "2026-10-25", "2026-10-26"]
    assert len({wall_key(d) for d in found}) == 3


def test_helsinki_0330_the_case_found_here() -> None:
    hel = ZoneInfo("Europe/Helsinki")
    autumn = _days("daily 03:30", datetime(2026, 10, 24, tzinfo=hel), 3, hel)
    assert len(autumn) == 3
    spring = _days("daily 03:30", datetime(2026, 3, 28, tzinfo=hel), 3, hel)
    assert len(spring) == 3


def test_offset_steps_keep_wall_clock_time_across_dst() -> None:
    # Prompt on Monday 2026-10-26 14:00 (after the change); one day before is Sunday 14:00 local.
    found = _days("mon 14:00", datetime(2026, 10, 20, tzinfo=AMS), 7, offset=-timedelta(days=1))
    assert len(found) == 1
    assert (found[0].hour, found[0].weekday()) == (14, 6)
