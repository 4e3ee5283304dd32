"""Start-up with many teams: people are answered while their teams are put on schedule, and
`/healthz` says `starting` (not `ok`) until every connected platform's teams are planned."""

from __future__ import annotations

import asyncio
import threading
import tomllib
from datetime import datetime
from typing import Any

import aiohttp

from bot.clock import FakeClock
from bot.config import parse_config
from bot.context import Occurrence, RitualContext
from bot.http import build_http_app, serve
from bot.platforms.local import LocalPlatform
from bot.registry import discover
from bot.ritual import Ritual, Step, step
from bot.runner import PlatformLink
from bot.store import Store
from bot.wiring import build_bot
from tests.conftest import AMS, free_port


class SlowToPlan(Ritual):
    """A ritual whose steps take as long to plan as 10,000 teams do: until a person was answered
    (or 10 s, when planning holds the event loop and nobody can be answered meanwhile)."""

    id = "slow_to_plan"
    title = {"nl": "Traag", "en": "Slow"}
    default_schedule = "fri 14:00"

    def __init__(self) -> None:
        self.hold = False
        self.planning = threading.Event()
        self.answered = threading.Event()
        self.answered_while_planning: bool | None = None

    def steps(self, options: Any) -> list[Step]:
        if self.hold:
            self.planning.set()
            self.answered_while_planning = self.answered.wait(timeout=10)
        return [Step("main")]

    @step("main")
    async def main(self, ctx: RitualContext, occ: Occurrence) -> None:
        pass


TOML = """
language = "en"
[[teams]]
id = "noord"
platform = "local"
channel = "C1"
admins = ["anna"]
members = ["anna"]
[[teams]]
id = "zuid"
platform = "mattermost"
channel = "abcdefghijklmnopqrstuvwxyz"
[teams.rituals.slow_to_plan]
"""


async def test_a_command_is_answered_while_a_platforms_teams_are_planned(store: Store) -> None:
    types = {**discover(), "slow_to_plan": SlowToPlan}
    local = LocalPlatform({"C1": ["anna"]})
    clock = FakeClock(datetime(2026, 11, 30, 9, 0, tzinfo=AMS))
    bot = await build_bot(parse_config(tomllib.loads(TOML), types), types, {"local": local}, clock, store)
    await local.start(bot)
    ritual = bot.rituals["slow_to_plan"]
    assert isinstance(ritual, SlowToPlan) and not [p for p in bot.plans if p.ritual.id == ritual.id]
    ritual.hold = True
    bot.platforms["mattermost"] = LocalPlatform({"abcdefghijklmnopqrstuvwxyz": []})  # as the runner, once connected
    planning = asyncio.create_task(bot.reload())
    assert await asyncio.to_thread(ritual.planning.wait, 10)
    answer = await local.command("anna", "help", channel="C1")
    ritual.answered.set()
    await planning
    assert answer and ritual.answered_while_planning is True
    assert [p.job_id for p in bot.plans if p.ritual.id == ritual.id] == ["zuid/slow_to_plan/main"]


class _Connected:
    async def health(self) -> str:
        return "connected"


async def _health(store: Store, links: list[PlatformLink]) -> tuple[int, dict[str, Any]]:
    async def platforms() -> dict[str, str]:
        return {link.name: await link.health() for link in links}

    port = free_port()
    runner = await serve(build_http_app(store, [], platforms), "127.0.0.1", port)
    try:
        async with aiohttp.ClientSession() as session, session.get(f"http://127.0.0.1:{port}/healthz") as resp:
            return resp.status, await resp.json()
    finally:
        await runner.cleanup()


async def test_healthz_says_starting_until_the_teams_are_on_schedule(store: Store) -> None:
    slack = PlatformLink("slack", _Connected(), "http://127.0.0.1:1/api/")
    assert (await _health(store, [slack]))[1]["status"] == "degraded"  # not connected yet
    slack.started = True  # connected; its teams are being planned
    assert await _health(store, [slack]) == (503, {"status": "starting", "database": "ok",
                                                   "platforms": {"slack": "planning"}})
    mattermost = PlatformLink("mattermost", _Connected(), "http://127.0.0.1:2")
    mattermost.explain(ConnectionError("refused"))
    assert (await _health(store, [slack, mattermost]))[1]["status"] == "degraded"  # one is not even connected
    slack.planned = True
    assert await _health(store, [slack]) == (200, {"status": "ok", "database": "ok", "platforms": {"slack": "connected"}})
