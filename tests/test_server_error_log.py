"""Slack answering HTTP 500 to a firing's post, after its retries: a post may have gone out,
so it is not tried again. Found by trying it: the firing was marked failed with a log line
that said only "… failed" and a traceback, and nobody told the admins, so the team's prompt
was silently gone. Now the firing is unconfirmed, one log line names the platform's answer,
and the admins are asked privately, with the button to post it (as after a takeover that
cannot know). A real `ritualbot run`, the run started by an admin's `run` command.
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
            slack.fail_next("chat.postMessage", status=500, times=1)  # a post is not retried on 5xx
            run = slack.slash_command_payload(text="run weekly_success_mistake", user_id=ADMIN,
                                              channel_id="C000000000")
            assert await post_signed(http, bot, run, SECRET) == 200
            await wait_for(lambda: bool(response_texts(slack)), "the run answered", timeout=30)
            await wait_for(lambda: "t0000/weekly_success_mistake/prompt" in bot.log(), "the failure logged",
                           timeout=30)
            log = bot.log()
            [line] = [line for line in log.splitlines() if "t0000/weekly_success_mistake/prompt" in line
                      and "unconfirmed" in line]
            assert "ERROR" in line and "slack answered HTTP 500" in line and "the admins are asked" in line
            assert "Traceback" not in log
            assert any("HTTP 500" in text for text in response_texts(slack))  # the run's answer says why
            await wait_for(lambda: bool(slack.messages(ADMIN)), "the admin asked privately", timeout=30)
            [asked] = slack.messages(ADMIN)
            assert "HTTP 500" in asked.text and "repost" in str(asked.blocks)  # the button to post it now
            code, _ = await bot.terminate(timeout=30)
            assert code == 0
