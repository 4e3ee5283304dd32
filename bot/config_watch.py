"""Replicas on one database are meant to run one config.toml; this says so when they do not.

An admin's change reaches every replica through the database (`RitualBot.refresh_settings`),
but config.toml is each process's own file: a replica restarted with an edited file (a
schedule moved, a team added or removed, a ritual switched off) plans by it, while the others
go on planning by the old one until they restart. Meanwhile a team may be prompted at both
times, or by one replica only. Each replica therefore records a digest of the config it runs
in the database (`setting` row `config_digest`) when it starts, and compares it on every
settings check: one log line when another replica started with a different file, one when
they agree again. Nothing is changed by it: which file is right is the operator's call.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Protocol

from bot.config import AppConfig

log = logging.getLogger("ritualbot")

CONFIG_DIGEST = "config_digest"
# A replica's own, which may rightly differ between them: where it finds the database (the
# environment's DATABASE_URL wins anyway) and how many posts it sends at once (its machine)
PER_PROCESS = frozenset({"database_url", "max_concurrent_posts"})


class SettingStore(Protocol):
    async def setting(self, key: str) -> str | None: ...

    async def put_setting(self, key: str, value: str) -> None: ...


def config_digest(config: AppConfig) -> str:
    """What the config says for every replica alike (not its comments or layout, nor
    `PER_PROCESS`), as a short SHA-256 hex digest."""
    return hashlib.sha256(config.model_dump_json(exclude=set(PER_PROCESS)).encode()).hexdigest()[:16]


class ConfigWatch:
    """`publish()` once at start, `check()` on every settings check (both read or write one row)."""

    def __init__(self, store: SettingStore, config: AppConfig) -> None:
        self.store = store
        self.digest = config_digest(config)
        self._differs = False

    async def publish(self) -> None:
        try:
            before = await self.store.setting(CONFIG_DIGEST)
            await self.store.put_setting(CONFIG_DIGEST, self.digest)
        except Exception as exc:  # the database went away just now: the next check says it
            log.warning("could not record this replica's config.toml (%s)", type(exc).__name__)
            return
        if before is not None and before != self.digest:
            log.info("config.toml differs from the one the last replica started with (%s, now %s): replicas still "
                     "running the old file plan by it until they are restarted", before, self.digest)

    async def check(self) -> None:
        latest = await self.store.setting(CONFIG_DIGEST)
        differs = latest is not None and latest != self.digest
        if differs and not self._differs:
            log.warning("another replica started with a different config.toml (%s; this one runs %s): teams, "
                        "schedules and rituals differ between replicas, so a team may be prompted twice or not "
                        "at all; restart every replica with the same file", latest, self.digest)
        elif self._differs and not differs:
            log.info("the replicas run the same config.toml again (%s)", self.digest)
        self._differs = differs
