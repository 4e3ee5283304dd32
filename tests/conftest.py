"""Shared fixtures: a real database (SQLite file or PostgreSQL), a fake clock, and a bot
on the local platform built from a TOML snippet.

`RITUALBOT_TEST_DATABASE_URL` selects the database: unset means a fresh SQLite file per
test; a `postgresql://` URL means that server, migrated once and emptied before each test.
"""

from __future__ import annotations

import importlib
import inspect
import os
import pkgutil
import socket
import textwrap
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, text

from bot.app import RitualBot
from bot.clock import FakeClock
from bot.config import AppConfig, parse_config
from bot.looplag import LoopLagMonitor, Stall
from bot.platforms.local import LocalPlatform
from bot.registry import discover
from bot.simulation import advance
from bot.store import Store
from bot.store.database import make_engine, open_database, upgrade
from bot.wiring import build_bot

AMS = ZoneInfo("Europe/Amsterdam")
PG_URL = os.environ.get("RITUALBOT_TEST_DATABASE_URL", "")


def _empty_all_tables(engine: Engine) -> None:
    with engine.begin() as conn:
        names = [r[0] for r in conn.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'alembic_version'"))]
        if names:
            conn.execute(text("TRUNCATE " + ", ".join(f'"{n}"' for n in names) + " RESTART IDENTITY CASCADE"))


@pytest.fixture(scope="session")
def _pg_engine() -> Iterator[Engine | None]:
    if not PG_URL.startswith("postgres"):
        yield None
        return
    engine = make_engine(PG_URL)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def database_url(tmp_path: Path, _pg_engine: Engine | None) -> str:
    """A URL for an empty, migrated database of the kind under test."""
    if _pg_engine is not None:
        _empty_all_tables(_pg_engine)
        return PG_URL
    return f"sqlite:///{tmp_path / 'ritualbot.db'}"


@pytest.fixture
def store(database_url: str, _pg_engine: Engine | None) -> Store:
    return Store(_pg_engine if _pg_engine is not None else open_database(database_url))


async def team_walks(store: Store, team_id: str, leader_id: str | None = None) -> list[Any]:
    """walk_and_listen's walks of one team (of one leader), by week, read as the ritual does."""
    from bot.ritual_store import RitualStore
    from rituals import walk_store

    return await walk_store.walks(RitualStore(store, team_id, "walk_and_listen", lambda: datetime.now(AMS)), leader_id)


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now, for a server a test starts."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


_RITUALS = discover()  # once, at collection: scanning entry points and importing rituals takes a while


def _import_everything() -> None:
    """Import every module of the bot and its rituals now, at collection: a test that imports
    one for the first time inside its event loop would stall the loop for reasons of test
    order, not of the bot (a running bot imports them at start-up)."""
    import bot
    import rituals

    for package in (bot, rituals):
        for found in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            if ".migrations" not in found.name and not found.name.endswith("__main__"):
                importlib.import_module(found.name)


_import_everything()


def make_config(toml: str) -> AppConfig:
    import tomllib

    return parse_config(tomllib.loads(textwrap.dedent(toml)), _RITUALS)


@dataclass
class Harness:
    """A bot on the local platform with a fake clock: the tests' user-story driver."""

    bot: RitualBot
    local: LocalPlatform
    clock: FakeClock
    store: Store

    async def advance(self, delta: timedelta) -> list[tuple[object, datetime, str]]:
        return await advance(self.bot, self.clock, self.clock.now() + delta)  # type: ignore[return-value]

    async def advance_to(self, moment: datetime) -> list[tuple[object, datetime, str]]:
        return await advance(self.bot, self.clock, moment)  # type: ignore[return-value]


@pytest.fixture
def make_harness(store: Store):  # type: ignore[no-untyped-def]
    """`await make_harness(toml, start=datetime(...), channels={...})` -> Harness."""

    async def build(toml: str, *, start: datetime = datetime(2026, 11, 30, 8, 0, tzinfo=AMS),
                    channels: dict[str, list[str]] | None = None, locales: dict[str, str] | None = None,
                    timezones: dict[str, str] | None = None) -> Harness:
        config = make_config(toml)
        if channels is None:
            channels = {t.channel: list(t.members) if isinstance(t.members, list) else [] for t in config.teams}
        local = LocalPlatform(channels, locales=locales, timezones=timezones)
        clock = FakeClock(start)
        bot = await build_bot(config, discover(), {"local": local}, clock, store)
        for team in bot.teams.values():
            await store.ensure_team(team.id, team.platform, team.channel, clock.now())
        await local.start(bot)
        return Harness(bot, local, clock, store)

    return build


TEAM_TOML = """
language = "nl"
[[teams]]
id = "noord"
platform = "local"
channel = "C1"
admins = ["anna"]
leaders = ["anna"]
members = ["anna", "bram", "cor", "dewi", "eva"]
[teams.rituals.weekly_success_mistake]
schedule = "fri 14:00"
"""


# the event loop never stalls (issue 9, point 1) -------------------------------------------------


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "loop_stalls_allowed(why): this test stalls the event loop on purpose")


