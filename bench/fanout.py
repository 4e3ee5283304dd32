"""Benchmark: hundreds of teams whose ritual fires at the same minute.

Measures how long one fan-out takes (claim + post for every team, bounded concurrency)
and the process's peak memory, on SQLite or on PostgreSQL (DATABASE_URL). Prints its
figures; nothing here asserts a time.

    .venv/bin/python bench/fanout.py --teams 500
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/ritualbot_bench .venv/bin/python bench/fanout.py --teams 500
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import tempfile
import time
import tomllib
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import text

from bot.clock import FakeClock
from bot.config import parse_config
from bot.platforms.local import LocalPlatform
from bot.registry import discover
from bot.store import Store, open_database
from bot.wiring import build_bot

AMS = ZoneInfo("Europe/Amsterdam")
FRIDAY = datetime(2026, 12, 4, 14, 0, tzinfo=AMS)


def _config(teams: int) -> str:
    return "".join(
        f'[[teams]]\nid = "t{i}"\nplatform = "local"\nchannel = "C{i}"\nmembers = ["a{i}", "b{i}", "c{i}"]\n'
        f'[teams.rituals.weekly_success_mistake]\nschedule = "fri 14:00"\nsharer_notice_hours = 0\n\n'
        for i in range(teams))


async def main(teams: int, concurrency: int) -> None:
    raw = tomllib.loads(f"max_concurrent_posts = {concurrency}\n" + _config(teams))
    config = parse_config(raw, discover())
    with tempfile.TemporaryDirectory() as tmp:
        url = os.environ.get("DATABASE_URL") or f"sqlite:///{Path(tmp) / 'bench.db'}"
        engine = open_database(url)
        if engine.dialect.name == "postgresql":
            with engine.begin() as conn:
                conn.execute(text("TRUNCATE firing, team, ritual_data RESTART IDENTITY"))
        store = Store(engine)
        local = LocalPlatform({t.channel: list(t.members) for t in config.teams if isinstance(t.members, list)})
        clock = FakeClock(FRIDAY - timedelta(hours=1))
        bot = build_bot(config, discover(), {"local": local}, clock, store)
        for team in bot.teams.values():
            store.ensure_team(team.id, "local", team.channel, clock.now())
        await local.start(bot)
        clock.set(FRIDAY + timedelta(seconds=30))
        started = time.perf_counter()
        counts = await bot.engine.run_due()
        elapsed = time.perf_counter() - started
        posted = len([e for e in local.transcript if e.kind == "channel"])
        peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"database={engine.dialect.name} teams={teams} concurrency={concurrency}")
        print(f"fan-out: {elapsed:.2f} s for {posted} prompts ({posted / elapsed:.0f} teams/s), statuses={counts}")
        print(f"peak RSS: {peak_mib:.0f} MiB")
        engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--teams", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    asyncio.run(main(args.teams, args.concurrency))
