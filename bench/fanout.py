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
import sys
import time
import tomllib
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # for bench.common

from bench.common import FRIDAY, bench_database, config_toml, report
from bot.clock import FakeClock
from bot.config import parse_config
from bot.platforms.local import LocalPlatform
from bot.registry import discover
from bot.store import Store
from bot.wiring import build_bot


def _channel(i: int) -> str:
    return f"C{i}"


async def main(teams: int, concurrency: int) -> None:
    members = ("a", "b", "c")
    config = parse_config(tomllib.loads(config_toml("local", teams, concurrency, _channel, members)), discover())
    with bench_database() as engine:
        store = Store(engine)
        local = LocalPlatform({_channel(i): list(members) for i in range(teams)})
        clock = FakeClock(FRIDAY - timedelta(hours=1))
        bot = await build_bot(config, discover(), {"local": local}, clock, store)
        for team in bot.teams.values():
            await store.ensure_team(team.id, "local", team.channel, clock.now())
        await local.start(bot)
        clock.set(FRIDAY + timedelta(seconds=30))
        started = time.perf_counter()
        counts = await bot.engine.run_due()
        elapsed = time.perf_counter() - started
        per_channel = [len(local.entries("channel", _channel(i))) for i in range(teams)]
        report(f"local database={engine.dialect.name} teams={teams} concurrency={concurrency}",
               elapsed, per_channel, counts, "(local platform: no HTTP)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--teams", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    asyncio.run(main(args.teams, args.concurrency))
