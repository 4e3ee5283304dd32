"""Slack answering HTTP 500 to a firing's post: the firing is marked failed and not retried
(a post may have gone out; README, "When the platform refuses"). Its log line said only
"… failed" followed by a traceback whose message is left out, so an operator could not see
what went wrong. Now one line names the platform's answer and what to do, without a traceback.
A real `ritualbot run`, the run started by an admin's `run` command.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest

from tests.fakes.slack_api import FakeSlack
from tests.test_replicas_e2e import ADMIN, SECRET, fire_minute, seed, teams_toml
from tests.test_run_e2e import post_signed, response_texts, ritualbot, slack_env, wait_for


@pytest.mark.timeout(120)
async def test_a_server_error_on_a_post_is_one_log_line_with_its_status(tmp_path: Path, database_url: str) -> None:
    async with FakeSlack() as slack, aiohttp.ClientSession() as http:
        seed(slack, 1)
        env = slack_env(slack, SLACK_SIGNING_SECRET=SECRET)
        async with ritualbot(tmp_path, database_url, teams_toml(1, fire_minute(timedelta(hours=3))), env) as bot:
            await bot.wait_healthy(http, timeout=60)
            slack.fail_next("chat.postMessage", status=500, times=5)
            run = slack.slash_command_payload(text="run weekly_success_mistake", user_id=ADMIN,
                                              channel_id="C000000000")
            assert await post_signed(http, bot, run, SECRET) == 200
            await wait_for(lambda: bool(response_texts(slack)), "the run answered", timeout=30)
            await wait_for(lambda: "t0000/weekly_success_mistake/prompt" in bot.log(), "the failure logged",
                           timeout=30)
            log = bot.log()
            [line] = [line for line in log.splitlines() if "t0000/weekly_success_mistake/prompt" in line
                      and "failed" in line]
            assert "ERROR" in line and "slack answered HTTP 500" in line and "run weekly_success_mistake" in line
            assert "Traceback" not in log
            code, _ = await bot.terminate(timeout=30)
            assert code == 0
