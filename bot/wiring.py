"""One function wires the app from config: no globals, no side effects at import."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping
from pathlib import Path

from bot.app import RitualBot
from bot.clock import Clock
from bot.config import AppConfig, load_config, with_environment
from bot.languages import warn_gaps
from bot.metrics import Metrics
from bot.platform import ChatPlatform
from bot.registry import discover
from bot.ritual import Ritual
from bot.store import Store, open_database
from bot.team_needs import warn_unmet_needs
from bot.teams import warm_holidays


def load(path: Path, env: Mapping[str, str] | None = None) -> tuple[AppConfig, dict[str, type[Ritual]]]:
    """The config file with the environment's overrides (`with_environment`), and the rituals."""
    ritual_types = discover()
    config = with_environment(load_config(path, ritual_types), os.environ if env is None else env)
    warn_gaps(config, ritual_types)  # a ritual without the team's language speaks English there: say so
    warn_unmet_needs(config, ritual_types)  # a ritual that reaches nobody in a team (no confidant): say so
    return config, ritual_types


def database_url(config: AppConfig) -> str:
    """`DATABASE_URL` from the environment wins over the config file."""
    return os.environ.get("DATABASE_URL") or config.database_url


async def build_bot(config: AppConfig, ritual_types: Mapping[str, type[Ritual]],
                    platforms: Mapping[str, ChatPlatform], clock: Clock, store: Store | None = None,
                    metrics: Metrics | None = None) -> RitualBot:
    """A bot with the admins' stored changes applied; opens (and migrates) the database when
    no store is given. It reports to `metrics`."""
    if store is None:  # opening and migrating are blocking calls: off the event loop
        store = Store(await asyncio.to_thread(open_database, database_url(config)))
    rituals = {rid: cls() for rid, cls in ritual_types.items()}
    bot = RitualBot(config, rituals, platforms, store, clock, metrics)
    await asyncio.to_thread(warm_holidays, {t.country for t in bot.teams.values()}, clock.now().year)
    await bot.load()
    return bot
