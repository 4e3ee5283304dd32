"""Benchmark: how fast `/ritual help` is acknowledged right after start-up and during a fan-out.

Like bench/run_fanout.py (same options, same fake, same floor), and meanwhile sends the
slash command `/ritual help`, signed as Slack sends it in HTTP mode (or as Mattermost's
slash command), `--rate` times a second: for `--after-start` seconds from the moment
/healthz answers 200, and again from the firing minute until every team has its prompt.
Prints p50 / p99 / max of the time to the HTTP answer (Slack's 3 s window is about that
answer) and how many took over 1 s and 3 s. Nothing here asserts a time.

    .venv/bin/python bench/command_acks.py --teams 2000 --rate 20
    .venv/bin/python bench/command_acks.py --teams 10000 --rate 20
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # for tests.fakes

from bench.run_fanout import parser, settings_from  # noqa: E402
from bench.scenario import run  # noqa: E402

if __name__ == "__main__":
    p = parser(__doc__)
    p.add_argument("--rate", type=float, default=20.0, help="/ritual help commands per second")
    p.add_argument("--after-start", type=float, default=5.0, help="seconds of commands right after /healthz is 200")
    args = p.parse_args()
    result = asyncio.run(run(settings_from(args, commands_per_second=args.rate, after_start_seconds=args.after_start)))
    result.print()
