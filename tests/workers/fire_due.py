"""A separate bot process for the exactly-once test: waits for a go-file, fires what is due,
and writes what it posted as JSON lines. Run as `python -m tests.workers.fire_due ...`."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from datetime import datetime
from pathlib import Path

from bot.clock import FakeClock
from bot.platforms.local import LocalPlatform
from bot.registry import discover
from bot.store import Store, open_database
from bot.wiring import build_bot
from tests.conftest import make_config


async def main(db_url: str, config_file: str, now: str, go_file: str, out_file: str) -> None:
    config = make_config(Path(config_file).read_text())
    store = Store(open_database(db_url, migrate=False))
    local = LocalPlatform({t.channel: list(t.members) for t in config.teams if isinstance(t.members, list)})
    bot = await build_bot(config, discover(), {"local": local}, FakeClock(datetime.fromisoformat(now)), store)
    await local.start(bot)
    deadline = time.monotonic() + 30
    while not Path(go_file).exists() and time.monotonic() < deadline:
        await asyncio.sleep(0.005)
    counts = await bot.engine.run_due()
    with open(out_file, "w") as out:
        for entry in local.transcript:
            out.write(json.dumps({"kind": entry.kind, "where": entry.where, "text": entry.text[:40]}) + "\n")
        out.write(json.dumps({"counts": counts}) + "\n")


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:6]))
