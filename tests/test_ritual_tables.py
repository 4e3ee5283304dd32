"""Tables a ritual owns (issue 13, point 3): the ritual declares them, the core covers them.

An outside ritual's table, declared with `RitualTable` and kept on a metadata of its own,
is shown by mydata, erased by forget, aged by retention and removed with its team, with no
line of the core naming it; walk_and_listen's walks survive the migration that moved them.
"""

from __future__ import annotations

import ast
import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import UniqueConstraint, text
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from bot.ritual_store import RitualStore
from bot.store import Store
from bot.store.database import alembic_config, make_engine, upgrade
from bot.store.models import MemberRow
from bot.store.ritual_tables import RitualTable, RitualTableError, utc_column
from rituals import walk_store
from rituals.walk_store import WALKS, WalkRow

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


class _OwnBase(SQLModel, registry=registry()):
    """An outside ritual's models, on a metadata of their own (not the core's)."""


class TeaRow(_OwnBase, table=True):
    """A made-up ritual's table: who poured tea for whom, in which week."""

    __tablename__ = "tea_round"
    __table_args__ = (UniqueConstraint("team_id", "host_id", "week"),)
    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=100)
    host_id: str = Field(max_length=200)
    guest_id: str = Field(max_length=200)
    week: str = Field(max_length=10)
    poured_at: datetime = Field(sa_column=utc_column())


TEA = RitualTable(TeaRow, people=("host_id", "guest_id"), dated="poured_at", why="tea rounds")


@pytest.fixture
def tea_store(store: Store) -> Iterator[Store]:
    """The test database with the tea ritual's table, created here and dropped afterwards."""
    table = TeaRow.__table__  # type: ignore[attr-defined]
    table.create(store.engine, checkfirst=True)
    store.adopt_tables({"tea": (TEA,), "walk_and_listen": (WALKS,)})
    yield store
    table.drop(store.engine, checkfirst=True)


def _bound(store: Store, team: str = "noord", ritual: str = "tea", now: datetime = NOW) -> RitualStore:
    return RitualStore(store, team, ritual, lambda: now)


async def test_mydata_forget_retention_and_team_removal_cover_a_declared_table(tea_store: Store) -> None:
    old = _bound(tea_store, now=NOW - timedelta(days=400))
    await old.upsert(TeaRow, {"host_id": "anna", "week": "2025-W40"}, {"guest_id": "bram"})
    await _bound(tea_store).upsert(TeaRow, {"host_id": "cor", "week": "2026-W49"}, {"guest_id": "bram"})
    await _bound(tea_store).upsert(TeaRow, {"host_id": "cor", "week": "2026-W50"}, {"guest_id": "dewi"})
    await _bound(tea_store, team="zuid").upsert(TeaRow, {"host_id": "eva", "week": "2026-W49"}, {"guest_id": "bram"})

    shown = await tea_store.personal_rows("noord", "bram")
    assert sorted(r["host_id"] for r in shown["tea_round"]) == ["anna", "cor"]

    # retention ages rows by the declared column: only the 400-day-old round goes
    assert await tea_store.delete_facts_before("noord", NOW - timedelta(days=365)) == 1
    assert [r.host_id for r in await _bound(tea_store).rows(TeaRow, guest_id="bram")] == ["cor"]

    # forget deletes every row naming the person in this team, as host or guest, and no other
    assert await tea_store.erase_member("noord", "bram") == 1
    assert await tea_store.personal_rows("noord", "bram") == {}
    assert [r.guest_id for r in await _bound(tea_store).rows(TeaRow)] == ["dewi"]
    assert [r.guest_id for r in await _bound(tea_store, team="zuid").rows(TeaRow)] == ["bram"]

    # a team removed from the config: its rows in the ritual's table are found and go too
    assert "zuid" in await tea_store.team_ids()
    assert await tea_store.delete_team("zuid") >= 1
    assert await _bound(tea_store, team="zuid").rows(TeaRow) == []


async def test_upsert_stamps_the_dated_column_and_keeps_one_row_per_key(tea_store: Store) -> None:
    tea = _bound(tea_store)
    await asyncio.gather(*(tea.upsert(TeaRow, {"host_id": "anna", "week": "2026-W49"}, {"guest_id": g})
                           for g in ("bram", "cor", "dewi")))
    (row,) = await tea.rows(TeaRow)
    assert row.guest_id in {"bram", "cor", "dewi"} and row.poured_at == NOW
    later = _bound(tea_store, now=NOW + timedelta(hours=1))
    await later.upsert(TeaRow, {"host_id": "anna", "week": "2026-W49"}, {"guest_id": "eva"})
    (row,) = await tea.rows(TeaRow)
    assert (row.guest_id, row.poured_at) == ("eva", NOW + timedelta(hours=1))


async def test_a_ritual_reaches_only_its_own_tables(tea_store: Store) -> None:
    with pytest.raises(RitualTableError, match="ritual 'walk_and_listen' does not own table 'tea_round'"):
        await _bound(tea_store, ritual="walk_and_listen").rows(TeaRow)
    with pytest.raises(RitualTableError, match="does not own table 'member'"):
        await _bound(tea_store).rows(MemberRow)
    with pytest.raises(RitualTableError, match="no unique constraint"):
        await _bound(tea_store).upsert(TeaRow, {"host_id": "anna"}, {"guest_id": "bram"})


def test_declarations_the_core_cannot_keep_safe_are_refused(store: Store) -> None:
    with pytest.raises(RitualTableError, match="has no column 'owner_id'"):
        RitualTable(TeaRow, people=("owner_id",), dated=None, why="")
    with pytest.raises(RitualTableError, match="declared by 'tea' and 'tea2'"):
        store.adopt_tables({"tea": (TEA,), "tea2": (TEA,)})
    with pytest.raises(RitualTableError, match="declares the core's table 'member'"):
        store.adopt_tables({"tea": (RitualTable(MemberRow, people=("user_id",), dated=None, why=""),)})


def test_the_core_never_imports_a_ritual_nor_names_its_table() -> None:
    for path in (ROOT / "bot").rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(source)):
            modules = ([a.name for a in node.names] if isinstance(node, ast.Import)
                       else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not any(m == "rituals" or m.startswith("rituals.") for m in modules), f"{path} imports {modules}"
            names = {getattr(node, "id", None), getattr(node, "attr", None), getattr(node, "name", None)}
            assert not names & {"WalkRow", "walk_store", "set_walk"}, f"{path} names walk_and_listen's table"


def test_walks_survive_the_migration_that_moved_them_and_its_downgrade(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    command.upgrade(alembic_config(engine), "0003_replica_leases")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO walk (team_id, leader_id, member_id, week, status, updated_at) VALUES "
                          "('noord', 'anna', 'bram', '2026-W48', 'done', '2026-11-23 09:00:00')"))
    assert ("0004_walks_ritual_owned", "the walk table belongs to walk_and_listen now: ownership only, "
            "no row touched") in upgrade(engine)
    store = Store(engine)
    try:
        store.adopt_tables({"walk_and_listen": (WALKS,)})
        (walk,) = asyncio.run(walk_store.walks(_bound(store, ritual="walk_and_listen"), "anna"))
        assert (walk.member_id, walk.week, walk.status) == ("bram", "2026-W48", "done")
        command.downgrade(alembic_config(engine), "0003_replica_leases")
        with engine.connect() as conn:
            assert conn.execute(text("SELECT member_id FROM walk")).scalars().all() == ["bram"]
    finally:
        store.close()
    assert WalkRow.__tablename__ == "walk"
