"""Benchmark: hundreds of Mattermost teams whose weekly prompt fires in the same minute.

The real Mattermost adapter (`MattermostConnector` / `MattermostPlatform` on
mattermostdriver, with its retry policy, kept-alive connections and semaphore) posts over real
HTTP to the local fake Mattermost (tests/fakes/mattermost_api.py) on 127.0.0.1, with a
real database: SQLite in a temporary directory, or PostgreSQL via DATABASE_URL. Every team
has its own channel and `weekly_success_mistake` with `sharer_notice_hours = 0`;
`engine.run_due()` fires them all on a FakeClock set 30 s after Friday 14:00.
`--storm K` answers the next K `POST /api/v4/posts` with HTTP 429 (Retry-After: 1).
Prints figures; nothing here asserts a time.

    .venv/bin/python bench/mattermost_fanout.py
    .venv/bin/python bench/mattermost_fanout.py --storm 200
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/ritualbot_bench .venv/bin/python bench/mattermost_fanout.py
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/ritualbot_bench .venv/bin/python bench/mattermost_fanout.py --storm 200
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
from bot.platforms.mattermost import connector_from_env  # noqa: E402
from bot.registry import discover  # noqa: E402
from bot.store import Store  # noqa: E402
from bot.wiring import build_bot  # noqa: E402
from tests.fakes.mattermost_api import FakeMattermost  # noqa: E402

PEOPLE = ("anna000000000000000000000a", "bram000000000000000000000b", "cor00000000000000000000000")
TEAM = "team0000000000000000000000"


def channel_of(i: int) -> str:
    return f"ch{i:024d}"



async def main(teams: int, concurrency: int, mm_concurrency: int, storm: int) -> None:
    config = parse_config(tomllib.loads(config_toml("mattermost", teams, concurrency, channel_of, PEOPLE)), discover())
    with bench_database() as engine:
        store = Store(engine)
        async with FakeMattermost() as mm:
            assert mm.url.startswith("http://127.0.0.1:")
            for person in PEOPLE:
                mm.add_user(person, person[:4])
            for i in range(teams):
                mm.add_channel(channel_of(i), TEAM, members=[mm.bot_user_id, *PEOPLE], name=f"team-{i}")
            env = {"MATTERMOST_URL": mm.url, "MATTERMOST_TOKEN": mm.bot_token,
                   "MATTERMOST_COMMAND_TOKEN": "bench-command-token", "BOT_PUBLIC_URL": "http://127.0.0.1:9",
                   "MATTERMOST_MAX_CONCURRENCY": str(mm_concurrency)}
            connector = await connector_from_env(env, config, store)
            assert connector is not None
            clock = FakeClock(FRIDAY - timedelta(hours=1))
            bot = await build_bot(config, discover(), {"mattermost": connector.platform}, clock, store)
            for team in bot.teams.values():
                await store.ensure_team(team.id, team.platform, team.channel, clock.now())
            await connector.start(bot)
            if storm:
                mm.fail_next("POST", "/api/v4/posts", status=429, times=storm, retry_after=1)
            clock.set(FRIDAY + timedelta(seconds=30))
            started = time.perf_counter()
            counts = await bot.engine.run_due()
            elapsed = time.perf_counter() - started
            await connector.stop()
            per_channel = [sum(p["user_id"] == mm.bot_user_id for p in mm.posts(channel_of(i)))
                           for i in range(teams)]
            calls = mm.calls_to("POST", "/api/v4/posts")
            others = len(mm.requests) - len(calls)
        report(f"mattermost database={engine.dialect.name} teams={teams} concurrency={concurrency} "
               f"mm_concurrency={mm_concurrency} storm={storm}", elapsed, per_channel, counts,
               f"POST /api/v4/posts: {len(calls)} ({sum(c.status == 429 for c in calls)} answered 429); "
               f"other requests: {others}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--teams", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=16, help="max_concurrent_posts (the engine)")
    parser.add_argument("--mm-concurrency", type=int, default=8, help="MATTERMOST_MAX_CONCURRENCY (the adapter)")
    parser.add_argument("--storm", type=int, default=0, metavar="K",
                        help="answer the next K POST /api/v4/posts with 429, Retry-After: 1")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR, format="%(levelname)s %(name)s: %(message)s")
    for name in ("mattermostdriver.websocket", "mattermostdriver.api"):  # they log each HTTP error and
        logging.getLogger(name).disabled = True  # reset their own level when a Client is made
    asyncio.run(main(args.teams, args.concurrency, args.mm_concurrency, args.storm))
