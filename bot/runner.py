"""`ritualbot run`: connect the platforms, serve HTTP, schedule, and stop cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot import gil, heap, outbox
from bot.clock import SystemClock
from bot.config_watch import ConfigWatch
from bot.gate import Gate, serve_gate
from bot.http import PLANNING, build_http_app
from bot.looplag import LoopLagMonitor
from bot.metrics import Metrics
from bot.platform import ChatPlatform
from bot.platforms import connector_for
from bot.platforms.local import LocalPlatform
from bot.platforms.waiting import waiting_routes
from bot.scheduler import RitualScheduler
from bot.startup import explain_database_error, explain_platform_error, keep_trying
from bot.store import Store, open_database
from bot.wiring import build_bot, database_url, load

log = logging.getLogger("ritualbot")


NO_CREDENTIALS = "no credentials"
# On SIGTERM, how long the firings under way (a post, a held DM) get to finish before the
# platforms close; below the 30 s that deploy/ritualbot.service and compose.yaml allow.
DRAIN_SECONDS = 20.0
PLATFORM_VARIABLES = {"slack": "SLACK_BOT_TOKEN", "mattermost": "MATTERMOST_URL and MATTERMOST_TOKEN"}


class PlatformLink:
    """One chat platform's connector and what /healthz says about it while it connects."""

    def __init__(self, name: str, connector: Any, url: str) -> None:
        self.name = name
        self.connector = connector
        self.url = url
        self.started = False
        self.planned = False  # its teams are on schedule (`_connect`)
        self.state = "connecting"

    async def health(self) -> str:
        """`connecting` (or why not), then `planning` while its teams are put on schedule
        (commands are answered meanwhile), then the connector's own state."""
        if not self.started:
            return self.state
        return str(await self.connector.health()) if self.planned else PLANNING

    def explain(self, exc: BaseException) -> str:
        line = explain_platform_error(self.name, exc, url=self.url)
        self.state = "token refused" if " refused" in line else "unreachable"
        return line


async def run_bot(config_path: Path, *, host: str = "0.0.0.0", port: int = 3000,
                  env: Mapping[str, str] | None = None, stop: asyncio.Event | None = None,
                  allow_local: bool = False) -> int:
    """Run until SIGTERM/SIGINT (or `stop`). Teams whose platform has no credentials are not run,
    unless `allow_local` puts them on the local platform; a database or platform that is not
    reachable yet is retried with backoff, one clear log line per try."""
    env = os.environ if env is None else env
    gil.share_with_threads()  # the loop waits for the planning and store threads at most 1 ms (`bot/gil.py`)
    # Before anything slow: a SIGTERM during start-up still stops cleanly, once started.
    stop = stop or asyncio.Event()
    _stop_on_signals(stop)
    started = time.monotonic()
    config, ritual_types = await asyncio.to_thread(load, config_path, env)  # imports the rituals: off the loop
    url = database_url(config)
    # The port first: /healthz and the platforms get an answer while the database is retried.
    gate = Gate(waiting_routes(env, config), _waiting_states(config, env, allow_local))
    runner = await serve_gate(gate, host, port)
    if runner is None:
        return 1

    def database_trouble(exc: BaseException) -> str:
        gate.database_failed(exc)
        return explain_database_error(exc, url)

    engine = await keep_trying(lambda: asyncio.to_thread(open_database, url), database_trouble, stop)
    if engine is None:
        log.info("stopped before the database was reachable")
        await runner.cleanup()
        return 0
    gate.database_opened()
    store = Store(engine)
    metrics = Metrics()
    metrics.watch_database(store.engine)
    links: dict[str, PlatformLink] = {}
    platforms: dict[str, ChatPlatform] = {}
    unconfigured: dict[str, str] = {}
    local = LocalPlatform({t.channel: list(t.members) if isinstance(t.members, list) else [] for t in config.teams})
    for name in sorted({t.platform for t in config.teams}):
        connector = None if name == "local" else await connector_for(name, env, config, store, metrics)
        if connector is not None:
            links[name] = PlatformLink(name, connector, _platform_url(name, env))
        elif name == "local" or allow_local:
            platforms[name] = local
        else:
            unconfigured[name] = NO_CREDENTIALS
        if name != "local" and connector is None:
            _say_not_run(config, name, allow_local)
    clock = SystemClock()
    bot = await build_bot(config, ritual_types, platforms, clock, store, metrics)
    await _ensure_running_teams(bot, store, clock)

    async def platform_health() -> dict[str, str]:
        states = {name: await link.health() for name, link in links.items()}
        local_states = {name: "local" for name, platform in platforms.items() if platform is local}
        return states | local_states | unconfigured

    routes = [r for link in links.values() for r in link.connector.routes()]
    gate.open(build_http_app(store, routes, platform_health, metrics))
    lag_probe = asyncio.create_task(metrics.probe_loop(), name="loop-lag-probe")
    stalls = LoopLagMonitor(metrics)
    stalls.start()
    log.info("serving HTTP on %s:%d (GET /healthz, GET /metrics%s)", host, port,
             "".join(f", {getattr(r, 'method', '')} {getattr(r, 'path', '')}" for r in routes))
    await local.start(bot)
    watch = ConfigWatch(store, config)
    await watch.publish()
    scheduler = RitualScheduler(bot.engine, maintenance_jobs(bot), refresh=lambda: bot.refresh_settings(at_most_every=1.0),
                                takeover=bot.takeover, settings_every=config.settings_check_seconds,
                                config_check=watch.check)
    bot.on_reload.append(scheduler.sync_jobs)
    await scheduler.start()
    _log_plans(bot)
    log.info("ready in %.2f s: %d teams, %d steps", time.monotonic() - started, len(bot.teams), len(bot.plans))
    heap.settle()  # config, modules, teams: full collections while the platforms' teams are planned skip them
    connecting = [asyncio.create_task(_connect(link, bot, store, clock, stop), name=f"connect-{name}")
                  for name, link in links.items()]

    await stop.wait()
    log.info("stopping")
    lag_probe.cancel()
    stalls.stop()
    scheduler.stop()
    await bot.engine.drain(DRAIN_SECONDS)  # before the platforms close under a post or a DM
    for task in connecting:
        task.cancel()
    await asyncio.gather(*connecting, return_exceptions=True)
    for link in links.values():
        if link.started:
            await link.connector.stop()
    await local.stop()
    await runner.cleanup()
    await store.aclose()
    return 0


