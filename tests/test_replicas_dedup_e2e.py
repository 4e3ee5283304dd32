"""A request retried to another replica is handled once, with real processes (issue 10
point 3, issue 11 "a replayed request does not act twice").

Two `ritualbot run` processes in Slack's HTTP mode share one database, as replicas behind
a load balancer do. The same signed event, and the same signed slash command, reach both:
each is acted on by one of them only (keyed in the database, `bot/once.py`).
"""

from __future__ import annotations

import asyncio
import json
from contextlib import AsyncExitStack
from pathlib import Path
from urllib.parse import urlencode

import aiohttp

from tests.fakes.slack_api import FakeSlack, sign_request
from tests.fakes.slack_socket import app_home_opened_event, event_callback
from tests.test_run_e2e import (
    BRAM,
    HEADER,
    SECRET,
    SLACK_CH,
    SLACK_TEAM,
    answered_privately,
    seed_slack,
    slack_env,
    wait_for,
)
from tests.test_startup_e2e import ritualbot


async def _post(http: aiohttp.ClientSession, base: str, body: str, content_type: str) -> int:
    headers = sign_request(SECRET, body, None, content_type)
    async with http.post(base + "/slack/events", data=body.encode(), headers=headers) as resp:
        return resp.status


async def test_a_request_retried_to_another_replica_process_is_handled_once(tmp_path: Path, database_url: str) -> None:
    async with FakeSlack() as slack, aiohttp.ClientSession() as http, AsyncExitStack() as stack:
        seed_slack(slack)
        env = slack_env(slack, SLACK_SIGNING_SECRET=SECRET)
        bots = []
        for name in ("a", "b"):
            home = tmp_path / name
            home.mkdir()
            bots.append(await stack.enter_async_context(ritualbot(home, database_url, HEADER + SLACK_TEAM, env)))
        for bot in bots:
            await bot.wait_healthy(http)

        event = json.dumps(event_callback(app_home_opened_event(user_id=BRAM), event_id="Ev0TWOPROCS1"))
        statuses = await asyncio.gather(*(_post(http, bot.base, event, "application/json") for bot in bots))
        assert statuses == [200, 200]
        await wait_for(lambda: bool(slack.calls_to("views.publish")), "the App Home")

        command = slack.slash_command_payload(text="help", user_id=BRAM, channel_id=SLACK_CH)
        body = urlencode(command)
        first = await _post(http, bots[0].base, body, "application/x-www-form-urlencoded")
        again = await _post(http, bots[1].base, body, "application/x-www-form-urlencoded")
        assert (first, again) == (200, 200)  # the second arrival is answered calmly, not refused
        await wait_for(answered_privately(slack), "the private help")
        await asyncio.sleep(1.0)  # room for a second, wrong, answer to arrive

        assert len(slack.calls_to("views.publish")) == 1, [b.log() for b in bots]
        helps = [r for r in slack.responses if "agree that I keep what you share" in str(r.body.get("text", ""))]
        assert len(helps) == 1, [b.log() for b in bots]
        for bot in bots:
            code, _ = await bot.terminate()
            assert code == 0, bot.log()
