"""Running ritualbot as a service (issue 14): logs an operator can read, `--version`,
`db upgrade` saying what it applied, and nothing used up for a team without its platform."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import aiohttp

from bot.clock import FakeClock
from bot.platforms.local import LocalPlatform
from bot.registry import discover
from bot.simulation import advance
from bot.store import Store
from bot.wiring import build_bot
from tests.conftest import AMS, make_config
from tests.test_run_e2e import HEADER, SLACK_TEAM
from tests.test_startup_e2e import ritualbot

ROOT = Path(__file__).parent.parent
LOCAL_TEAM = HEADER + SLACK_TEAM.replace('platform = "slack"', 'platform = "local"')


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, **(env or {})}, timeout=120)


def test_version() -> None:
    result = cli("--version")
    assert result.returncode == 0 and result.stdout.strip() == "ritualbot 0.1.0"


def test_db_upgrade_prints_what_it_applied(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    first = cli("db", "upgrade", "--config", "config.toml", env=env)
    assert first.returncode == 0, first.stderr
    assert "applied 0001_foundation: foundation tables" in first.stdout
    assert first.stdout.strip().endswith("database is up to date")
    again = cli("db", "upgrade", "--config", "config.toml", env=env)
    assert again.stdout.strip() == "database is up to date; nothing to apply"


async def test_quiet_by_default(tmp_path: Path, database_url: str) -> None:
    async with ritualbot(tmp_path, database_url, LOCAL_TEAM, {}) as bot, aiohttp.ClientSession() as http:
        await bot.wait_healthy(http)
        code, _ = await bot.terminate()
    log = bot.log()
    assert code == 0
    assert "apscheduler" not in log and " DEBUG " not in log, log  # no line per job, per sweep
    assert "1 teams on schedule" in log  # one summary line instead of one per step


async def test_verbose_after_the_subcommand_and_json_lines(tmp_path: Path, database_url: str) -> None:
    async with ritualbot(tmp_path, database_url, LOCAL_TEAM, {}, "-v", "--log-format", "json") as bot, \
            aiohttp.ClientSession() as http:
        await bot.wait_healthy(http)
        code, _ = await bot.terminate()
    assert code == 0
    lines = [json.loads(line) for line in bot.log().splitlines() if line.strip()]
    assert lines and all({"time", "level", "logger", "message"} <= set(line) for line in lines)
    assert any(line["level"] == "debug" and line["logger"].startswith("ritualbot") for line in lines)
    assert any(line["logger"].startswith("apscheduler") for line in lines)  # -v shows the scheduler too
    assert not any(line["logger"].startswith(("slack_sdk", "mattermostdriver")) and line["level"] == "debug"
                   for line in lines)


async def test_team_without_its_platform_uses_nothing_up(store: Store) -> None:
    """No tokens: the Slack team's rounds are neither posted nor recorded, so they are still
    there when the tokens arrive (the runner adds the platform once it is connected)."""
    config = make_config(HEADER + SLACK_TEAM + LOCAL_TEAM.removeprefix(HEADER).replace('"noord"', '"zuid"')
                         .replace("C0E2ETEAM01", "C0LOCAL"))
    local = LocalPlatform({"C0E2ETEAM01": ["U0E2EANNA1", "U0E2EBRAM1"], "C0LOCAL": ["U0E2EANNA1"]})
    clock = FakeClock(datetime(2026, 11, 30, 8, 0, tzinfo=AMS))
    bot = await build_bot(config, discover(), {"local": local}, clock, store)  # what `run` builds without Slack tokens
    await local.start(bot)
    await advance(bot, clock, clock.now() + timedelta(days=14))
    assert (await store.firings("noord")) == []
    assert {f.status for f in (await store.firings("zuid"))} == {"done"}

    bot.platforms["slack"] = local  # the tokens arrived and Slack connected
    await bot.reload()
    fired = await advance(bot, clock, clock.now() + timedelta(days=7))
    assert [status for plan, _, status in fired if plan.team.id == "noord"]
    assert {f.status for f in (await store.firings("noord"))} == {"done"}


async def test_dry_run_marks_holidays_skips_and_pauses_and_says_what_people_get(tmp_path: Path, store: Store,
                                                                          database_url: str) -> None:
    config = tmp_path / "config.toml"
    team = SLACK_TEAM.replace("members = [", 'holidays = ["2026-12-11"]\nmembers = [', 1)
    config.write_text(HEADER + team + '[teams.rituals.walk_and_listen]\nschedule = "mon 09:00"\n'
                      '[teams.rituals.leader_checklist]\nschedule = "first wed 19:00"\n')
    await store.ensure_team("noord", "slack", "C0E2ETEAM01", datetime(2026, 11, 30, tzinfo=AMS))
    await store.set_skip("noord", "weekly_success_mistake", "2026-12-04T14:00")
    await store.set_paused("noord", "walk_and_listen", True)
    result = cli("schedule", "--config", str(config), "--from", "2026-12-01", "--count", "4",
                 env={"DATABASE_URL": database_url})
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Fri 4 Dec 2026: skipped by an admin; nothing is sent" in out
    assert "Fri 11 Dec 2026: one of the team's own days off; nothing is sent" in out
    assert "Fri 25 Dec 2026: public holiday (Christmas Day); nothing is sent" in out
    assert "Thu 17 Dec 2026 14:00  the week's sharer gets a direct message" in out
    assert "Fri 18 Dec 2026 14:00  in the team channel: the invitation to share a success and a mistake" in out
    assert "Walk and listen [mon 09:00]: paused" in out
    assert ("Thu 3 Dec 2026 08:00  each leader privately gets the checklist to reflect on their own example "
            "behaviour (outside working time, planned for Wed 2 Dec 2026 19:00)") in out
    for internal in ("  sharer", "prompt ", "digest", "propose", "followup"):
        assert internal not in out, internal
    dutch = cli("schedule", "--config", str(config), "--from", "2026-12-01", "--language", "nl",
                env={"DATABASE_URL": database_url})
    assert "vr 18 dec 2026 14:00  in het teamkanaal: de uitnodiging om een succes en een fout" in dutch.stdout