def _stop_on_signals(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):  # pragma: no cover - not the main thread
            pass


def _platform_url(name: str, env: Mapping[str, str]) -> str:
    if name == "slack":
        return env.get("SLACK_API_URL", "").strip() or "https://slack.com/api/"
    return env.get("MATTERMOST_URL", "").strip()


def _waiting_states(config: Any, env: Mapping[str, str], allow_local: bool) -> dict[str, str]:
    """Each platform's state in /healthz while the database is awaited, in the words used after."""
    configured = {"slack": bool(env.get("SLACK_BOT_TOKEN", "").strip()),
                  "mattermost": bool(env.get("MATTERMOST_URL", "").strip() or env.get("MATTERMOST_TOKEN", "").strip())}
    states = {}
    for name in sorted({t.platform for t in config.teams}):
        if configured.get(name):
            states[name] = "connecting"
        else:
            states[name] = "local" if name == "local" or allow_local else NO_CREDENTIALS
    return states


def _say_not_run(config: Any, platform: str, allow_local: bool) -> None:
    """Once per team, loudly: a team whose platform has no credentials is not run (or runs locally)."""
    for team in config.teams:
        if team.platform != platform:
            continue
        if allow_local:
            log.warning("team %s: no %s credentials (%s); --local: it runs on the local platform, nothing "
                        "reaches %s and its rounds are used up", team.id, platform,
                        PLATFORM_VARIABLES[platform], platform)
        else:
            log.error("team %s is not run: it is configured for %s, but %s is not set. Nothing is posted or "
                      "recorded for it; set the variables and restart (or use --local to try it without %s)",
                      team.id, platform, PLATFORM_VARIABLES[platform], platform)


async def _ensure_running_teams(bot: Any, store: Store, clock: SystemClock) -> None:
    """Record when each running team was first seen (the start of its catch-up window), in one
    transaction however many teams there are."""
    running = {t.id: (t.platform, t.channel) for t in bot.teams.values() if t.platform in bot.platforms}
    if running:
        bot.engine.saw_teams(await store.ensure_teams(running, clock.now()))


def _log_plans(bot: Any) -> None:
    log.info("%d teams on schedule, %d ritual steps planned", len({p.team.id for p in bot.plans}), len(bot.plans))
    if not log.isEnabledFor(logging.DEBUG):
        return  # one line per step costs seconds with thousands of teams
    for plan in bot.plans:
        nxt = bot.engine.next_firing(plan.team.id, plan.ritual.id, plan.step.name)
        log.debug("%s next at %s", plan.job_id, nxt.astimezone(plan.team.tz).isoformat() if nxt else "never")


async def _connect(link: PlatformLink, bot: Any, store: Store, clock: SystemClock, stop: asyncio.Event) -> None:
    """Start one platform, retrying with backoff; once it is up, its teams join the schedule."""
    async def attempt() -> bool:
        await link.connector.start(bot)
        return True

    if not await keep_trying(attempt, link.explain, stop):
        return
    link.started = True
    bot.platforms[link.name] = link.connector.platform
    await bot.reload()
    await _ensure_running_teams(bot, store, clock)
    counts = await bot.engine.run_due()
    heap.settle()  # the long-lived heap is built: later full collections skip it (`bot/heap.py`)
    link.planned = True
    log.info("%s: its teams are on schedule%s", link.name, f" (catch-up: {counts})" if counts else "")


def maintenance_jobs(bot: Any) -> dict[str, tuple[Any, Any]]:
    """Housekeeping jobs the bot itself owns: retention, monthly insights, people who left,
    DMs held for someone's working time."""
    async def deliver_held() -> None:
        await outbox.deliver_due(bot)

    async def purge() -> None:
        await bot.purge_expired()

    return {
        "retention": (purge, CronTrigger(hour=3, minute=17, timezone=bot.config.timezone)),
        "monthly-insights": (bot.core.send_monthly_insights, CronTrigger(minute=5, timezone=bot.config.timezone)),
        "roster": (bot.roster.check, IntervalTrigger(minutes=5)),
        "outbox": (deliver_held, IntervalTrigger(minutes=1)),
    }
