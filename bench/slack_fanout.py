"""Benchmark: hundreds of Slack teams whose weekly prompt fires in the same minute.

The real Slack adapter (`SlackConnector` / `SlackPlatform` on slack_sdk's AsyncWebClient,
with its retry handlers, per-channel pacing and semaphore) posts over real HTTP to the
local fake Slack (tests/fakes/slack_api.py) on 127.0.0.1, with a real database: SQLite in
a temporary directory, or PostgreSQL via DATABASE_URL. Every team has its own channel and
`weekly_success_mistake` with `sharer_notice_hours = 0`; `engine.run_due()` fires them all
on a FakeClock set 30 s after Friday 14:00. `--storm K` turns on the fake's per-channel
rate limit and answers the next K chat.postMessage calls with HTTP 429 (Retry-After: 1).
Prints figures; nothing here asserts a time.

    .venv/bin/python bench/slack_fanout.py
    .venv/bin/python bench/slack_fanout.py --storm 200
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/ritualbot_bench .venv/bin/python bench/slack_fanout.py
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/ritualbot_bench .venv/bin/python bench/slack_fanout.py --storm 200
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import time
import tomllib
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # for tests.fakes

from bench.common import FRIDAY, bench_database, config_toml, report  # noqa: E402
from bot.clock import FakeClock  # noqa: E402
from bot.config import parse_config  # noqa: E402
from bot.platforms.slack import connector_from_env  # noqa: E402
from bot.registry import discover  # noqa: E402
from bot.store import Store  # noqa: E402
from bot.wiring import build_bot  # noqa: E402
from tests.fakes.slack_api import FakeSlack  # noqa: E402

PEOPLE = ("U0ANNA0001", "U0BRAM0001", "U0COR00001", "U0DEWI0001")


def channel_of(i: int) -> str:
    return f"C0T{i:07d}"



async def main(teams: int, concurrency: int, storm: int) -> None:
    config = parse_config(tomllib.loads(config_toml("slack", teams, concurrency, channel_of, PEOPLE)), discover())
    with bench_database() as engine:
        store = Store(engine)
        async with FakeSlack() as slack:
            assert slack.base_url.startswith("http://127.0.0.1:")
            for person in PEOPLE:
                slack.add_user(person, person.lower())
            for i in range(teams):
                slack.add_channel(channel_of(i), PEOPLE)
            env = {"SLACK_BOT_TOKEN": slack.bot_token, "SLACK_API_URL": slack.api_url,
                   "SLACK_SIGNING_SECRET": "bench-signing-secret"}
            connector = await connector_from_env(env, config, store)
            assert connector is not None
            clock = FakeClock(FRIDAY - timedelta(hours=1))
            bot = await build_bot(config, discover(), {"slack": connector.platform}, clock, store)
            for team in bot.teams.values():
                await store.ensure_team(team.id, team.platform, team.channel, clock.now())
            await connector.start(bot)
            if storm:
                slack.rate_limit("chat.postMessage", per_channel_per_second=1)
                slack.fail_next("chat.postMessage", status=429, retry_after=1, times=storm)
            clock.set(FRIDAY + timedelta(seconds=30))
            started = time.perf_counter()
            counts = await bot.engine.run_due()
            elapsed = time.perf_counter() - started
            await connector.stop()
            per_channel = [len(slack.messages(channel_of(i))) for i in range(teams)]
            calls = slack.calls_to("chat.postMessage")
        report(f"slack database={engine.dialect.name} teams={teams} concurrency={concurrency} storm={storm}",
               elapsed, per_channel, counts,
               f"chat.postMessage calls: {len(calls)} ({sum(c.status == 429 for c in calls)} answered 429)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--teams", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=16, help="max_concurrent_posts")
    parser.add_argument("--storm", type=int, default=0, metavar="K",
                        help="rate-limit per channel and answer the next K chat.postMessage calls with 429")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR, format="%(levelname)s %(name)s: %(message)s")
    asyncio.run(main(args.teams, args.concurrency, args.storm))
