"""Replicas as an operator runs them: several `ritualbot run` processes on one PostgreSQL.

- Three processes, 1,000 teams whose prompt fires in the same minute, one killed with
  SIGKILL in the middle of the fan-out: every team gets its prompt exactly once (or, where
  nobody can know, its admins are asked), within two minutes of the kill.
- Two processes, a schedule change made through one: both obey it, one prompt.

The processes run on the wall clock, so the schedule is a minute or two ahead; the leases
are short (`lease_seconds`) so a takeover happens within seconds.
"""

from __future__ import annotations

import asyncio
import time
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import text

from bot.store.database import make_engine
from tests.conftest import PG_URL
from tests.fakes.slack_api import FakeSlack
from tests.test_run_e2e import BotProcess, post_signed, ritualbot, slack_env, wait_for

pytestmark = pytest.mark.skipif(not PG_URL.startswith("postgres"),
                                reason="replicas need PostgreSQL (set RITUALBOT_TEST_DATABASE_URL)")

SECRET = "replica-signing-secret-0123456789ab"
ADMIN = "U0ADMIN0001"
PROMPT_TEXT = "succes"  # in the Dutch prompt's first line ("Weeksucces en weekfout")


def fire_minute(lead: timedelta) -> datetime:
    """The first whole minute at least `lead` from now (UTC)."""
    moment = datetime.now(UTC) + lead
    return moment.replace(second=0, microsecond=0) + timedelta(minutes=1)


def teams_toml(count: int, at: datetime, *, extra: str = "") -> str:
    head = (f'language = "nl"\ntimezone = "UTC"\nlease_seconds = 10\nmax_concurrent_posts = 8\n'
            f'settings_check_seconds = 5\nworking_hours = "00:00-24:00"\n'
            f'working_days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]\n{extra}')
    teams = "".join(
        f'\n[[teams]]\nid = "t{i:04d}"\nplatform = "slack"\nchannel = "C{i:09d}"\nadmins = ["{ADMIN}"]\n'
        f'members = ["{ADMIN}", "U{i:09d}"]\n[teams.rituals.weekly_success_mistake]\n'
        f'schedule = "daily {at:%H:%M}"\nsharer_notice_hours = 0\ndigest_after_hours = 2\n'
        for i in range(count))
    return head + teams


def seed(slack: FakeSlack, count: int) -> None:
    slack.add_user(ADMIN, "admin", locale="nl-NL")
    for i in range(count):
        slack.add_user(f"U{i:09d}", f"m{i}", locale="nl-NL")
        slack.add_channel(f"C{i:09d}", [ADMIN, f"U{i:09d}"])


def prompts(slack: FakeSlack, count: int) -> dict[str, int]:
    """How many prompts each team channel got."""
    return {f"C{i:09d}": sum(1 for m in slack.messages(f"C{i:09d}", include_replies=False)
                             if m.metadata is not None) for i in range(count)}


def firing_statuses() -> dict[str, int]:
    engine = make_engine(PG_URL)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT status, count(*) FROM firing WHERE step = 'prompt' GROUP BY status"))
            return {str(status): int(n) for status, n in rows}
    finally:
        engine.dispose()


@pytest.mark.timeout(600)
async def test_three_replicas_one_killed_mid_fan_out_lose_and_double_nothing(tmp_path: Path,
                                                                             database_url: str) -> None:
    count = 1000
    async with FakeSlack() as slack, aiohttp.ClientSession() as http, AsyncExitStack() as stack:
        seed(slack, count)
        slack.delay("chat.postMessage", 0.3)  # a slow Slack: the fan-out takes a while
        at = fire_minute(timedelta(seconds=75))
        toml = teams_toml(count, at)
        env = slack_env(slack, SLACK_SIGNING_SECRET=SECRET)
        bots: list[BotProcess] = []
        for _ in range(3):
            bots.append(await stack.enter_async_context(ritualbot(tmp_path, database_url, toml, env)))
        for bot in bots:
            await bot.wait_healthy(http, timeout=120)
        assert datetime.now(UTC) < at, "the replicas started too slowly for the chosen minute"
        posts = slack.calls_to
        await wait_for(lambda: len(posts("chat.postMessage")) >= 150, "the fan-out to be under way",
                       timeout=(at - datetime.now(UTC)).total_seconds() + 60)
        victim = bots[0]
        victim.proc.kill()  # SIGKILL: no clean-up, its leases simply stop being renewed
        await victim.proc.wait()
        killed_at = time.monotonic()
        assert sum(prompts(slack, count).values()) < count, "killed too late: the fan-out was over"

        def settled() -> bool:
            statuses = firing_statuses()
            return statuses.get("running", 0) == 0 and sum(statuses.values()) == count

        await wait_for(settled, "every firing to be settled", timeout=120)
        assert time.monotonic() - killed_at < 120
        got = prompts(slack, count)
        statuses = firing_statuses()
        asked = [m for m in slack.messages(ADMIN) if "niet zeker" in m.text]
        doubled = [c for c, n in got.items() if n > 1]
        lost = [c for c, n in got.items() if n == 0]
        assert doubled == [], f"teams that got the prompt twice: {doubled[:10]}"
        assert len(lost) == len(asked) == statuses.get("unconfirmed", 0), (lost[:10], statuses)
        assert statuses.get("done", 0) + statuses.get("unconfirmed", 0) == count, statuses
        assert "taking over" in "".join(b.log() for b in bots[1:])
        for bot in bots[1:]:
            code, _ = await bot.terminate(timeout=30)
            assert code == 0


@pytest.mark.timeout(400)
async def test_a_schedule_change_through_one_replica_is_obeyed_by_both(tmp_path: Path, database_url: str) -> None:
    count = 1
    async with FakeSlack() as slack, aiohttp.ClientSession() as http, AsyncExitStack() as stack:
        seed(slack, count)
        first = fire_minute(timedelta(seconds=50))
        old = first + timedelta(minutes=1)  # the schedule in config.toml
        toml = teams_toml(count, old)
        env = slack_env(slack, SLACK_SIGNING_SECRET=SECRET)
        a = await stack.enter_async_context(ritualbot(tmp_path, database_url, toml, env))
        b = await stack.enter_async_context(ritualbot(tmp_path, database_url, toml, env))
        for bot in (a, b):
            await bot.wait_healthy(http, timeout=60)
        payload = slack.slash_command_payload(text=f"schedule weekly_success_mistake daily {first:%H:%M}",
                                              user_id=ADMIN, channel_id="C000000000")
        assert await post_signed(http, a, payload, SECRET) == 200
        await wait_for(lambda: any("elke dag" in str(r.body.get("text")) for r in slack.responses), "the answer")
        assert datetime.now(UTC) < first, "the change came too late for the test's minute"
        await wait_for(lambda: "team settings changed on another replica" in b.log(), "replica b to notice",
                       timeout=30)
        # past the old moment too: neither replica may post at the time config.toml still says
        while datetime.now(UTC) < old + timedelta(seconds=20):
            await asyncio.sleep(1)
        assert prompts(slack, count) == {"C000000000": 1}
        assert firing_statuses() == {"done": 1}
        assert "weekly_success_mistake/prompt due" in a.log() + b.log()
