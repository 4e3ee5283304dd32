"""A ritualbot on the fake Slack, driven the way Slack drives it: signed HTTP requests to
the bot's own aiohttp server, or Socket Mode envelopes. The other `test_slack_*` suites
import `running_bot` from here; the tests below cover the connector's environment.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import aiohttp
import pytest

from bot.app import RitualBot
from bot.clock import FakeClock
from bot.config import ConfigError
from bot.http import build_http_app, serve
from bot.platforms import connector_for
from bot.platforms.slack import SlackConnector, connector_from_env
from bot.registry import discover
from bot.store import Store
from bot.wiring import build_bot
from tests.conftest import make_config
from tests.fakes.slack_api import (
    FakeSlack,
    Message,
    app_home_opened_event,
    event_callback,
    interactive_body,
    sign_request,
    wait_until,
)

AMS = ZoneInfo("Europe/Amsterdam")
MONDAY = datetime(2026, 11, 30, 8, 0, tzinfo=AMS)
SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
CH = "C0RITUAL001"
ANNA, BRAM, COR, DEWI = "U0ANNA0001", "U0BRAM0001", "U0COR00001", "U0DEWI0001"
PEOPLE = {ANNA: ("anna", "nl-NL"), BRAM: ("bram", "nl-NL"), COR: ("cor", "en-GB"), DEWI: ("dewi", "nl-NL")}

TOML = f"""
language = "nl"
[[teams]]
id = "noord"
platform = "slack"
channel = "{CH}"
admins = ["{ANNA}"]
leaders = ["{ANNA}"]
members = ["{ANNA}", "{BRAM}", "{COR}", "{DEWI}"]
[teams.rituals.weekly_success_mistake]
schedule = "fri 14:00"
"""


@dataclass
class Running:
    """The fake workspace, the bot, its HTTP endpoint, and ways to act as a person."""

    slack: FakeSlack
    bot: RitualBot
    connector: SlackConnector
    clock: FakeClock
    store: Store
    base: str
    http: aiohttp.ClientSession

    async def send(self, body: str, *, content_type: str = "application/x-www-form-urlencoded",
                   secret: str = SECRET, timestamp: int | None = None,
                   headers: dict[str, str] | None = None) -> tuple[int, str, float]:
        """POST a signed request like Slack does; returns status, body and seconds taken."""
        signed = sign_request(secret, body, timestamp, content_type)
        start = asyncio.get_running_loop().time()
        async with self.http.post(self.base + "/slack/events", data=body.encode(),
                                  headers={**signed, **(headers or {})}) as resp:
            return resp.status, await resp.text(), asyncio.get_running_loop().time() - start

    async def command(self, user: str, line: str, *, channel: str = CH, **kw: Any) -> tuple[int, str, float]:
        payload = self.slack.slash_command_payload(text=line, user_id=user, channel_id=channel)
        return await self.send(urlencode(payload), **kw)

    async def click(self, user: str, message: Message, action_id: str, *, ephemeral: bool = False) -> int:
        button = find_button(message, action_id)
        payload = self.slack.block_actions_payload(action_id=button["action_id"], value=button.get("value"),
                                                   user_id=user, channel_id=message.channel, message=message.to_api())
        payload["container"]["is_ephemeral"] = ephemeral
        status, _, _ = await self.send(interactive_body(payload))
        return status

    async def submit(self, user: str, view: dict[str, Any], values: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        payload = {"type": "view_submission", "user": {"id": user, "team_id": "T0FAKE0001"},
                   "team": {"id": "T0FAKE0001"}, "api_app_id": "A0FAKEAPP1", "trigger_id": "1.2.x",
                   "view": {**view, "state": {"values": {k: {"value": v if isinstance(v, dict) else
                                                             {"type": "plain_text_input", "value": v}}
                                                         for k, v in values.items()}}}}
        status, body, _ = await self.send(interactive_body(payload))
        return status, (json.loads(body) if body.strip() else {})

    async def open_home(self, user: str, *, event_id: str | None = None, retry: int | None = None,
                        secret: str = SECRET) -> int:
        body = json.dumps(event_callback(app_home_opened_event(user_id=user), event_id=event_id))
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if retry else None
        status, _, _ = await self.send(body, content_type="application/json", headers=headers, secret=secret)
        return status


def find_button(message: Message, action_id: str) -> dict[str, Any]:
    for block in message.blocks or []:
        for element in block.get("elements", []):
            if element.get("type") == "button" and (element["action_id"] == action_id
                                                     or element["action_id"].endswith(":" + action_id)):
                return dict(element)
    raise LookupError(f"no button {action_id!r} in {message.blocks}")


def seed(slack: FakeSlack, channels: dict[str, list[str]] | None = None) -> None:
    for uid, (name, locale) in PEOPLE.items():
        slack.add_user(uid, name, locale=locale)
    for channel, members in (channels or {CH: list(PEOPLE)}).items():
        slack.add_channel(channel, members)


@asynccontextmanager
async def running_bot(store: Store, toml: str = TOML, *, socket_mode: bool = False, start: datetime = MONDAY,
                      post_interval: float = 0.0, channels: dict[str, list[str]] | None = None,
                      slack: FakeSlack | None = None) -> AsyncIterator[Running]:
    """A bot on a new fake workspace, or on `slack` (another replica of a bot already running there)."""
    async with AsyncExitStack() as stack:
        if slack is None:
            slack = await stack.enter_async_context(FakeSlack())
            seed(slack, channels)
        config = make_config(toml)
        env = {"SLACK_BOT_TOKEN": slack.bot_token, "SLACK_API_URL": slack.api_url, "SLACK_SIGNING_SECRET": SECRET}
        if socket_mode:
            env["SLACK_APP_TOKEN"] = slack.app_token
        connector = await connector_from_env(env, config, store)
        assert connector is not None
        connector.platform.pacer.interval = post_interval
        clock = FakeClock(start)
        bot = await build_bot(config, discover(), {"slack": connector.platform}, clock, store)
        for team in bot.teams.values():
            await store.ensure_team(team.id, team.platform, team.channel, clock.now())
        runner = await serve(build_http_app(store, connector.routes()), "127.0.0.1", 0)
        port = runner.addresses[0][1]
        await connector.start(bot)
        if socket_mode:
            await slack.socket_wait_connected()
        try:
            async with aiohttp.ClientSession() as http:
                yield Running(slack, bot, connector, clock, store, f"http://127.0.0.1:{port}", http)
        finally:
            await connector.stop()
            await runner.cleanup()


async def until(predicate: Any, what: str, timeout: float = 5.0) -> None:
    await wait_until(predicate, timeout, what)


# the environment ---------------------------------------------------------------------------------


async def test_no_bot_token_means_no_slack_connector(store: Store) -> None:
    config = make_config(TOML)
    assert await connector_from_env({}, config, store) is None
    assert await connector_for("slack", {"SLACK_APP_TOKEN": "xapp-1"}, config, store) is None


async def test_http_mode_without_signing_secret_is_a_clear_startup_error(store: Store) -> None:
    with pytest.raises(ConfigError, match="SLACK_SIGNING_SECRET is required in HTTP mode"):
        await connector_from_env({"SLACK_BOT_TOKEN": "xoxb-1"}, make_config(TOML), store)


async def test_modes_and_api_url_come_from_the_environment(store: Store) -> None:
    config = make_config(TOML)
    http = await connector_from_env({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}, config, store)
    assert http is not None and not http.socket_mode
    assert [(r.method, r.path) for r in http.routes()] == [("POST", "/slack/events")]  # type: ignore[attr-defined]
    assert http.platform.client.base_url == "https://slack.com/api/"
    sock = await connector_from_env({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1",
                               "SLACK_API_URL": "http://127.0.0.1:9/api"}, config, store)
    assert sock is not None and sock.socket_mode and sock.routes() == []
    assert sock.platform.client.base_url == "http://127.0.0.1:9/api/"
