"""`GET /metrics` of `ritualbot run` as a process (issue 9, point 7): after an admin's
`/ritual run` whose first post Slack refused once with 429, the Prometheus text says so.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

from bot.metrics import Metrics
from tests.fakes.slack_api import FakeSlack
from tests.test_run_e2e import (
    ANNA,
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


def samples(body: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a Prometheus text body, keyed by name and sorted labels."""
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(body) for s in family.samples}


async def test_metrics_over_http_tell_firings_posts_refusals_database_and_loop(tmp_path: Path,
                                                                              database_url: str) -> None:
    async with FakeSlack() as slack, aiohttp.ClientSession() as http:
        seed_slack(slack)
        env = slack_env(slack, SLACK_SIGNING_SECRET=SECRET)
        async with ritualbot(tmp_path, database_url, HEADER + SLACK_TEAM, env) as bot:
            await bot.wait_healthy(http)
            slack.fail_next("chat.postMessage", status=429, retry_after=1)
            command = slack.slash_command_payload(text="run weekly_success_mistake", user_id=ANNA, channel_id=SLACK_CH)
            assert await post_signed(http, bot, command, SECRET) == 200
            await wait_for(lambda: slack.messages(SLACK_CH), "the prompt", timeout=20)

            ritual = (("ritual", "weekly_success_mistake"), ("status", "done"))
            got: dict[tuple[str, tuple[tuple[str, str], ...]], float] = {}
            for _ in range(200):  # the firing is recorded just after its post lands
                async with http.get(bot.base + "/metrics") as resp:
                    assert resp.status == 200
                    assert resp.headers["Content-Type"].startswith("text/plain; version=")  # Prometheus' text format
                    got = samples(await resp.text())
                if ("ritualbot_firings_total", ritual) in got:
                    break
                await asyncio.sleep(0.05)
            assert got[("ritualbot_firings_total", ritual)] == 1
            assert got[("ritualbot_rate_limited_total", (("platform", "slack"),))] == 1
            assert got[("ritualbot_retries_total", (("platform", "slack"), ("reason", "429")))] == 1
            assert got[("ritualbot_post_seconds_count", (("platform", "slack"),))] == 2  # refused, then posted
            for lane in ("posts", "interactions"):  # an admin's `run` is an interaction: it does not queue behind posts
                assert got[("ritualbot_queue_depth", (("lane", lane), ("platform", "slack")))] == 0
            assert got[("ritualbot_database_seconds_count", (("operation", "select"),))] > 0
            assert got[("ritualbot_database_seconds_count", (("operation", "insert"),))] > 0
            assert ("ritualbot_loop_lag_seconds_count", ()) in got
            # the loop-lag monitor runs in `ritualbot run`: no stall of the bot's own code (issue 9 point 1)
            assert got[("ritualbot_loop_stalls_total", (("cause", "code"),))] == 0
            assert ("ritualbot_loop_stall_blocked_seconds_count", ()) in got
            code, _ = await bot.terminate()
            assert code == 0


def test_two_bots_in_one_process_count_apart() -> None:
    """One registry per bot: nothing global, nothing shared."""
    first, second = Metrics(), Metrics()
    first.fired("weekly_success_mistake", "done")
    assert b'ritualbot_firings_total{ritual="weekly_success_mistake",status="done"} 1.0' in first.render()
    assert b"ritualbot_firings_total{" not in second.render()
