"""`ritualbot run` as a child process against a local Slack or Mattermost fake, for benchmarks.

The fake runs in the benchmark's own event loop on 127.0.0.1 and answers like a busy
server (`serve_like(latency, in_flight)`); the bot is started with `python -m bot run`
on a generated config of N teams whose weekly prompt all fire at one UTC minute. What
the bot and the fake did is read afterwards; nothing here asserts a time.
"""

from __future__ import annotations

import asyncio
import math
import os
import signal
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
from sqlalchemy import text

from bot.store.database import make_engine, upgrade

ROOT = Path(__file__).resolve().parent.parent
SIGNING_SECRET = "bench-signing-secret-0123456789abcdef"
COMMAND_TOKEN = "bench-command-token-0123456789"
SLACK_PEOPLE = ("U0ANNA0001", "U0BRAM0001", "U0COR00001", "U0DEWI0001")
MM_PEOPLE = ("anna000000000000000000000a", "bram000000000000000000000b", "cor00000000000000000000000")
MM_TEAM = "team0000000000000000000000"


def slack_channel(i: int) -> str:
    return f"C0T{i:07d}"


def mattermost_channel(i: int) -> str:
    return f"ch{i:024d}"


def fire_minute(lead: float) -> datetime:
    """The first whole UTC minute at least `lead` seconds from now."""
    return datetime.fromtimestamp(math.ceil((time.time() + lead) / 60) * 60, UTC)


def config_toml(platform: str, teams: int, at: datetime, channel_of: Callable[[int], str],
                members: Sequence[str], concurrency: int | None) -> str:
    """`teams` teams on `platform` whose weekly prompt fires at `at` (UTC, that weekday), no sharer DM."""
    listed = ", ".join(f'"{m}"' for m in members)
    head = ('timezone = "UTC"\nlanguage = "en"\nworking_days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]\n'
            'working_hours = "00:00-24:00"\n') + (f"max_concurrent_posts = {concurrency}\n" if concurrency else "")
    return head + "".join(
        f'[[teams]]\nid = "t{i}"\nplatform = "{platform}"\nchannel = "{channel_of(i)}"\nadmins = ["{members[0]}"]\n'
        f'members = [{listed}]\n[teams.rituals.weekly_success_mistake]\nschedule = "{at:%a %H:%M}"\n'
        f'sharer_notice_hours = 0\n\n'
        for i in range(teams))


def prepare_database(url: str | None, tmp: Path) -> str:
    """A fresh SQLite file in `tmp`, or `url` (PostgreSQL) migrated and emptied of earlier runs."""
    if not url:
        return f"sqlite:///{tmp / 'bench.db'}"
    engine = make_engine(url)
    upgrade(engine)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            names = [r[0] for r in conn.execute(text(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'alembic_version'"))]
            if names:
                conn.execute(text("TRUNCATE " + ", ".join(f'"{n}"' for n in names) + " RESTART IDENTITY CASCADE"))
    engine.dispose()
    return url


def peak_rss_mib(pid: int) -> float:
    """The process's peak resident memory so far (VmHWM), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system, all threads) the process has used so far, in seconds: what a
    fan-out costs the bot, much less moved by the machine's load than wall time."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Bot:
    """The running child: its port, when it was spawned, and what its log said."""

    proc: asyncio.subprocess.Process
    port: int
    log_path: Path
    spawned: float  # time.time() at spawn
    healthy_at: float | None = None
    ready_at: float | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    async def wait_healthy(self, http: aiohttp.ClientSession, timeout: float) -> None:
        """Poll /healthz until 200 (as a deployment would); record when."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.returncode is not None:
                raise RuntimeError(f"ritualbot exited early:\n{self.log()[-3000:]}")
            try:
                async with http.get(self.base + "/healthz", timeout=aiohttp.ClientTimeout(total=2)) as resp:
                    if resp.status == 200:
                        self.healthy_at = time.time()
                        return
            except (TimeoutError, aiohttp.ClientError):
                pass
            await asyncio.sleep(0.05)
        raise RuntimeError(f"/healthz not 200 within {timeout} s:\n{self.log()[-3000:]}")

    async def wait_ready(self, timeout: float) -> None:
        """Wait for the runner's 'ready in' line (scheduler started, catch-up done) and the
        platform's 'its teams are on schedule' (connected, every team's jobs planned): record when."""
        deadline = time.monotonic() + timeout
        while "ready in " not in self.log() or "its teams are on schedule" not in self.log():
            if self.proc.returncode is not None:
                raise RuntimeError(f"ritualbot exited early:\n{self.log()[-3000:]}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"not ready within {timeout} s:\n{self.log()[-3000:]}")
            await asyncio.sleep(0.05)
        self.ready_at = time.time()

    async def stop(self) -> float:
        """Peak RSS in MiB, then SIGTERM and wait."""
        rss = peak_rss_mib(self.proc.pid)
        self.proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self.proc.wait(), 30)
        except TimeoutError:
            self.proc.kill()
            await self.proc.wait()
        return rss


@asynccontextmanager
async def ritualbot(toml: str, env: dict[str, str], database_url: str | None, port: int,
                    extra_args: Sequence[str] = ()) -> AsyncIterator[Bot]:
    """Start `python -m bot run` with `toml` and only the platform variables in `env`."""
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        config = tmp / "config.toml"
        config.write_text(toml)
        url = prepare_database(database_url, tmp)
        ours = ("SLACK_", "MATTERMOST_", "BOT_PUBLIC_URL", "RITUALBOT_", "DATABASE_URL")
        inherited = {k: v for k, v in os.environ.items() if not k.startswith(ours)}
        log_path = tmp / "ritualbot.log"
        with log_path.open("w") as out:
            spawned = time.time()
            # BENCH_PROFILE=<file>: the child runs under cProfile and writes its profile there on stop.
            profile = ("-m", "cProfile", "-o", os.environ["BENCH_PROFILE"]) if os.environ.get("BENCH_PROFILE") else ()
            proc = await asyncio.create_subprocess_exec(
                sys.executable, *profile, "-m", "bot", "run", "--config", str(config), "--port", str(port),
                "--host", "127.0.0.1", *extra_args, cwd=ROOT, stdout=out, stderr=out,
                env={**inherited, "DATABASE_URL": url, "NO_PROXY": "127.0.0.1", **env})
        bot = Bot(proc, port, log_path, spawned)
        try:
            yield bot
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def percentiles(values: Sequence[float]) -> dict[str, float]:
    """p50, p99 and max of `values` (nearest rank), in the same unit."""
    if not values:
        return {"p50": float("nan"), "p99": float("nan"), "max": float("nan")}
    ordered = sorted(values)

    def rank(q: float) -> float:
        return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]

    return {"p50": rank(0.5), "p99": rank(0.99), "max": ordered[-1]}


def describe(values: Sequence[float], unit_ms: bool = True) -> str:
    p = percentiles(values)
    scale = 1000 if unit_ms else 1
    return (f"n={len(values)} p50={p['p50'] * scale:.0f} ms p99={p['p99'] * scale:.0f} ms "
            f"max={p['max'] * scale:.0f} ms; over 1 s: {sum(v > 1 for v in values)}, "
            f"over 3 s: {sum(v > 3 for v in values)}")
