"""Schedules that come round more than once a day are refused (found by an attacker test:
`schedule = "* * * * *"` stalled the event loop for seconds at every start, while the
engine looked at each of its firings). A ritual comes round daily at most."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from bot.config import ConfigError, load_config
from bot.overrides import SCHEDULE_PREFIX
from bot.registry import discover
from bot.ritual import ContractError, Ritual, check_contract
from bot.store import Store
from tests.conftest import AMS, TEAM_TOML
from tests.test_schedule_never import _team

TOO_OFTEN = ["* * * * *", "*/5 * * * *", "0 9,17 * * *", "0,30 14 * * 5", "0 9-10 1 * *"]
ONCE_A_DAY_AT_MOST = ["daily 08:00", "0 9 * * 1-5", "weekdays 17:00", "mon,thu 09:30", "first tue 14:00",
                      "fri 14:00", "0 14 * * 5", "0 9 1,15 * *"]


@pytest.mark.parametrize("schedule", TOO_OFTEN)
def test_config_refuses_a_schedule_more_often_than_daily(tmp_path: Path, schedule: str) -> None:
    path = tmp_path / "c.toml"
    path.write_text(_team(schedule))
    with pytest.raises(ConfigError) as err:
        load_config(path, discover())
    (problem,) = err.value.problems
    assert problem.startswith(f"{path}: teams[0].rituals.weekly_success_mistake.schedule: bad schedule:")
    assert f"'{schedule}' comes round more than once a day" in problem


@pytest.mark.parametrize("schedule", ONCE_A_DAY_AT_MOST)
def test_daily_weekly_and_monthly_schedules_stay_accepted(tmp_path: Path, schedule: str) -> None:
    path = tmp_path / "c.toml"
    path.write_text(_team(schedule))
    [team] = load_config(path, discover()).teams
    assert team.rituals["weekly_success_mistake"].schedule == schedule


def test_check_config_command_refuses_it(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text(_team("* * * * *"))
    done = subprocess.run([sys.executable, "-m", "bot", "check-config", str(path)], capture_output=True, text=True)
    assert done.returncode != 0
    assert "weekly_success_mistake.schedule" in done.stderr and "more than once a day" in done.stderr


async def test_admin_command_refuses_it_and_nothing_changes(make_harness) -> None:  # type: ignore[no-untyped-def]
    h = await make_harness(TEAM_TOML)
    out = await h.local.command("anna", "schedule weekly_success_mistake * * * * *", channel="C1")
    assert "vaker dan eens per dag" in out[-1].text
    assert await h.store.team_settings() == {}
    assert h.bot.resolved[("noord", "weekly_success_mistake")].schedule.source == "fri 14:00"


async def test_a_stored_every_minute_schedule_no_longer_stalls_start_up(store: Store, make_harness) -> None:  # type: ignore[no-untyped-def]
    """An admin could set one before this version: at start it is set aside with a log line
    and config.toml's schedule stands; start-up does not stall (the loop-lag watch)."""
    await store.put_team_setting("noord", SCHEDULE_PREFIX + "weekly_success_mistake", "* * * * *", "fri 14:00",
                                 "anna", datetime(2026, 11, 1, 9, 0, tzinfo=AMS))
    h = await make_harness(TEAM_TOML)
    assert h.bot.resolved[("noord", "weekly_success_mistake")].schedule.source == "fri 14:00"
    assert h.bot.engine.next_firing("noord", "weekly_success_mistake") == datetime(2026, 12, 4, 14, 0, tzinfo=AMS)


def test_a_ritual_whose_default_comes_round_every_minute_is_refused_when_loaded() -> None:
    class Busy(Ritual):
        id = "busy"
        title = {"nl": "Druk", "en": "Busy"}
        default_schedule = "* * * * *"

    with pytest.raises(ContractError, match="'busy': default_schedule: '\\* \\* \\* \\* \\*' comes round more"):
        check_contract(Busy)
