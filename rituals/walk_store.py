"""walk_and_listen's own table: only the fact of a walk, never anything that was said.

One row per leader and ISO week: with whom (`member_id`) and how it went (`status`:
proposed, planned, done, skipped, declined). The table is declared to the core in `WALKS`
(`WalkAndListen.tables`): both `leader_id` and `member_id` name a person, so `/ritual
mydata` shows the row to either and `/ritual forget` of either deletes it; `updated_at`
dates the row, so the retention job deletes walks older than the team's retention.

The table keeps the name `walk` it had when the core owned it (created by migration
0001_foundation; ownership moved in 0004_walks_ritual_owned, without touching a row), so
no operator's walks were copied or could be lost on the way.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.ritual_store import RitualStore
from bot.store.ritual_tables import RitualTable, utc_column


class WalkRow(SQLModel, table=True):
    """Only the fact of a walk: never anything that was said."""

    __tablename__ = "walk"
    __table_args__ = (UniqueConstraint("team_id", "leader_id", "week"),)
    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(index=True, max_length=100)
    leader_id: str = Field(max_length=200)
    member_id: str = Field(max_length=200)
    week: str = Field(max_length=10)
    status: str = Field(max_length=20)
    updated_at: datetime = Field(sa_column=utc_column())


WALKS = RitualTable(WalkRow, people=("leader_id", "member_id"), dated="updated_at", why="walks, as facts")


async def walks(store: RitualStore, leader_id: str | None = None) -> list[WalkRow]:
    """The team's walks (of one leader when given), by week."""
    if leader_id:
        return await store.rows(WalkRow, order_by=("week",), leader_id=leader_id)
    return await store.rows(WalkRow, order_by=("week",))


async def set_walk(store: RitualStore, leader_id: str, week: str, member_id: str, status: str) -> None:
    """Record a walk's fact: the leader's walk of `week` is now with `member_id`, in
    `status`; one row per leader and week, stamped with the bot's clock."""
    await store.upsert(WalkRow, {"leader_id": leader_id, "week": week}, {"member_id": member_id, "status": status})
