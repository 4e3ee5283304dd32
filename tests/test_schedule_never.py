"""Schedules that never fire are refused, by check-config and by the admin command, with why."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from bot.config import ConfigError, load_config
from bot.registry import discover
from tests.conftest import TEAM_TOML

NEVER = ["0 14 31 2 *", "0 14 30 2 *", "0 9 31 4 *", "0 9 31 6,9,11 *"]


def _team(schedule: str) -> str:
    return textwrap.dedent(f"""
        [[teams]]
        id = "a"
        platform = "local"
        channel = "C"
        [teams.rituals.weekly_success_mistake]
        schedule = "{schedule}"
    """)


@pytest.mark.parametrize("schedule", NEVER)
def test_config_refuses_a_schedule_that_never_fires(tmp_path: Path, schedule: str) -> None:
    path = tmp_path / "c.toml"
    path.write_text(_team(schedule))
    with pytest.raises(ConfigError) as err:
        load_config(path, discover())
    (problem,) = err.value.problems
    assert problem.startswith(f"{path}: teams[0].rituals.weekly_success_mistake.schedule: bad schedule:")
    assert "never comes round" in problem and "400 days" in problem


def test_check_config_command_refuses_it(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text(_team("0 14 31 2 *"))
    done = subprocess.run([sys.executable, "-m", "bot", "check-config", str(path)], capture_output=True, text=True)
    assert done.returncode != 0
    assert "never comes round" in done.stderr


async def test_admin_command_refuses_it_and_nothing_changes(make_harness) -> None:  # type: ignore[no-untyped-def]
    h = await make_harness(TEAM_TOML)
    out = await h.local.command("anna", "schedule weekly_success_mistake 0 14 31 2 *", channel="C1")
    assert "komt nooit" in out[-1].text and "400" in out[-1].text
    assert "-" not in out[-1].text.split("De volgende keer")[-1][:3]
    assert await h.store.team_settings() == {}
    assert h.bot.resolved[("noord", "weekly_success_mistake")].schedule.source == "fri 14:00"
