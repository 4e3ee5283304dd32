"""A known, expected platform answer (Slack's `user_not_found`, a Mattermost 404 ...) is one
log line without a traceback, even with `-v`; a traceback is for the unexpected (issue 14,
"Logs an operator can read"). A real `ritualbot run -v` answers a slash command from someone
the workspace does not know.
"""

from __future__ import annotations

from pathlib import Path

import aiohttp

from tests.fakes.slack_api import FakeSlack
from tests.test_run_e2e import (
    HEADER,
    SECRET,
    SLACK_CH,
    SLACK_TEAM,
    post_signed,
    ritualbot,
    seed_slack,
    slack_env,
    wait_for,
)

STRANGER = "U0E2ESTRNGR"  # not in the fake workspace: users.info answers user_not_found


async def test_an_unknown_slack_user_is_one_line_without_a_traceback(tmp_path: Path, database_url: str) -> None:
    async with FakeSlack() as slack, aiohttp.ClientSession() as http:
        seed_slack(slack)
        env = slack_env(slack, SLACK_SIGNING_SECRET=SECRET)
        async with ritualbot(tmp_path, database_url, HEADER + SLACK_TEAM, env, options=("-v",)) as bot:
            await bot.wait_healthy(http)
            command = slack.slash_command_payload(text="help", user_id=STRANGER, channel_id=SLACK_CH)
            assert await post_signed(http, bot, command, SECRET) == 200
            await wait_for(lambda: "user_not_found" in bot.log(), "the refusal in the log", timeout=20)
            code, _ = await bot.terminate(timeout=30)
            assert code == 0
    log = bot.log()
    assert "Traceback" not in log, log
    assert [line for line in log.splitlines() if "user_not_found" in line and "locale" in line], log
