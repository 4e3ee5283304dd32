"""The database may go away: `ritualbot run` loses nothing and doubles nothing when
PostgreSQL is unreachable for 30 s around a firing, and `/healthz` says so meanwhile.

The shared PostgreSQL server is not ours to stop, so the outage is made between the bot
and the server: the bot connects through a small TCP proxy on loopback that the test cuts
(refusing new connections, dropping open ones) and restores, and the bot's server-side
sessions are ended with `pg_terminate_backend`.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import aiohttp
import pytest
from sqlalchemy import text

from bot.store.database import make_engine
from tests.conftest import PG_URL, free_port
from tests.fakes.slack_api import FakeSlack
from tests.test_replicas_e2e import SECRET, fire_minute, firing_statuses, prompts, seed, teams_toml
from tests.test_run_e2e import ritualbot, slack_env, wait_for

pytestmark = pytest.mark.skipif(not PG_URL.startswith("postgres"),
                                reason="the outage is made on PostgreSQL (set RITUALBOT_TEST_DATABASE_URL)")

APP_NAME = "ritualbot-outage-test"


class CuttableProxy:
    """A TCP proxy on 127.0.0.1 that can be cut (refuse and drop everything) and restored."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = free_port()
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def restore(self) -> None:
        self._server = await asyncio.start_server(self._client, "127.0.0.1", self.port)

    async def cut(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        self._writers |= {writer, up_writer}

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(OSError, asyncio.IncompleteReadError):
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            dst.transport.abort()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
        self._writers -= {writer, up_writer}


def terminate_bot_sessions() -> int:
    engine = make_engine(PG_URL)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                     "WHERE datname = current_database() AND application_name = :name"),
                                {"name": APP_NAME})
            return len(rows.fetchall())
    finally:
        engine.dispose()


async def health(http: aiohttp.ClientSession, base: str) -> int:
    return (await health_of_database(http, base))[0]


async def health_of_database(http: aiohttp.ClientSession, base: str) -> tuple[int, str]:
    """/healthz's status and what it says of the database; (0, "") when it does not answer."""
    try:
        async with http.get(base + "/healthz", timeout=aiohttp.ClientTimeout(total=5)) as resp:
            return resp.status, str((await resp.json()).get("database"))
    except (TimeoutError, aiohttp.ClientError, ValueError):
        return 0, ""


@pytest.mark.timeout(400)
async def test_thirty_seconds_without_the_database_lose_and_double_nothing(tmp_path: Path,
                                                                           database_url: str) -> None:
    count = 5
    parts = urlsplit(PG_URL)
    proxy = CuttableProxy(parts.hostname or "127.0.0.1", parts.port or 5432)
    await proxy.restore()
    netloc = parts.netloc.rsplit(":", 1)[0] if parts.port else parts.netloc
    via_proxy = urlunsplit((parts.scheme, f"{netloc}:{proxy.port}", parts.path,
                            f"application_name={APP_NAME}", ""))
    async with FakeSlack() as slack, aiohttp.ClientSession() as http:
        seed(slack, count)
        at = fire_minute(timedelta(seconds=45))
        env = slack_env(slack, SLACK_SIGNING_SECRET=SECRET)
        async with ritualbot(tmp_path, via_proxy, teams_toml(count, at), env) as bot:
            await bot.wait_healthy(http, timeout=60)
            while datetime.now(UTC) < at - timedelta(seconds=10):
                await asyncio.sleep(0.5)
            await proxy.cut()
            assert terminate_bot_sessions() >= 0
            cut_at = time.monotonic()
            seen: set[tuple[int, str]] = set()
            while time.monotonic() - cut_at < 30:  # 30 s without the database, across the firing minute
                seen.add(await health_of_database(http, bot.base))
                await asyncio.sleep(1)
            # in start-up's words (bot/store/outage.py), not "error: OperationalError"
            assert (503, "unreachable") in seen and not {status for status, _ in seen} & {200}, seen
            assert prompts(slack, count) == {f"C{i:09d}": 0 for i in range(count)}  # nothing posted blind
            await proxy.restore()
            deadline = time.monotonic() + 30
            while await health(http, bot.base) != 200:
                assert time.monotonic() < deadline, "healthz did not come back to 200"
                await asyncio.sleep(0.5)
            await wait_for(lambda: all(n >= 1 for n in prompts(slack, count).values()), "every prompt", timeout=120)
            await wait_for(lambda: firing_statuses() == {"done": count}, "every firing recorded done", timeout=60)
            assert prompts(slack, count) == {f"C{i:09d}": 1 for i in range(count)}
            assert "trying again" in bot.log() or "taken over" in bot.log() or "taking over" in bot.log()
            # the outage said once, and its end once: not a line per background job per try
            told = [line.split("ritualbot.scheduler: ", 1)[1] for line in bot.log().splitlines()
                    if "ritualbot.scheduler: database: " in line or "ritualbot.scheduler: could not" in line]
            assert len(told) == 2 and told[0].startswith("database: unreachable (OperationalError), met trying to")
            assert told[1].startswith("database: reachable again after"), told
            code, _ = await bot.terminate(timeout=30)
            assert code == 0
    await proxy.cut()
