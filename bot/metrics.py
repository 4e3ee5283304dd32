"""What `GET /metrics` tells an operator, in Prometheus' text format.

One `Metrics` per running bot, each with its own `CollectorRegistry` (never
prometheus_client's global default), so two bots in one process or one test do not
mix their counts. Components that can report take a `Metrics` and, when none is given,
make their own private one: reporting is never a reason for a component to fail.

Names and units (seconds, counts), all prefixed `ritualbot_`:
- `firings_total{ritual, status}`: firings by outcome (done, failed, deferred, taken, missed, ...)
- `post_seconds{platform}`: one post request to the platform, answer included
- `rate_limited_total{platform}`: HTTP 429 answers; `retries_total{platform, reason}`: requests tried again
- `loop_lag_seconds`: how late the event loop woke a sleeping probe
- `loop_stalls_total{cause}`: stalls over 100 ms (`bot/looplag.py`): `code` (ours), `starved`
  (waiting for a CPU), `busy` (many short callbacks); `loop_stall_blocked_seconds`: each stall
  minus its CPU wait
- `database_seconds{operation}`: one SQL statement (select, insert, update, delete, other)
- `queue_depth{platform, lane}`: requests waiting for a slot (`posts` or `interactions`)
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from sqlalchemy import event

from bot.lanes import INTERACTIONS, POSTS

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
LAG_BUCKETS = (0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
DB_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0)
SQL_VERBS = ("select", "insert", "update", "delete")


class Metrics:
    """The bot's instruments on a registry of its own; `render()` gives the HTTP body."""

    content_type = CONTENT_TYPE_LATEST

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.firings = Counter("ritualbot_firings", "Firings of a ritual step, by outcome.",
                               ["ritual", "status"], registry=r)
        self.post_seconds = Histogram("ritualbot_post_seconds", "One post request to the platform, in seconds.",
                                      ["platform"], buckets=LATENCY_BUCKETS, registry=r)
        self.rate_limited = Counter("ritualbot_rate_limited", "HTTP 429 answers from the platform.",
                                    ["platform"], registry=r)
        self.retries = Counter("ritualbot_retries", "Platform requests tried again, by reason.",
                               ["platform", "reason"], registry=r)
        self.loop_lag = Histogram("ritualbot_loop_lag_seconds", "How late the event loop woke a sleeping probe.",
                                  buckets=LAG_BUCKETS, registry=r)
        self.loop_stalls = Counter("ritualbot_loop_stalls", "Event-loop stalls over 100 ms, by cause.",
                                   ["cause"], registry=r)
        for cause in ("code", "starved", "busy"):  # shown at zero from the start
            self.loop_stalls.labels(cause=cause)
        self.loop_stall_blocked = Histogram("ritualbot_loop_stall_blocked_seconds",
                                            "A stall's length minus the time the process waited for a CPU.",
                                            buckets=LAG_BUCKETS, registry=r)
        self.database_seconds = Histogram("ritualbot_database_seconds", "One SQL statement, in seconds.",
                                          ["operation"], buckets=DB_BUCKETS, registry=r)
        self.queue_depth = Gauge("ritualbot_queue_depth", "Platform requests waiting for a slot.",
                                 ["platform", "lane"], registry=r)

    def render(self) -> bytes:
        """The whole registry in Prometheus' text exposition format."""
        return generate_latest(self.registry)

    # reporting --------------------------------------------------------------------------------

    def declare_platform(self, platform: str) -> None:
        """Show a platform's series at zero from the start (dashboards see 0, not nothing)."""
        for lane in (POSTS, INTERACTIONS):
            self.queue_depth.labels(platform=platform, lane=lane)
        self.rate_limited.labels(platform=platform)
        self.post_seconds.labels(platform=platform)

    def fired(self, ritual: str, status: str) -> None:
        self.firings.labels(ritual=ritual, status=status).inc()

    def refused(self, platform: str) -> None:
        """One HTTP 429."""
        self.rate_limited.labels(platform=platform).inc()

    def loop_stalled(self, cause: str, blocked: float) -> None:
        """One event-loop stall (`bot/looplag.py`): its cause and its seconds minus CPU wait."""
        self.loop_stalls.labels(cause=cause).inc()
        self.loop_stall_blocked.observe(blocked)

    def retried(self, platform: str, reason: str) -> None:
        self.retries.labels(platform=platform, reason=reason).inc()

    @contextlib.contextmanager
    def posting(self, platform: str) -> Iterator[None]:
        """Time one post request (failed ones too: a slow refusal is a slow post)."""
        started = time.perf_counter()
        try:
            yield
        finally:
            self.post_seconds.labels(platform=platform).observe(time.perf_counter() - started)

    @asynccontextmanager
    async def waiting(self, platform: str, lane: str, slots: asyncio.Semaphore) -> AsyncIterator[None]:
        """Hold one of `slots`, counted in `queue_depth` while waiting for it."""
        depth = self.queue_depth.labels(platform=platform, lane=lane)
        depth.inc()
        try:
            await slots.acquire()
        finally:
            depth.dec()
        try:
            yield
        finally:
            slots.release()

    # sources that report by themselves ----------------------------------------------------------

    def watch_database(self, engine: Any) -> None:
        """Time every statement on a SQLAlchemy `Engine` (or an `AsyncEngine`'s sync core)."""
        target = getattr(engine, "sync_engine", engine)

        def before(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
            conn.info.setdefault("ritualbot_started", []).append(time.perf_counter())

        def after(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
            started = conn.info.get("ritualbot_started")
            if started:
                verb = statement.lstrip().split(None, 1)[0].lower() if statement.strip() else "other"
                self.database_seconds.labels(operation=verb if verb in SQL_VERBS else "other").observe(
                    time.perf_counter() - started.pop())

        def failed(context: Any) -> None:
            started = context.connection.info.get("ritualbot_started") if context.connection is not None else None
            if started:
                started.pop()

        event.listen(target, "before_cursor_execute", before)
        event.listen(target, "after_cursor_execute", after)
        event.listen(target, "handle_error", failed)

    async def probe_loop(self, interval: float = 0.25) -> None:
        """Sleep `interval` seconds over and over and record how late each wake-up was; runs until cancelled."""
        loop = asyncio.get_running_loop()
        while True:
            started = loop.time()
            await asyncio.sleep(interval)
            self.loop_lag.observe(max(0.0, loop.time() - started - interval))
