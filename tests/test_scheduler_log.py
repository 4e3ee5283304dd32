"""APScheduler's log lines about our jobs never carry a traceback (issue 12, log noise)."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from bot.schedule import parse_schedule
from bot.scheduler import RitualScheduler
from tests.conftest import AMS, TEAM_TOML


def test_a_trigger_with_an_offset_has_a_readable_name() -> None:
    schedule = parse_schedule("fri 14:00")
    assert str(schedule.trigger(AMS, -timedelta(hours=24))) == "ritual[fri 14:00 -1d]"
    assert str(schedule.trigger(AMS, timedelta(hours=102))) == "ritual[fri 14:00 +102h]"
    assert str(schedule.trigger(AMS, timedelta(minutes=90))) == "ritual[fri 14:00 +90m]"
    assert str(schedule.trigger(AMS)) == "ritual[fri 14:00]"


async def test_adding_and_running_offset_jobs_logs_no_traceback(make_harness, caplog: pytest.LogCaptureFixture) -> None:  # type: ignore[no-untyped-def]
    h = await make_harness(TEAM_TOML)
    caplog.set_level(logging.DEBUG)
    scheduler = RitualScheduler(h.bot.engine)
    await scheduler.start()
    try:
        for job in scheduler.scheduler.get_jobs():
            str(job)
    finally:
        scheduler.stop()
    assert not [r for r in caplog.records if r.exc_info or "unsupported format" in r.getMessage()]
    assert any("noord/weekly_success_mistake/sharer" in r.getMessage() for r in caplog.records)
