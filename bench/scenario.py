"""One benchmark run: N teams fire at one minute in `ritualbot run`, against a local fake.

Steps: start the fake (answers after `latency` s, at most `in_flight` at once), seed N
team channels plus N floor channels, start the bot as a process, time /healthz and
the runner's 'ready' line (start-up), wait for the minute, wait until every team has
its prompt (or the timeout), optionally sending `/ritual help` at a steady rate right
after start-up and during the fan-out, read the bot's peak RSS, stop it, and finally
time an ideal asyncio client posting the same N messages against the same server: the
floor. On Mattermost the ideal client runs in a process of its own, as the bot does
(`bench/ideal_client.py`), with as many requests in flight as the bot has
(`Settings.floor_in_flight`); on Slack it runs beside the fake, 50 in flight, as before.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp

from bench.ideal_client import in_child as ideal_client_process
from bench.process import (
    COMMAND_TOKEN,
    MM_PEOPLE,
    MM_TEAM,
    SIGNING_SECRET,
    SLACK_PEOPLE,
    config_toml,
    cpu_seconds,
    describe,
    fire_minute,
    free_port,
    mattermost_channel,
    ritualbot,
    slack_channel,
)
from tests.fakes.mattermost_api import FakeMattermost
from tests.fakes.slack_api import FakeSlack, sign_request


@dataclass
class Settings:
    platform: str = "slack"
    teams: int = 2000
    latency: float = 0.05
    in_flight: int = 50
    floor_concurrency: int | None = None  # None: the bot's own in flight on Mattermost, 50 on Slack
    concurrency: int | None = None  # max_concurrent_posts; None: the bot's default
    mm_concurrency: int | None = None
    lead: float | None = None
    timeout: float = 600.0
    database_url: str | None = None
    commands_per_second: float = 0.0
    after_start_seconds: float = 5.0

    def floor_in_flight(self) -> int:
        """Requests in flight for the ideal client: as many as the bot has. On Mattermost that is
        the adapter's limit (`MATTERMOST_MAX_CONCURRENCY`, 8 by default) within the engine's
        `max_concurrent_posts` (64 by default); on Slack 50, as before (issue 9's figure)."""
        if self.floor_concurrency:
            return self.floor_concurrency
        if self.platform == "mattermost":
            return min(self.concurrency or 64, self.mm_concurrency or 8)
        return 50


@dataclass
class Result:
    settings: Settings
    startup_healthy: float = 0.0
    startup_ready: float = 0.0
    ready_before_due: bool = True
    fanout: float = float("nan")
    fanout_cpu: float = float("nan")  # the bot's CPU seconds from the minute until every team had its prompt
    posted: int = 0
    duplicates: int = 0
    missing: int = 0
    peak_rss: float = 0.0
    floor: float = float("nan")
    floor_in_bench: float | None = None  # Mattermost: the earlier floor (client beside the fake, 50 in flight)
    startup_starting: float | None = None  # /healthz first said "starting" (connected, teams being planned)
    acks_while_starting: list[float] = field(default_factory=list)
    acks_after_start: list[float] = field(default_factory=list)
    acks_during_fanout: list[float] = field(default_factory=list)
    ack_failures: Counter[str] = field(default_factory=Counter)

    def print(self) -> None:
        s = self.settings
        ratio = self.fanout / self.floor if self.floor else float("nan")
        print(f"platform={s.platform} teams={s.teams} latency={s.latency * 1000:.0f} ms in_flight={s.in_flight} "
              f"max_concurrent_posts={s.concurrency or 'default'} database={'postgresql' if s.database_url else 'sqlite'}")
        print(f"start-up: /healthz 200 after {self.startup_healthy:.2f} s, ready after {self.startup_ready:.2f} s"
              + ("" if self.ready_before_due else " (AFTER the minute: the catch-up fired them)"))
        print(f"fan-out: {self.posted} prompts for {s.teams} teams in {self.fanout:.2f} s after the minute; "
              f"duplicates: {self.duplicates}; lost (no prompt): {self.missing}")
        where = ", its own process, median of 3 runs" if s.platform == "mattermost" else ""
        print(f"floor (ideal asyncio client{where}, {s.floor_in_flight()} in flight, same server, same run): "
              f"{s.teams} posts in {self.floor:.2f} s ({self.floor / s.teams * 1000:.3f} ms per post); "
              f"ratio {ratio:.2f}x the floor")
        if self.floor_in_bench is not None:
            print(f"  (for comparison, the floor as measured before: the client in the benchmark's process, "
                  f"50 in flight: {self.floor_in_bench:.2f} s, ratio {self.fanout / self.floor_in_bench:.2f}x)")
        print(f"CPU used by ritualbot from the minute until every team had its prompt: {self.fanout_cpu:.2f} s "
              f"({self.fanout_cpu / s.teams * 1000:.2f} ms per team)")
        print(f"peak RSS of ritualbot: {self.peak_rss:.0f} MiB")
        if s.commands_per_second and self.startup_starting is not None:
            print(f"/ritual help acks while starting (/healthz 503 'starting' from {self.startup_starting:.2f} s "
                  f"until 200): {describe(self.acks_while_starting)}")
        if s.commands_per_second:
            print(f"/ritual help acks right after start-up ({s.after_start_seconds:.0f} s from /healthz 200): "
                  f"{describe(self.acks_after_start)}")
            print(f"/ritual help acks during the fan-out: {describe(self.acks_during_fanout)}")
            if self.ack_failures:
                print(f"command failures: {dict(self.ack_failures)}")


class SlackSide:
    """The fake Slack and what the scenario needs of it."""

    name = "slack"

    def __init__(self, fake: FakeSlack, teams: int) -> None:
        self.fake, self.teams = fake, teams
        for person in SLACK_PEOPLE:
            fake.add_user(person, person.lower(), locale="en-GB")
        for i in range(teams):
            fake.add_channel(slack_channel(i), SLACK_PEOPLE)
            fake.add_channel(f"CFLOOR{i:07d}", SLACK_PEOPLE)

    def env(self, port: int) -> dict[str, str]:
        return {"SLACK_BOT_TOKEN": self.fake.bot_token, "SLACK_API_URL": self.fake.api_url,
                "SLACK_SIGNING_SECRET": SIGNING_SECRET}

    def counts(self) -> list[int]:
        by_channel = self.fake.top_level_counts()
        return [by_channel.get(slack_channel(i), 0) for i in range(self.teams)]

    def last_post(self) -> float:
        return self.fake.latest_ts()

    def timeline(self, minute: float) -> None:
        """Print the Web API calls the bot made from the minute on, by method, and when the
        prompts went out (seconds after the minute at 10 %, 25 %, 50 %, 75 %, 90 %, 100 %)."""
        calls = [c for c in self.fake.calls if c.time >= minute]
        print("calls from the minute on:", dict(Counter(c.method for c in calls)))
        posts = sorted(c.time - minute for c in calls if c.method == "chat.postMessage"
                       and str(c.args.get("channel", "")).startswith("C0T"))
        if posts:
            marks = (0.1, 0.25, 0.5, 0.75, 0.9, 1.0)
            print("prompts out at:", ", ".join(f"{q:.0%} {posts[max(0, int(q * len(posts)) - 1)]:.2f} s" for q in marks))

    def sample(self) -> dict[str, Any]:
        """What the bot posted, to post the same with the ideal client."""
        [prompt] = self.fake.messages(slack_channel(0))[:1]
        return {"text": prompt.text, "blocks": prompt.blocks}

    async def floor(self, count: int, concurrency: int) -> float:
        payload = self.sample()
        url, headers = self.fake.api_url + "chat.postMessage", {"Authorization": f"Bearer {self.fake.bot_token}"}
        return await ideal_client(count, concurrency, lambda http, i: http.post(
            url, json={**payload, "channel": f"CFLOOR{i:07d}"}, headers=headers))

    async def command(self, http: aiohttp.ClientSession, base: str) -> tuple[int, float]:
        fields = self.fake.slash_command_payload(text="help", user_id=SLACK_PEOPLE[1], channel_id=slack_channel(0))
        body = urlencode(fields)
        signed = sign_request(SIGNING_SECRET, body, content_type="application/x-www-form-urlencoded")
        started = time.perf_counter()
        async with http.post(base + "/slack/events", data=body.encode(), headers=signed) as resp:
            await resp.read()
            return resp.status, time.perf_counter() - started


class MattermostSide:
    """The fake Mattermost and what the scenario needs of it."""

    name = "mattermost"

    def __init__(self, fake: FakeMattermost, teams: int) -> None:
        self.fake, self.teams = fake, teams
        for person in MM_PEOPLE:
            fake.add_user(person, person[:4], locale="en")
        for i in range(teams):
            fake.add_channel(mattermost_channel(i), MM_TEAM, members=[fake.bot_user_id, *MM_PEOPLE], name=f"t-{i}")
            fake.add_channel(f"floor{i:021d}", MM_TEAM, members=[fake.bot_user_id, *MM_PEOPLE], name=f"f-{i}")

    def env(self, port: int) -> dict[str, str]:
        return {"MATTERMOST_URL": self.fake.url, "MATTERMOST_TOKEN": self.fake.bot_token,
                "MATTERMOST_COMMAND_TOKEN": COMMAND_TOKEN, "BOT_PUBLIC_URL": f"http://127.0.0.1:{port}"}

    def _bot_posts(self) -> list[dict[str, Any]]:
        return [p for p in self.fake.all_posts.values() if p["user_id"] == self.fake.bot_user_id and not p["delete_at"]]

    def counts(self) -> list[int]:
        by_channel = Counter(p["channel_id"] for p in self._bot_posts() if not p["root_id"])
        return [by_channel.get(mattermost_channel(i), 0) for i in range(self.teams)]

    def last_post(self) -> float:
        posts = self._bot_posts()
        return max((p["create_at"] for p in posts), default=0) / 1000

    def sample(self) -> dict[str, Any]:
        post = next(p for p in self._bot_posts() if p["channel_id"] == mattermost_channel(0))
        return {"message": post["message"], "props": post.get("props") or {}}

    async def floor(self, count: int, concurrency: int) -> float:
        """The ideal client in its own process, as the bot is (`bench.ideal_client`): the median
        of three runs, as one run of half a second moves with what else the machine does."""
        payload = self.sample()
        url, headers = self.fake.url + "/api/v4/posts", {"Authorization": f"Bearer {self.fake.bot_token}"}
        runs = [await ideal_client_process(url, headers, payload, "channel_id",
                                           [f"floor{i:021d}" for i in range(count)], concurrency) for _ in range(3)]
        return sorted(runs)[1]

    async def floor_in_bench(self, count: int, concurrency: int) -> float:
        """The floor as measured before 2026-12-01's mmperf2: the ideal client in the benchmark's
        own process (beside the fake server), into the same floor channels; printed for comparison."""
        payload = self.sample()
        url, headers = self.fake.url + "/api/v4/posts", {"Authorization": f"Bearer {self.fake.bot_token}"}
        return await ideal_client(count, concurrency, lambda http, i: http.post(
            url, json={**payload, "channel_id": f"floor{i:021d}"}, headers=headers))

    async def command(self, http: aiohttp.ClientSession, base: str) -> tuple[int, float]:
        form = self.fake.slash_command_form(COMMAND_TOKEN, text="help", user_id=MM_PEOPLE[1],
                                            channel_id=mattermost_channel(0), team_id=MM_TEAM)
        started = time.perf_counter()
        async with http.post(base + "/mattermost/command", data=form) as resp:
            await resp.read()
            return resp.status, time.perf_counter() - started


async def ideal_client(count: int, concurrency: int, request: Any) -> float:
    """Seconds for `count` requests with `concurrency` in flight on kept-alive connections."""
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as http:
        todo = iter(range(count))

        async def worker() -> None:
            for i in todo:
                async with request(http, i) as resp:
                    await resp.read()
                    if resp.status >= 300:
                        raise RuntimeError(f"the ideal client got HTTP {resp.status}")

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return time.perf_counter() - started


async def send_commands(side: Any, http: aiohttp.ClientSession, base: str, rate: float, until: Any,
                        into: list[float], failures: Counter[str]) -> None:
    """`/ritual help` every 1/rate seconds until `until()`; each ack's seconds into `into`."""
    pending: set[asyncio.Task[None]] = set()

    async def one() -> None:
        try:
            status, took = await side.command(http, base)
            into.append(took)
            if status != 200:
                failures[f"HTTP {status}"] += 1
        except Exception as exc:  # a refused connection is a figure too
            failures[type(exc).__name__] += 1

    while not until():
        task = asyncio.ensure_future(one())
        pending.add(task)
        task.add_done_callback(pending.discard)
        await asyncio.sleep(1 / rate)
    if pending:
        await asyncio.wait(pending, timeout=30)


async def commands_while_starting(side: Any, http: aiohttp.ClientSession, bot: Any, settings: Settings,
                                  result: Result) -> None:
    """From /healthz first saying "starting" (platform connected, its teams being planned) until
    it says 200, send `/ritual help` like after start-up: the bot answers people meanwhile."""
    if not settings.commands_per_second:
        return
    while bot.healthy_at is None:
        try:
            async with http.get(bot.base + "/healthz", timeout=aiohttp.ClientTimeout(total=2)) as resp:
                if resp.status == 503 and (await resp.json()).get("status") == "starting":
                    break
        except (TimeoutError, aiohttp.ClientError):
            pass
        await asyncio.sleep(0.05)
    else:
        return
    result.startup_starting = time.time() - bot.spawned
    await send_commands(side, http, bot.base, settings.commands_per_second, lambda: bot.healthy_at is not None,
                        result.acks_while_starting, result.ack_failures)


async def run(settings: Settings) -> Result:
    result = Result(settings)
    lead = settings.lead if settings.lead is not None else max(20.0, settings.teams / 150)
    port = free_port()
    async with fake_for(settings.platform) as fake:
        side: Any = SlackSide(fake, settings.teams) if settings.platform == "slack" else MattermostSide(fake, settings.teams)
        fake.serve_like(settings.latency, settings.in_flight)
        at = fire_minute(lead)
        people = SLACK_PEOPLE if settings.platform == "slack" else MM_PEOPLE
        channel_of = slack_channel if settings.platform == "slack" else mattermost_channel
        toml = config_toml(settings.platform, settings.teams, at, channel_of, people, settings.concurrency)
        env = side.env(port)
        if settings.mm_concurrency:
            env["MATTERMOST_MAX_CONCURRENCY"] = str(settings.mm_concurrency)
        async with ritualbot(toml, env, settings.database_url, port) as bot, aiohttp.ClientSession() as http:
            starting = asyncio.ensure_future(commands_while_starting(side, http, bot, settings, result))
            await bot.wait_healthy(http, timeout=settings.timeout)
            await starting
            result.startup_healthy = bot.healthy_at - bot.spawned  # type: ignore[operator]
            senders = []
            if settings.commands_per_second:
                stop_early = bot.healthy_at + settings.after_start_seconds  # type: ignore[operator]
                senders.append(asyncio.ensure_future(send_commands(
                    side, http, bot.base, settings.commands_per_second,
                    lambda: time.time() >= min(stop_early, at.timestamp() - 1), result.acks_after_start,
                    result.ack_failures)))
            await bot.wait_ready(timeout=settings.timeout)
            result.startup_ready = bot.ready_at - bot.spawned  # type: ignore[operator]
            result.ready_before_due = bot.ready_at < at.timestamp()  # type: ignore[operator]
            await asyncio.sleep(max(0.0, at.timestamp() - time.time()))
            cpu_at_minute = cpu_seconds(bot.proc.pid)
            done = False

            def all_posted() -> bool:
                return done

            if settings.commands_per_second:
                senders.append(asyncio.ensure_future(send_commands(
                    side, http, bot.base, settings.commands_per_second, all_posted, result.acks_during_fanout,
                    result.ack_failures)))
            deadline = time.time() + settings.timeout
            while time.time() < deadline:
                if sum(1 for n in side.counts() if n) >= settings.teams:
                    break
                await asyncio.sleep(0.5 if settings.teams > 2000 else 0.1)
            done = True
            result.fanout_cpu = cpu_seconds(bot.proc.pid) - cpu_at_minute
            await asyncio.gather(*senders)
            counts = side.counts()
            result.fanout = side.last_post() - at.timestamp()
            result.posted = sum(counts)
            result.duplicates = sum(n - 1 for n in counts if n > 1)
            result.missing = sum(1 for n in counts if n == 0)
            await asyncio.sleep(2)  # anything doubled late would show now
            counts = side.counts()
            result.duplicates = sum(n - 1 for n in counts if n > 1)
            result.peak_rss = await bot.stop()
            if os.environ.get("BENCH_TIMELINE"):  # where the fan-out's time went: calls per method, progress
                side.timeline(at.timestamp())
            if os.environ.get("BENCH_KEEP_LOG"):
                Path(os.environ["BENCH_KEEP_LOG"]).write_text(bot.log())
        result.floor = await side.floor(settings.teams, settings.floor_in_flight())
        if isinstance(side, MattermostSide):
            result.floor_in_bench = await side.floor_in_bench(settings.teams, 50)
    return result


def fake_for(platform: str) -> Any:
    if platform == "slack":
        return FakeSlack()
    return FakeMattermost()
