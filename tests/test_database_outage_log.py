"""A database outage while the bot runs, as the operator reads it.

Before: `/healthz` said `"database": "error: OperationalError"` while running but
`"unreachable"` at start-up for the same outage, and each background job logged its failure
at each try (the config.toml comparison and the check for admin changes every settings
check, lease renewal, takeover; a housekeeping job a traceback through APScheduler), about
thirty lines for 30 s. Now /healthz uses start-up's words, and the log says the outage once
and its end once. The outage is a real one: a store on a port where no database listens.
"""

from __future__ import annotations

import logging

import pytest
from apscheduler.triggers.interval import IntervalTrigger

from bot.config_watch import ConfigWatch
from bot.scheduler import RitualScheduler
from bot.store import Store
from bot.store.database import make_engine
from tests.conftest import PG_URL, TEAM_TOML, free_port, make_config


def unreachable_store() -> Store:
    return Store(make_engine(f"postgresql://nobody@127.0.0.1:{free_port()}/none"))


class Database:
    """What the replica's settings checks read: the test's database, or (`away`) none."""

    def __init__(self, store: Store) -> None:
        self.reachable, self.gone = store, unreachable_store()
        self.now = store

    def away(self, away: bool) -> None:
        self.now = self.gone if away else self.reachable

    async def setting(self, key: str) -> str | None:
        return await self.now.setting(key)

    async def put_setting(self, key: str, value: str) -> None:
        await self.now.put_setting(key, value)

    async def refresh(self) -> bool:
        await self.now.settings_version()
        return False

    async def housekeeping(self) -> None:
        await self.now.state_items_by_team("core", "held:")


def said(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [f"{r.levelname} {r.getMessage()}" for r in caplog.records
            if r.levelno >= logging.INFO and (r.name.startswith("ritualbot") or r.name.startswith("apscheduler"))]


async def test_an_outage_is_said_once_by_every_background_job_and_its_end_once(
        make_harness, caplog: pytest.LogCaptureFixture) -> None:  # type: ignore[no-untyped-def]
    h = await make_harness(TEAM_TOML)
    database = Database(h.store)
    watch = ConfigWatch(database, make_config(TEAM_TOML))
    await watch.publish()
    scheduler = RitualScheduler(h.bot.engine, {"outbox": (database.housekeeping, IntervalTrigger(hours=1))},
                                refresh=database.refresh, settings_every=30, config_check=watch.check)
    await scheduler.start()
    caplog.set_level(logging.DEBUG)
    caplog.clear()
    try:
        database.away(True)
        for _ in range(5):  # five settings checks, and the housekeeping once, in the outage
            await scheduler.scheduler.get_job("settings").func()
        await scheduler.scheduler.get_job("outbox").func()
        assert await unreachable_store().ping() == "unreachable"  # what /healthz says meanwhile
        [line] = said(caplog)
        assert line.startswith("ERROR database: unreachable (OperationalError), met trying to check for admin changes")
        assert "saying here when it is back" in line

        database.away(False)
        await scheduler.scheduler.get_job("settings").func()
        await scheduler.scheduler.get_job("settings").func()
        assert said(caplog)[1:] == ["WARNING database: reachable again after 0 s (was unreachable)"]
    finally:
        scheduler.stop()
    assert not [r for r in caplog.records if r.exc_info]


async def test_a_job_failing_otherwise_is_said_once_with_its_traceback_and_when_it_works(
        make_harness, caplog: pytest.LogCaptureFixture) -> None:  # type: ignore[no-untyped-def]
    h = await make_harness(TEAM_TOML)
    broken = [True]

    async def roster() -> None:
        if broken[0]:
            raise ValueError("a bug, not the database")

    scheduler = RitualScheduler(h.bot.engine, {"roster": (roster, IntervalTrigger(hours=1))})
    await scheduler.start()
    caplog.set_level(logging.INFO)
    caplog.clear()
    try:
        for _ in range(3):
            await scheduler.scheduler.get_job("roster").func()
        broken[0] = False
        await scheduler.scheduler.get_job("roster").func()
    finally:
        scheduler.stop()
    assert said(caplog) == ["ERROR could not run the roster job (ValueError); tried again on its schedule, said again "
                            "when it works", "INFO can run the roster job again"]
    assert [r.exc_info[0] for r in caplog.records if r.exc_info] == [ValueError]  # unexpected: its traceback, once


@pytest.mark.skipif(not PG_URL.startswith("postgres"), reason="needs a PostgreSQL server (RITUALBOT_TEST_DATABASE_URL)")
async def test_healthz_names_a_database_that_is_not_there() -> None:
    server = PG_URL.rsplit("/", 1)[0]
    assert await Store(make_engine(f"{server}/ritualbot_no_such_database")).ping() == "no such database"
