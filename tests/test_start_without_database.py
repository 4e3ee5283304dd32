"""`ritualbot run` started before its database: the port is open at once, `/healthz` says
503 with the database `unreachable`, Slack and Mattermost hear that the bot is starting (in
the team's language), and all is as usual once the database is there (issue 10 point 7).

A real process: on PostgreSQL the bot reaches the server through a loopback proxy that is
closed at first and opened during the test; on SQLite the database file's directory cannot
be made at first (a plain file stands where it should be) and is freed during the test.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import aiohttp

from bot.platforms.kit.texts import say
from tests.conftest import free_port
from tests.fakes.mattermost_api import FakeMattermost
from tests.fakes.slack_api import FakeSlack, sign_request
from tests.test_database_outage import CuttableProxy
from tests.test_run_e2e import (
    ANNA,
    HEADER,
    LIEN,
    MM_TEAM_TOML,
    SECRET,
    SLACK_CH,
    SLACK_TEAM,
    mattermost_env,
    mm_command,
    ritualbot,
    seed_mattermost,
    seed_slack,
    slack_env,
)

# The Slack team speaks Dutch, the install and the Mattermost team English.
DUTCH_SLACK_TEAM = SLACK_TEAM.replace('platform = "slack"\n', 'platform = "slack"\nlanguage = "nl"\n')


@asynccontextmanager
async def database_not_there_yet(tmp_path: Path, database_url: str) -> AsyncIterator[tuple[str, Any]]:
    """(a URL the bot cannot open yet, an async callable that makes it openable)."""
    if database_url.startswith("sqlite"):
        blocker = tmp_path / "not-yet"
        blocker.write_text("a file where the database's directory belongs")

        async def make_room() -> None:
            blocker.unlink()

        yield f"sqlite:///{blocker / 'ritualbot.db'}", make_room
        return
    parts = urlsplit(database_url)
    proxy = CuttableProxy(parts.hostname or "127.0.0.1", parts.port or 5432)  # cut: nothing listens yet
    netloc = parts.netloc.rsplit(":", 1)[0] if parts.port else parts.netloc
    try:
        yield urlunsplit((parts.scheme, f"{netloc}:{proxy.port}", parts.path, parts.query, "")), proxy.restore
    finally:
        await proxy.cut()


async def healthz(http: aiohttp.ClientSession, base: str) -> tuple[int, dict[str, Any]]:
    """(status, body); (0, {}) while nothing answers on the port."""
    try:
        async with http.get(base + "/healthz", timeout=aiohttp.ClientTimeout(total=5)) as resp:
            return resp.status, dict(await resp.json())
    except (TimeoutError, aiohttp.ClientError):
        return 0, {}


async def slack_post(http: aiohttp.ClientSession, base: str, body: str, content_type: str,
                     secret: str = SECRET) -> tuple[int, str]:
    headers = sign_request(secret, body, content_type=content_type)
    async with http.post(base + "/slack/events", data=body.encode(), headers=headers) as resp:
        return resp.status, await resp.text()


async def test_the_port_answers_while_the_database_is_not_there_and_all_works_after(
        tmp_path: Path, database_url: str) -> None:
    starting_nl, starting_en = (say("request.starting", lang) for lang in ("nl", "en"))
    async with (FakeSlack() as slack, FakeMattermost() as mm, aiohttp.ClientSession() as http,
                database_not_there_yet(tmp_path, database_url) as (url, make_it_reachable)):
        seed_slack(slack)
        seed_mattermost(mm)
        port = free_port()
        env = {**slack_env(slack, SLACK_SIGNING_SECRET=SECRET), **mattermost_env(mm, port)}
        async with ritualbot(tmp_path, url, HEADER + DUTCH_SLACK_TEAM + MM_TEAM_TOML, env, port) as bot:
            deadline = time.monotonic() + 30
            status, body = await healthz(http, bot.base)
            while body.get("database") != "unreachable":  # "connecting" until the first try failed
                assert bot.proc.returncode is None, bot.log()
                assert time.monotonic() < deadline, f"/healthz said {status} {body}:\n{bot.log()}"
                await asyncio.sleep(0.1)
                status, body = await healthz(http, bot.base)
            assert status == 503
            assert body == {"status": "degraded", "database": "unreachable",
                            "platforms": {"mattermost": "connecting", "slack": "connecting"}}

            command = slack.slash_command_payload(text="help", user_id=ANNA, channel_id=SLACK_CH)
            form = "application/x-www-form-urlencoded"
            assert (await slack_post(http, bot.base, urlencode(command), form, "forged"))[0] == 401
            status, text = await slack_post(http, bot.base, urlencode(command), form)
            assert status == 200
            assert json.loads(text) == {"response_type": "ephemeral", "text": starting_nl}
            event = json.dumps({"type": "event_callback", "event_id": "Ev1", "event": {"type": "app_home_opened"}})
            assert (await slack_post(http, bot.base, event, "application/json"))[0] == 503  # Slack retries it
            challenge = json.dumps({"type": "url_verification", "challenge": "c-123"})
            assert json.loads((await slack_post(http, bot.base, challenge, "application/json"))[1]) == {
                "challenge": "c-123"}
            assert (await mm_command(mm, bot, LIEN, "help", token="not-the-token")).status == 401
            answer = await mm_command(mm, bot, LIEN, "help")
            assert (answer.status, answer.text) == (503, starting_en)
            async with http.get(bot.base + "/nowhere") as resp:
                assert resp.status == 404

            await make_it_reachable()
            assert (await bot.wait_healthy(http, timeout=120))["database"] == "ok"
            assert "database:" in bot.log() and "trying again" in bot.log()
            assert "Traceback" not in bot.log()
            status, text = await slack_post(http, bot.base, urlencode(command), form)
            assert status == 200 and starting_nl not in text  # the bot itself answers now
            code, _ = await bot.terminate(timeout=30)
            assert code == 0


async def test_healthz_says_starting_once_the_database_is_open_and_the_bot_is_being_built() -> None:
    from aiohttp.test_utils import TestClient, TestServer

    from bot.gate import Gate

    gate = Gate({}, {"slack": "connecting"})
    async with TestClient(TestServer(gate.app)) as client:
        gate.database_failed(ConnectionRefusedError(111, "Connection refused"))
        resp = await client.get("/healthz")
        assert resp.status == 503 and (await resp.json())["database"] == "unreachable"
        gate.database_opened()
        resp = await client.get("/healthz")
        assert resp.status == 503
        assert await resp.json() == {"status": "starting", "database": "ok", "platforms": {"slack": "connecting"}}
    gate = Gate({}, {"slack": "no credentials"})  # nothing but time missing? not here: "degraded", as later
    gate.database_opened()
    async with TestClient(TestServer(gate.app)) as client:
        assert (await (await client.get("/healthz")).json())["status"] == "degraded"
