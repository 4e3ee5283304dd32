"""`ritualbot run`: connect the platforms, serve HTTP, schedule, and stop cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot import outbox
from bot.clock import SystemClock
from bot.http import build_http_app, serve
from bot.platform import ChatPlatform
from bot.platforms import connector_for
from bot.platforms.local import LocalPlatform
from bot.scheduler import RitualScheduler
from bot.store import Store, open_database
from bot.wiring import build_bot, database_url, load

log = logging.getLogger("ritualbot")


async def run_bot(config_path: Path, *, host: str = "0.0.0.0", port: int = 3000,
                  env: Mapping[str, str] | None = None, stop: asyncio.Event | None = None) -> int:
    env = os.environ if env is None else env
    # Before anything slow: a SIGTERM during start-up still stops cleanly, once started.
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):  # pragma: no cover - not the main thread
            pass
    config, ritual_types = load(config_path)
    store = Store(open_database(database_url(config)))
    connectors: dict[str, Any] = {}
    platforms: dict[str, ChatPlatform] = {}
    local = LocalPlatform({t.channel: list(t.members) if isinstance(t.members, list) else [] for t in config.teams})
    for name in sorted({t.platform for t in config.teams}):
        connector = None if name == "local" else await connector_for(name, env, config, store)
        if connector is None:
            if name != "local":
                log.warning("no %s credentials in the environment: teams on %s run on the local platform "
                            "(nothing reaches %s)", name, name, name)
            platforms[name] = local
            continue
        connectors[name] = connector
        platforms[name] = connector.platform
    clock = SystemClock()
    bot = await build_bot(config, ritual_types, platforms, clock, store)
    for team in bot.teams.values():
        await store.ensure_team(team.id, team.platform, team.channel, clock.now())
    routes = [r for c in connectors.values() for r in c.routes()]
    async def platform_health() -> dict[str, str]:
        states = {name: await connector.health() for name, connector in connectors.items()}
        return states | {name: "local" for name, platform in platforms.items() if platform is local}

    runner = await serve(build_http_app(store, routes, platform_health), host, port)
    log.info("serving HTTP on %s:%d (GET /healthz%s)", host, port,
             "".join(f", {getattr(r, 'method', '')} {getattr(r, 'path', '')}" for r in routes))
    await local.start(bot)
    for connector in connectors.values():
        await connector.start(bot)
    scheduler = RitualScheduler(bot.engine, maintenance_jobs(bot))
    bot.on_reload.append(scheduler.sync_jobs)
    await scheduler.start()
    for plan in bot.plans:
        nxt = bot.engine.next_firing(plan.team.id, plan.ritual.id, plan.step.name)
        log.info("%s next at %s", plan.job_id, nxt.astimezone(plan.team.tz).isoformat() if nxt else "never")

    await stop.wait()
    log.info("stopping")
    scheduler.stop()
    for connector in connectors.values():
        await connector.stop()
    await local.stop()
    await runner.cleanup()
    store.close()
    return 0


def maintenance_jobs(bot: Any) -> dict[str, tuple[Any, Any]]:
    """Housekeeping jobs the bot itself owns: retention, monthly insights, people who left,
    DMs held for someone's working time."""
    async def purge() -> None:
        await bot.purge_expired()

    return {
        "retention": (purge, CronTrigger(hour=3, minute=17, timezone=bot.config.timezone)),
        "monthly-insights": (bot.core.send_monthly_insights, CronTrigger(minute=5, timezone=bot.config.timezone)),
        "roster": (bot.roster.check, IntervalTrigger(minutes=5)),
        "outbox": (lambda: outbox.deliver_due(bot), IntervalTrigger(minutes=1)),
    }
