"""One function wires the app from config: no globals, no side effects at import."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from bot.app import RitualBot
from bot.clock import Clock
from bot.config import AppConfig, load_config
from bot.platform import ChatPlatform
from bot.registry import discover
from bot.ritual import Ritual
from bot.store import Store, open_database


def load(path: Path) -> tuple[AppConfig, dict[str, type[Ritual]]]:
    ritual_types = discover()
    return load_config(path, ritual_types), ritual_types


def database_url(config: AppConfig) -> str:
    """`DATABASE_URL` from the environment wins over the config file."""
    return os.environ.get("DATABASE_URL") or config.database_url


async def build_bot(config: AppConfig, ritual_types: Mapping[str, type[Ritual]],
                    platforms: Mapping[str, ChatPlatform], clock: Clock, store: Store | None = None) -> RitualBot:
    """A bot with the admins' stored changes applied; opens (and migrates) the database when
    no store is given."""
    if store is None:
        store = Store(open_database(database_url(config)))
    rituals = {rid: cls() for rid, cls in ritual_types.items()}
    bot = RitualBot(config, rituals, platforms, store, clock)
    await bot.load()
    return bot
