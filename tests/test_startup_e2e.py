"""Honest start-up, with `ritualbot run` as a real process (issue 14).

An operator's first day: PostgreSQL not up yet, a token pasted wrong, Slack or
Mattermost not reachable, no tokens at all. Each gets one clear line that says what is
wrong and what to do, the bot keeps trying with backoff (no traceback, no exit), and
`/healthz` says `ok` only when the database is up and every configured platform is
connected. A team whose platform has no credentials is not run unless `--local` is asked.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import pytest

from tests.conftest import PG_URL, free_port
from tests.fakes.mattermost_api import FakeMattermost
from tests.fakes.slack_api import FakeSlack
from tests.test_run_e2e import (
    HEADER,
    MM_TEAM_TOML,
    SLACK_CH,
    SLACK_TEAM,
    BotProcess,
    mattermost_env,
    seed_mattermost,
    seed_slack,
    slack_env,
    wait_for,
)


@asynccontextmanager
async def ritualbot(tmp_path: Path, database_url: str, toml: str, env: dict[str, str], *extra: str,
                    port: int | None = None) -> AsyncIterator[BotProcess]:
    """`python -m bot run` with `extra` arguments and only the platform variables in `env`."""
    config = tmp_path / "config.toml"
    config.write_text(toml)
    port = port or free_port()
    ours = ("SLACK_", "MATTERMOST_", "BOT_PUBLIC_URL", "RITUALBOT_SECRET", "DATABASE_URL")
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(ours)}
    log_path = tmp_path / f"ritualbot-{port}.log"
    with log_path.open("w") as out:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", "--config", str(config), "--port", str(port),
            "--host", "127.0.0.1", *extra, cwd=tmp_path, stdout=out, stderr=out,
            env={**inherited, "DATABASE_URL": database_url, "NO_PROXY": "127.0.0.1", **env})
    try:
        yield BotProcess(proc, port, log_path)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


async def health(http: aiohttp.ClientSession, bot: BotProcess) -> tuple[int, dict[str, Any]]:
    async with http.get(bot.base + "/healthz", timeout=aiohttp.ClientTimeout(total=3)) as resp:
        return resp.status, dict(await resp.json())


async def health_when(http: aiohttp.ClientSession, bot: BotProcess, platform: str, state: str,
                      timeout: float = 30) -> tuple[int, dict[str, Any]]:
    """Poll /healthz until the database is up and `platform` reports `state`; the last answer.
    (While the database is awaited, the port already answers with what the environment says
    of each platform: bot/gate.py.)"""
    found: list[tuple[int, dict[str, Any]]] = []

    async def check() -> bool:
        assert bot.proc.returncode is None, f"ritualbot exited:\n{bot.log()}"
        try:
            found.append(await health(http, bot))
        except (TimeoutError, aiohttp.ClientError):
            return False
        body = found[-1][1]
        return body.get("database") == "ok" and body.get("platforms", {}).get(platform) == state

    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, f"/healthz: {found[-1:]}\n{bot.log()}"
        await asyncio.sleep(0.1)
    return found[-1]


async def log_says(bot: BotProcess, text: str, times: int = 1, timeout: float = 30) -> None:
    await wait_for(lambda: bot.log().count(text) >= times, f"{times}x {text!r} in the log:\n{bot.log()}", timeout)


@asynccontextmanager
async def forwarder(port: int, target_port: int) -> AsyncIterator[None]:
    """A TCP port that starts accepting only now and passes everything on to `target_port`:
    a server that was down when the bot started and came up later."""
    async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", target_port)
        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))

    server = await asyncio.start_server(handle, "127.0.0.1", port)
    try:
        yield
    finally:
        server.close()


async def stops_cleanly(bot: BotProcess) -> None:
    code, _ = await bot.terminate()
    assert code == 0, bot.log()
    assert "Traceback" not in bot.log(), bot.log()


# the database ------------------------------------------------------------------------------------


async def test_postgresql_down_at_start_says_so_and_keeps_trying(tmp_path: Path) -> None:
    down = f"postgresql://ritualbot:s3cret@127.0.0.1:{free_port()}/ritualbot"
    async with ritualbot(tmp_path, down, HEADER, {}) as bot:
        where = f"database: cannot reach PostgreSQL at 127.0.0.1:{urlsplit(down).port}/ritualbot"
        await log_says(bot, where, times=2)  # tried again, with a pause in between
        assert "trying again in 1 s" in bot.log() and "trying again in 2 s" in bot.log()
        assert "s3cret" not in bot.log()  # the password never reaches the log
        assert bot.proc.returncode is None  # waiting, not exited
        await stops_cleanly(bot)  # SIGTERM while waiting for the database


@pytest.mark.skipif(not PG_URL.startswith("postgres"), reason="needs RITUALBOT_TEST_DATABASE_URL (PostgreSQL)")
async def test_bot_starts_once_postgresql_comes_up(tmp_path: Path, database_url: str) -> None:
    real = urlsplit(database_url)
    port = free_port()
    later = database_url.replace(f"{real.hostname}:{real.port or 5432}", f"127.0.0.1:{port}")
    async with ritualbot(tmp_path, later, HEADER, {}) as bot, aiohttp.ClientSession() as http:
        await log_says(bot, "database: cannot reach PostgreSQL")
        async with forwarder(port, real.port or 5432):
            assert (await bot.wait_healthy(http, timeout=60))["database"] == "ok"
            await stops_cleanly(bot)


# without tokens ----------------------------------------------------------------------------------


async def test_team_without_credentials_is_not_run(tmp_path: Path, database_url: str) -> None:
    toml = HEADER + SLACK_TEAM + SLACK_TEAM.replace('"noord"', '"west"').replace(SLACK_CH, "C0E2EWEST01")
    async with ritualbot(tmp_path, database_url, toml, {}) as bot, aiohttp.ClientSession() as http:
        status, body = await health_when(http, bot, "slack", "no credentials")
        assert status == 503 and body["status"] == "degraded" and body["database"] == "ok"
        await stops_cleanly(bot)
    log = bot.log()
    for team in ("noord", "west"):  # loudly, once per team
        assert log.count(f"team {team} is not run: it is configured for slack, but SLACK_BOT_TOKEN is not set") == 1
    assert "run on the local platform" not in log


async def test_local_flag_runs_them_locally_and_health_says_so(tmp_path: Path, database_url: str) -> None:
    async with ritualbot(tmp_path, database_url, HEADER + SLACK_TEAM, {}, "--local") as bot, \
            aiohttp.ClientSession() as http:
        status, body = await health_when(http, bot, "slack", "local")
        assert status == 503 and body["status"] == "degraded"  # a Slack team on the local platform reaches nobody
        await stops_cleanly(bot)
    assert "team noord: no slack credentials (SLACK_BOT_TOKEN); --local: it runs on the local platform" in bot.log()


async def test_local_teams_alone_are_healthy(tmp_path: Path, database_url: str) -> None:
    toml = HEADER + SLACK_TEAM.replace('platform = "slack"', 'platform = "local"')
    async with ritualbot(tmp_path, database_url, toml, {}) as bot, aiohttp.ClientSession() as http:
        body = await bot.wait_healthy(http)
        assert body == {"status": "ok", "database": "ok", "platforms": {"local": "local"}}
        await stops_cleanly(bot)


# wrong tokens, unreachable servers -----------------------------------------------------------------


async def test_wrong_slack_token_says_which_and_keeps_trying(tmp_path: Path, database_url: str) -> None:
    async with FakeSlack() as slack, aiohttp.ClientSession() as http:
        seed_slack(slack)
        env = slack_env(slack, SLACK_APP_TOKEN=slack.app_token) | {"SLACK_BOT_TOKEN": "xoxb-pasted-wrong"}
        async with ritualbot(tmp_path, database_url, HEADER + SLACK_TEAM, env) as bot:
            status, body = await health_when(http, bot, "slack", "token refused")
            assert status == 503 and body["database"] == "ok"
            await log_says(bot, "slack: SLACK_BOT_TOKEN was refused (invalid_auth): copy the Bot User OAuth Token",
                           times=2)
            assert "xoxb-pasted-wrong" not in bot.log()
            await stops_cleanly(bot)


async def test_wrong_slack_app_token_is_named(tmp_path: Path, database_url: str) -> None:
    async with FakeSlack() as slack, aiohttp.ClientSession() as http:
        seed_slack(slack)
        env = slack_env(slack, SLACK_APP_TOKEN="xapp-pasted-wrong")
        async with ritualbot(tmp_path, database_url, HEADER + SLACK_TEAM, env) as bot:
            await log_says(bot, "slack: SLACK_APP_TOKEN was refused (invalid_auth)")
            status, _ = await health(http, bot)
            assert status == 503
            await stops_cleanly(bot)


async def test_slack_unreachable_at_start_connects_when_it_comes_back(tmp_path: Path, database_url: str) -> None:
    async with FakeSlack() as slack, aiohttp.ClientSession() as http:
        seed_slack(slack)
        port = free_port()
        env = slack_env(slack, SLACK_APP_TOKEN=slack.app_token,
                        SLACK_API_URL=f"http://127.0.0.1:{port}/api/")
        async with ritualbot(tmp_path, database_url, HEADER + SLACK_TEAM, env) as bot:
            await log_says(bot, f"slack: cannot reach Slack at http://127.0.0.1:{port}/api/")
            status, body = await health_when(http, bot, "slack", "unreachable")
            assert status == 503
            slack_port = int(urlsplit(slack.base_url).port or 0)
            async with forwarder(port, slack_port):
                body = await bot.wait_healthy(http, timeout=90)
                assert body["platforms"] == {"slack": "connected"} and body["status"] == "ok"
                await stops_cleanly(bot)


async def test_wrong_mattermost_token_and_unreachable_server(tmp_path: Path, database_url: str) -> None:
    async with FakeMattermost() as mm, aiohttp.ClientSession() as http:
        seed_mattermost(mm)
        port = free_port()
        env = mattermost_env(mm, port) | {"MATTERMOST_TOKEN": "pasted-wrong"}
        async with ritualbot(tmp_path, database_url, HEADER + MM_TEAM_TOML, env, port=port) as bot:
            status, _ = await health_when(http, bot, "mattermost", "token refused")
            assert status == 503
            await log_says(bot, f"mattermost: {mm.url} refused MATTERMOST_TOKEN")
            await stops_cleanly(bot)
    nowhere = f"http://127.0.0.1:{free_port()}"
    env = {"MATTERMOST_URL": nowhere, "MATTERMOST_TOKEN": "t", "MATTERMOST_COMMAND_TOKEN": "c",
           "BOT_PUBLIC_URL": "http://127.0.0.1:1"}
    async with ritualbot(tmp_path, database_url, HEADER + MM_TEAM_TOML, env) as bot, \
            aiohttp.ClientSession() as http:
        await log_says(bot, f"mattermost: cannot reach {nowhere}", timeout=60)
        status, body = await health_when(http, bot, "mattermost", "unreachable")
        assert status == 503
        await stops_cleanly(bot)
