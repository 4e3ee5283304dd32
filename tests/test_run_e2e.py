"""`ritualbot run` as a real process against the local fakes of Slack and Mattermost.

The other suites wire connectors in-process; only here do the CLI, the environment, the
runner, one HTTP port and SIGTERM meet, the way an operator starts the bot. The fakes run
in the test's event loop on 127.0.0.1, so every wait below is async and bounded.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest

from tests.conftest import free_port
from tests.fakes.mattermost_api import FakeMattermost, IntegrationResponse
from tests.fakes.slack_api import FakeSlack, sign_request

SECRET = "e2e-signing-secret-0123456789abcdef"
COMMAND_TOKEN = "e2e-command-token-0123456789"
SLACK_CH, ANNA, BRAM = "C0E2ETEAM01", "U0E2EANNA1", "U0E2EBRAM1"
MM_CHAN, MM_TEAM = "chane2e000000000000000000a", "teame2e000000000000000000a"
LIEN, MO = "liene2e000000000000000000a", "moe2e0000000000000000000aa"
HELP_LINE = "agree that I keep what you share"  # one line of the English /ritual help
ADMIN_HELP = "For this team's admins:"

SLACK_TEAM = f"""
[[teams]]
id = "noord"
platform = "slack"
channel = "{SLACK_CH}"
admins = ["{ANNA}"]
members = ["{ANNA}", "{BRAM}"]
[teams.rituals.weekly_success_mistake]
schedule = "fri 14:00"
"""
MM_TEAM_TOML = f"""
[[teams]]
id = "zuid"
platform = "mattermost"
channel = "{MM_CHAN}"
admins = ["{LIEN}"]
members = ["{LIEN}", "{MO}"]
[teams.rituals.weekly_success_mistake]
schedule = "fri 14:00"
"""
HEADER = 'language = "en"\n'




async def wait_for(check: Callable[[], bool], what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.02)


@dataclass
class BotProcess:
    """One `python -m bot run` child; its combined output goes to a file, read after exit."""

    proc: asyncio.subprocess.Process
    port: int
    log_path: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        return self.log_path.read_text()

    async def wait_healthy(self, http: aiohttp.ClientSession,
                           timeout: float = 30.0) -> dict[str, Any]:
        """Poll /healthz until it answers 200; fail early, with the log, if the process died."""
        deadline, per_try = time.monotonic() + timeout, aiohttp.ClientTimeout(total=2)
        while time.monotonic() < deadline:
            assert self.proc.returncode is None, f"ritualbot exited early:\n{self.log()}"
            try:
                async with http.get(self.base + "/healthz", timeout=per_try) as resp:
                    if resp.status == 200:
                        return dict(await resp.json())
            except (TimeoutError, aiohttp.ClientError):
                pass
            await asyncio.sleep(0.1)
        raise AssertionError(f"/healthz not ready in {timeout}s:\n{self.log()}")

    async def exit_code(self, timeout: float = 30.0) -> int:
        return await asyncio.wait_for(self.proc.wait(), timeout)

    async def terminate(self, timeout: float = 8.0) -> tuple[int, float]:
        """SIGTERM, as systemd or Docker send it; returns the exit code and seconds taken."""
        started = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        code = await self.exit_code(timeout)
        return code, time.monotonic() - started


@asynccontextmanager
async def ritualbot(tmp_path: Path, database_url: str, toml: str, env: dict[str, str],
                    port: int | None = None, options: tuple[str, ...] = ()) -> AsyncIterator[BotProcess]:
    """Start the bot with only the platform variables given in `env` (and `options` such as
    `-v` on its command line); always kill it after."""
    config = tmp_path / "config.toml"
    config.write_text(toml)
    port = port or free_port()
    ours = ("SLACK_", "MATTERMOST_", "BOT_PUBLIC_URL", "RITUALBOT_SECRET", "DATABASE_URL")
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(ours)}
    log_path = tmp_path / f"ritualbot-{port}.log"
    with log_path.open("w") as out:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", "--config", str(config), "--port", str(port),
            "--host", "127.0.0.1", *options, cwd=tmp_path, stdout=out, stderr=out,
            env={**inherited, "DATABASE_URL": database_url, "NO_PROXY": "127.0.0.1", **env})
    try:
        yield BotProcess(proc, port, log_path)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


def seed_slack(slack: FakeSlack) -> None:
    slack.add_user(ANNA, "anna", locale="en-GB")
    slack.add_user(BRAM, "bram", locale="en-GB")
    slack.add_channel(SLACK_CH, [ANNA, BRAM])


def seed_mattermost(mm: FakeMattermost) -> None:
    mm.add_user(LIEN, "lien", locale="en")
    mm.add_user(MO, "mo", locale="en")
    mm.add_channel(MM_CHAN, MM_TEAM, members=[mm.bot_user_id, LIEN, MO], name="team-zuid")


def response_texts(slack: FakeSlack) -> list[str]:
    """What the bot sent privately through response_urls, in order."""
    return [str(r.body.get("text", "")) for r in slack.responses
            if r.body.get("response_type") == "ephemeral"]


async def post_signed(http: aiohttp.ClientSession, bot: BotProcess, fields: dict[str, str],
                      secret: str) -> int:
    """A slash command POSTed as Slack does in HTTP mode, signed with `secret`."""
    body = urlencode(fields)
    headers = sign_request(secret, body, content_type="application/x-www-form-urlencoded")
    async with http.post(bot.base + "/slack/events", data=body.encode(), headers=headers) as resp:
        return resp.status


async def mm_command(mm: FakeMattermost, bot: BotProcess, user: str, line: str,
                     token: str = COMMAND_TOKEN) -> IntegrationResponse:
    form = mm.slash_command_form(token, text=line, user_id=user, channel_id=MM_CHAN,
                                 team_id=MM_TEAM)
    return await mm.send_slash_command(bot.base + "/mattermost/command", form)


def mattermost_env(mm: FakeMattermost, port: int) -> dict[str, str]:
    return {"MATTERMOST_URL": mm.url, "MATTERMOST_TOKEN": mm.bot_token,
            "MATTERMOST_COMMAND_TOKEN": COMMAND_TOKEN, "BOT_PUBLIC_URL": f"http://127.0.0.1:{port}",
            "MATTERMOST_CA_FILE": mm.ca_path or ""}


def slack_env(slack: FakeSlack, **extra: str) -> dict[str, str]:
    return {"SLACK_BOT_TOKEN": slack.bot_token, "SLACK_API_URL": slack.api_url, **extra}


def answered_privately(slack: FakeSlack, line: str = HELP_LINE) -> Callable[[], bool]:
    return lambda: any(line in t for t in response_texts(slack))


# Slack -------------------------------------------------------------------------------------------


async def test_slack_socket_mode_answers_and_stops_on_sigterm(tmp_path: Path,
                                                              database_url: str) -> None:
    """Socket Mode needs no inbound port: the process dials out, acks envelopes, hangs up."""
    async with FakeSlack() as slack, aiohttp.ClientSession() as http:
        seed_slack(slack)
        env = slack_env(slack, SLACK_APP_TOKEN=slack.app_token)
        async with ritualbot(tmp_path, database_url, HEADER + SLACK_TEAM, env) as bot:
            assert (await bot.wait_healthy(http))["database"] == "ok"
            await slack.socket_wait_connected(timeout=15)
            assert [c.ok for c in slack.calls_to("apps.connections.open")] == [True]
            assert slack.calls_to("auth.test")[0].ok

            payload = slack.slash_command_payload(text="help", user_id=ANNA, channel_id=SLACK_CH)
            acked = await slack.socket_send_envelope("slash_commands", payload)
            ack = await asyncio.wait_for(acked, 5)
            assert ack["envelope_id"] == slack.socket.envelopes[-1]["envelope_id"]
            await wait_for(answered_privately(slack), "the private help")
            assert answered_privately(slack, ADMIN_HELP)()  # the team was found from the channel
            assert not [m for m in slack.messages(SLACK_CH) if HELP_LINE in m.text]
            assert (await bot.wait_healthy(http))["platforms"] == {"slack": "connected"}

            sock = slack.socket._conns[-1]  # the fake's server side of the bot's socket
            code, took = await bot.terminate()
            assert code == 0 and took < 5, bot.log()
            await wait_for(lambda: sock.closed, "the fake to see the socket close", 2)
            assert sock.close_code == 1000  # hung up by the bot, not torn down by the exit
            assert "slack: connected over Socket Mode" in bot.log()


async def test_slack_http_mode_checks_signatures(tmp_path: Path, database_url: str) -> None:
    """In HTTP mode the signature is the only proof a request came from Slack."""
    async with FakeSlack() as slack, aiohttp.ClientSession() as http:
        seed_slack(slack)
        env = slack_env(slack, SLACK_SIGNING_SECRET=SECRET)
        async with ritualbot(tmp_path, database_url, HEADER + SLACK_TEAM, env) as bot:
            await bot.wait_healthy(http)
            forged = slack.slash_command_payload(text="help", user_id=BRAM, channel_id=SLACK_CH)
            assert await post_signed(http, bot, forged, "not-the-secret") == 401

            real = slack.slash_command_payload(text="help", user_id=BRAM, channel_id=SLACK_CH)
            assert await post_signed(http, bot, real, SECRET) == 200
            await wait_for(answered_privately(slack), "the private help")
            answered = {r.url_id for r in slack.responses}
            assert answered == {real["response_url"].rsplit("/", 1)[1]}  # not the forged one
            assert not answered_privately(slack, ADMIN_HELP)()  # bram is no admin

            code, _ = await bot.terminate()
            assert code == 0, bot.log()
            assert slack.socket.hellos == 0 and not slack.calls_to("apps.connections.open")


# Mattermost --------------------------------------------------------------------------------------


async def test_mattermost_command_dm_and_clean_shutdown(tmp_path: Path, database_url: str) -> None:
    """Mattermost calls in over HTTP and is heard over a TLS websocket; SIGTERM ends both."""
    async with FakeMattermost(tls=True) as mm, aiohttp.ClientSession() as http:
        seed_mattermost(mm)
        port = free_port()
        env = mattermost_env(mm, port)
        async with ritualbot(tmp_path, database_url, HEADER + MM_TEAM_TOML, env, port) as bot:
            await bot.wait_healthy(http)
            await mm.wait_for_ws_clients(1, timeout=15)
            conn = mm.hub.authenticated()[0]
            assert conn.user_id == mm.bot_user_id
            assert [r.get("action") for r in conn.received][:1] == ["authentication_challenge"]

            answer = await mm_command(mm, bot, LIEN, "help")
            assert answer.status == 200 and answer.json["response_type"] == "ephemeral"
            assert HELP_LINE in answer.json["text"] and ADMIN_HELP in answer.json["text"]
            assert [p["to_user_id"] for p in mm.ephemeral_posts] == [LIEN]
            refused = await mm_command(mm, bot, LIEN, "help", token="wrong-token")
            assert refused.status == 401 and len(mm.ephemeral_posts) == 1

            dm = str(mm.add_direct_channel(mm.bot_user_id, MO)["id"])
            await mm.ws_emit_posted(dm, {"user_id": MO, "message": "help"})

            def bot_dm_posts() -> list[dict[str, Any]]:
                return [p for p in mm.posts(dm) if p["user_id"] == mm.bot_user_id]

            await wait_for(lambda: any(HELP_LINE in p["message"] for p in bot_dm_posts()), "a DM")

            code, took = await bot.terminate()
            assert code == 0 and took < 5, bot.log()
            await wait_for(lambda: conn.ws.closed, "the server to see the websocket close", 2)
            assert conn.ws.close_code == 1000  # closed by the bot, not torn down by the exit
            assert mm.hub.auth_count == 1  # and no reconnect while stopping
            assert "websocket stopped for good" not in bot.log()


# Both, and refusals ------------------------------------------------------------------------------


async def test_one_process_serves_slack_and_mattermost(tmp_path: Path, database_url: str) -> None:
    """A mixed install shares one HTTP server; each platform's endpoint must still answer."""
    async with FakeSlack() as slack, FakeMattermost() as mm, aiohttp.ClientSession() as http:
        seed_slack(slack)
        seed_mattermost(mm)
        port = free_port()
        env = {**slack_env(slack, SLACK_SIGNING_SECRET=SECRET), **mattermost_env(mm, port)}
        toml = HEADER + SLACK_TEAM + MM_TEAM_TOML
        async with ritualbot(tmp_path, database_url, toml, env, port) as bot:
            await bot.wait_healthy(http)
            await mm.wait_for_ws_clients(1, timeout=15)
            health: dict[str, Any] = {}

            async def mattermost_connected() -> bool:
                health.update(await bot.wait_healthy(http))
                return health["platforms"] == {"slack": "listening", "mattermost": "connected"}

            deadline = time.monotonic() + 10
            while not await mattermost_connected():
                assert time.monotonic() < deadline, f"/healthz says {health}"
                await asyncio.sleep(0.1)
            command = slack.slash_command_payload(text="help", user_id=ANNA, channel_id=SLACK_CH)
            assert await post_signed(http, bot, command, SECRET) == 200
            answer = await mm_command(mm, bot, LIEN, "help")
            assert answer.status == 200 and HELP_LINE in answer.json["text"]
            await wait_for(answered_privately(slack), "the Slack answer")
            code, _ = await bot.terminate()
            assert code == 0, bot.log()
            assert "run on the local platform" not in bot.log()  # both platforms really connected


@pytest.mark.parametrize(("platform", "missing"), [("slack", "SLACK_SIGNING_SECRET"),
                                                   ("mattermost", "BOT_PUBLIC_URL")])
async def test_missing_variable_stops_startup(tmp_path: Path, database_url: str,
                                              platform: str, missing: str) -> None:
    """A half-configured platform must not start deaf: the operator reads what to set."""
    unused = f"http://127.0.0.1:{free_port()}"  # never contacted: the check comes first
    if platform == "slack":
        toml, env = SLACK_TEAM, {"SLACK_BOT_TOKEN": "xoxb-e2e", "SLACK_API_URL": unused + "/api/"}
    else:
        toml, env = MM_TEAM_TOML, {"MATTERMOST_URL": unused, "MATTERMOST_TOKEN": "t",
                                   "MATTERMOST_COMMAND_TOKEN": COMMAND_TOKEN}
    async with ritualbot(tmp_path, database_url, HEADER + toml, env) as bot:
        code = await bot.exit_code()
        log = bot.log()
        assert code != 0
        assert missing in log and "Traceback" not in log, log
