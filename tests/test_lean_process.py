"""What `ritualbot run` does to its own process so a person is answered while thousands of
teams are planned or posted to (issue 9): the event loop gets the GIL back within 1 ms
(`bot/gil.py`), the long-lived heap is frozen once the teams are on schedule (`bot/heap.py`),
and a grouped store call's arguments are bound without `inspect` (`bot/store/offloop.py`)."""

from __future__ import annotations

import asyncio
import gc
import sys
import tomllib
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from bot.clock import FakeClock
from bot.config import parse_config
from bot.gil import SWITCH_INTERVAL
from bot.heap import THRESHOLDS
from bot.platforms.local import LocalPlatform
from bot.registry import discover
from bot.runner import PlatformLink, _connect, run_bot
from bot.store import Store
from bot.store.offloop import _binder
from bot.wiring import build_bot
from tests.conftest import AMS

TOML = """
language = "en"
[[teams]]
id = "zuid"
platform = "mattermost"
channel = "abcdefghijklmnopqrstuvwxyz"
members = ["anna0000000000000000000000"]
[teams.rituals.weekly_success_mistake]
schedule = "fri 14:00"
"""


class _Connector:
    """A connector whose platform is the local one: `_connect` starts it, then plans its teams."""

    def __init__(self) -> None:
        self.platform = LocalPlatform({"abcdefghijklmnopqrstuvwxyz": ["anna0000000000000000000000"]})

    async def start(self, bot: Any) -> None:
        await self.platform.start(bot)

    async def health(self) -> str:
        return "connected"


async def test_the_heap_is_frozen_once_a_platforms_teams_are_on_schedule(store: Store) -> None:
    types = discover()
    clock = FakeClock(datetime(2026, 11, 30, 9, 0, tzinfo=AMS))
    bot = await build_bot(parse_config(tomllib.loads(TOML), types), types, {}, clock, store)
    link = PlatformLink("mattermost", _Connector(), "http://127.0.0.1:1")
    gc.unfreeze()
    thresholds = gc.get_threshold()
    gc.set_threshold(700, 10, 10)  # CPython's default
    try:
        await _connect(link, bot, store, clock, asyncio.Event())  # type: ignore[arg-type]
        assert link.planned and "zuid/weekly_success_mistake/prompt" in [p.job_id for p in bot.plans]
        assert gc.get_freeze_count() > 0  # what lives on (the plans among it) is out of the collector's way
        assert gc.get_threshold() == THRESHOLDS == (10_000, 10, 10)
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)


async def test_ritualbot_run_lets_the_loop_take_the_gil_back_within_a_millisecond(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('language = "en"\n')
    stop = asyncio.Event()
    previous = sys.getswitchinterval()
    sys.setswitchinterval(0.005)  # CPython's default
    try:
        running = asyncio.create_task(run_bot(config, host="127.0.0.1", port=0, stop=stop,
                                              env={"DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}"}))
        await asyncio.sleep(0)
        stop.set()
        assert await running == 0
        assert sys.getswitchinterval() == pytest.approx(SWITCH_INTERVAL) == pytest.approx(0.001)
    finally:
        sys.setswitchinterval(previous)


def _method(self: Any, conn: Any, firing_id: int, worker: str, status: str, cause: str | None = None) -> None:
    """A grouped store method's shape: self, the connection, then its own arguments."""


def test_a_grouped_calls_arguments_are_bound_by_name_with_defaults() -> None:
    bind = _binder(_method)
    assert bind((7, "w"), {"status": "done"}) == {"firing_id": 7, "worker": "w", "status": "done", "cause": None}
    assert bind((7, "w", "failed", "error"), {}) == {"firing_id": 7, "worker": "w", "status": "failed",
                                                     "cause": "error"}
    assert bind((), {"worker": "w", "firing_id": 7, "status": "done", "cause": "x"})["cause"] == "x"
    for args, kwargs in (((7,), {}), ((7, "w", "done", None, 1), {}), ((7, "w", "done"), {"worker": "v"}),
                         ((7, "w", "done"), {"colour": "red"})):
        with pytest.raises(TypeError):
            bind(args, kwargs)