def fail_on_stalls(stalls: list[Stall]) -> None:
    """Fail the test when our code stalled the event loop (CPU starvation by others is not ours)."""
    if stalls:
        pytest.fail("the event loop stalled in our code:\n" + "\n".join(s.describe() for s in stalls), pytrace=False)


@pytest.fixture
async def _loop_watch() -> AsyncIterator[LoopLagMonitor]:
    monitor = LoopLagMonitor()
    monitor.start()
    yield monitor
    monitor.stop()
    fail_on_stalls(monitor.blamed())


@pytest.fixture(autouse=True)
def _no_loop_stalls(request: pytest.FixtureRequest) -> None:
    """Every async test (every flow on the local, Slack and Mattermost fakes) runs watched: a
    stall over 100 ms caused by our code fails it (`bot/looplag.py`)."""
    if inspect.iscoroutinefunction(request.function) and request.node.get_closest_marker("loop_stalls_allowed") is None:
        request.getfixturevalue("_loop_watch")


SLACK_CHANNEL = "C0RITUAL001"
SLACK_TEAM = ["U0ALICE001", "U0BOB00001", "U0CAROL001", "U0DAVE0001", "U0ERIN0001"]


@pytest.fixture(name="slack")
async def fake_slack_team() -> AsyncIterator[Any]:
    """The Slack fake with five people in one channel, for the fake's own tests
    (tests/test_fake_slack_api.py, tests/test_fake_slack_socket.py)."""
    from tests.fakes.slack_api import FakeSlack

    async with FakeSlack() as fake:
        fake.add_user("U0ALICE001", "alice", locale="nl-NL", tz="Europe/Amsterdam")
        for uid in SLACK_TEAM[1:]:
            fake.add_user(uid, uid[3:].lower().rstrip("0123456789"), tz="America/New_York")
        fake.add_channel(SLACK_CHANNEL, members=SLACK_TEAM, name="team-rituals")
        yield fake


MM_ALICE, MM_BOB = "alice0000000000000000000aa", "bob00000000000000000000000"
MM_CHANNEL, MM_TEAM = "chan0000000000000000000000", "team0000000000000000000000"


@pytest.fixture(name="mm")
async def fake_mattermost_team() -> AsyncIterator[Any]:
    """The Mattermost fake with two people and the bot in one channel, for the fake's own
    tests (tests/test_fake_mattermost_api.py, tests/test_fake_mattermost_socket.py); a
    test module with its own `mm` fixture uses that one."""
    from tests.fakes.mattermost_api import FakeMattermost

    async with FakeMattermost() as server:
        server.add_user(MM_ALICE, "alice")
        server.add_user(MM_BOB, "bob", locale="en")
        server.add_channel(MM_CHANNEL, MM_TEAM, members=[server.bot_user_id, MM_ALICE, MM_BOB], name="retro")
        yield server
