"""What the fan-out benchmarks share: the many-teams config, a fresh database, the report."""

from __future__ import annotations

import os
import resource
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, text

from bot.store import open_database

AMS = ZoneInfo("Europe/Amsterdam")
FRIDAY = datetime(2026, 12, 4, 14, 0, tzinfo=AMS)
TABLES = "firing, team, ritual_data, ritual_state, rotation"


def config_toml(platform: str, teams: int, concurrency: int, channel_of: Callable[[int], str],
                members: Sequence[str]) -> str:
    """`teams` teams whose weekly prompt all fire on Friday 14:00 (no sharer DM the day before)."""
    listed = ", ".join(f'"{m}"' for m in members)
    return f"max_concurrent_posts = {concurrency}\n" + "".join(
        f'[[teams]]\nid = "t{i}"\nplatform = "{platform}"\nchannel = "{channel_of(i)}"\nmembers = [{listed}]\n'
        f'[teams.rituals.weekly_success_mistake]\nschedule = "fri 14:00"\nsharer_notice_hours = 0\n\n'
        for i in range(teams))


@contextmanager
def bench_database() -> Iterator[Engine]:
    """A temporary SQLite file, or `DATABASE_URL` (PostgreSQL) emptied of earlier runs' firings."""
    with tempfile.TemporaryDirectory() as tmp:
        engine = open_database(os.environ.get("DATABASE_URL") or f"sqlite:///{Path(tmp) / 'bench.db'}")
        if engine.dialect.name == "postgresql":
            with engine.begin() as conn:
                conn.execute(text(f"TRUNCATE {TABLES} RESTART IDENTITY"))
        try:
            yield engine
        finally:
            engine.dispose()


def report(heading: str, elapsed: float, per_channel: Sequence[int], counts: dict[str, int], calls_line: str) -> None:
    """Print the figures: time, posts, duplicates, teams left without their prompt, memory."""
    posted = sum(per_channel)
    duplicates = sum(n - 1 for n in per_channel if n > 1)
    missing = sum(1 for n in per_channel if n == 0)
    print(heading)
    print(f"wall time: {elapsed:.2f} s; prompts posted: {posted} ({posted / elapsed:.1f} posts/s)")
    print(f"duplicates: {duplicates}; teams without a prompt: {missing}; failures: {counts.get('failed', 0)}; "
          f"statuses={counts}")
    print(calls_line)
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
