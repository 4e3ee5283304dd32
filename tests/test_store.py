"""Store guarantees that rituals lean on."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from bot.store import Store
from bot.store.database import make_engine
from bot.store.models import TeamRow

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)


async def test_concurrent_updates_of_one_state_value_are_all_kept(store: Store, database_url: str) -> None:
    """Twenty people vote at once, through separate connections: no vote is lost."""
    stores = [Store(make_engine(database_url)) for _ in range(4)] if database_url.startswith("postgres") else [store]

    async def vote(i: int) -> None:
        target = stores[i % len(stores)]
        await target.update_state("t", "r", "votes", lambda v: {**(v or {}), f"u{i}": i % 3}, NOW)

    await asyncio.gather(*(vote(i) for i in range(20)))
    assert len(await store.get_state("t", "r", "votes")) == 20
    for s in stores:
        if s is not store:
            s.close()


async def test_naive_datetimes_are_refused(store: Store) -> None:
    with pytest.raises(Exception, match="naive datetime"):
        await store.audit("t", "u", "x", "", datetime(2026, 1, 1))  # noqa: DTZ001


async def test_times_come_back_aware_in_utc(store: Store) -> None:
    from zoneinfo import ZoneInfo

    await store.audit("t", "u", "x", "", datetime(2026, 6, 1, 14, tzinfo=ZoneInfo("Europe/Amsterdam")))
    (row,) = await store.audit_log("t")
    assert row.at == datetime(2026, 6, 1, 12, tzinfo=UTC) and row.at.tzinfo is not None


async def test_teams_recorded_together_keep_when_they_were_first_seen_and_follow_a_moved_channel(store: Store) -> None:
    """`ensure_teams` (start-up, all teams in one transaction) agrees with `ensure_team` one by one."""
    monday, tuesday = datetime(2026, 11, 30, 9, tzinfo=UTC), datetime(2026, 12, 1, 9, tzinfo=UTC)
    assert await store.ensure_team("noord", "slack", "C1", monday) == monday
    seen = await store.ensure_teams({"noord": ("slack", "C9"), "zuid": ("mattermost", "m1")}, tuesday)
    assert seen == {"noord": monday, "zuid": tuesday}
    assert await store.ensure_teams({"noord": ("slack", "C9"), "zuid": ("mattermost", "m1")}, tuesday) == seen
    # the moved channel is recorded: ensure_team sees nothing to change and keeps the first day
    assert await store.ensure_team("noord", "slack", "C9", tuesday) == monday
    with Session(store.engine) as s:
        rows = {r.id: (r.platform, r.channel) for r in s.exec(select(TeamRow))}
    assert rows == {"noord": ("slack", "C9"), "zuid": ("mattermost", "m1")}
