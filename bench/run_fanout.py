"""Benchmark: N teams whose weekly prompt fires in the same minute, `ritualbot run` as a process.

The bot runs as `python -m bot run` against the local Slack (or Mattermost) Web API fake,
which answers each call after `--latency` seconds and serves `--in-flight` calls at once
(the rest wait, as behind a busy server). In the same run an ideal asyncio client posts
the same number of messages to the same server with `--floor-concurrency` in flight: the
floor. Prints start-up time, fan-out time, the ratio to the floor, duplicates, lost posts,
the CPU seconds the bot used for the fan-out (less at the mercy of a shared machine than
the wall time) and the bot's peak RSS. Nothing here asserts a time. The database is a fresh SQLite file,
or `DATABASE_URL` (PostgreSQL; its tables are emptied first).

    .venv/bin/python bench/run_fanout.py --teams 10000
    .venv/bin/python bench/run_fanout.py --platform mattermost --teams 2000 --latency 0
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/ritualbot_bench .venv/bin/python bench/run_fanout.py --teams 10000
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # for tests.fakes

from bench.scenario import Settings, run  # noqa: E402


def parser(doc: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    p.add_argument("--platform", choices=["slack", "mattermost"], default="slack")
    p.add_argument("--teams", type=int, default=2000)
    p.add_argument("--latency", type=float, default=0.05, help="seconds the fake takes to answer each call")
    p.add_argument("--in-flight", type=int, default=50, help="calls the fake serves at once (0: no limit)")
    p.add_argument("--floor-concurrency", type=int, default=None,
                   help="requests in flight for the ideal client (default: the bot's own on Mattermost, 50 on Slack)")
    p.add_argument("--concurrency", type=int, default=None, help="max_concurrent_posts (default: the bot's)")
    p.add_argument("--mm-concurrency", type=int, default=None, help="MATTERMOST_MAX_CONCURRENCY")
    p.add_argument("--lead", type=float, default=None, help="seconds from now to the firing minute, at least")
    p.add_argument("--timeout", type=float, default=600.0)
    return p


def settings_from(args: argparse.Namespace, **extra: object) -> Settings:
    return Settings(platform=args.platform, teams=args.teams, latency=args.latency, in_flight=args.in_flight,
                    floor_concurrency=args.floor_concurrency, concurrency=args.concurrency,
                    mm_concurrency=args.mm_concurrency, lead=args.lead, timeout=args.timeout,
                    database_url=os.environ.get("DATABASE_URL") or None, **extra)  # type: ignore[arg-type]


if __name__ == "__main__":
    result = asyncio.run(run(settings_from(parser(__doc__).parse_args())))
    result.print()
