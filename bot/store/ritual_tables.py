"""Tables a ritual owns: how it declares them, and the team-bound queries the core runs on them.

A ritual that needs more than small JSON state (`bot/store/ritual_data.py`) defines its own
SQLModel table in its own module and declares it with a `RitualTable` in `Ritual.tables`
(walk_and_listen's `walk` table, `rituals/walk_store.py`). The declaration says, once:
- which columns hold exactly a user id (`people`): `/ritual mydata` shows a row naming
  the person and `/ritual forget` deletes it (`bot/store/personal.py`);
- which timestamp column says how old a row is (`dated`): the retention job deletes rows
  older than the team's retention, as it does for answers (`bot/store/retention.py`);
- why it is kept, for the admins reading the code.

The core never names a ritual's table: the bot hands the store what the installed rituals
declare (`Store.adopt_tables`, from `RitualBot`), and data rights and retention iterate
over that. Every ritual table has a `team_id` column, so removing a team removes its rows.

A ritual reads and writes its rows only through its `RitualStore` (`rows`, `upsert`):
the core fills in the team, refuses a table the ritual does not own, and stamps the
`dated` column with the bot's clock. Its schema is created by a migration in the core's
Alembic chain (docs/architecture.md, "Tables a ritual owns").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Column, UniqueConstraint
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, SQLModel, col, select

from bot.store.models import UTCDateTime
from bot.store.offloop import OffLoop, off_loop

RowT = TypeVar("RowT", bound=SQLModel)


def utc_column(nullable: bool = False) -> Column[datetime]:
    """A timestamp column for a ritual table: aware datetimes in, aware UTC out, on SQLite
    and PostgreSQL alike (a naive datetime is refused with ValueError)."""
    return Column(UTCDateTime(), nullable=nullable)


class RitualTableError(ValueError):
    """A ritual table declared or used in a way the core cannot keep safe."""


@dataclass(frozen=True)
class RitualTable:
    """One table a ritual owns. `model`: its SQLModel class (`table=True`, with a `team_id`
    column); `people`: columns holding exactly one user id (forget deletes the row);
    `dated`: the timezone-aware timestamp column retention ages rows by (None: rows live
    as long as the team); `why`: what the rows are for. Raises `RitualTableError` when a
    named column does not exist."""

    model: type[SQLModel]
    people: tuple[str, ...]
    dated: str | None
    why: str

    def __post_init__(self) -> None:
        table = getattr(self.model, "__table__", None)
        name = getattr(self.model, "__name__", repr(self.model))
        if table is None:
            raise RitualTableError(f"{name} is not a table (SQLModel with table=True)")
        for column in ("team_id", *self.people, *([self.dated] if self.dated else [])):
            if column not in table.c:
                raise RitualTableError(f"{name} ({table.name}) has no column {column!r}")

    @property
    def name(self) -> str:
        """The table's name in the database."""
        return str(self.model.__tablename__)


def check_tables(owned: Mapping[str, Iterable[RitualTable]]) -> dict[type[SQLModel], str]:
    """Model -> the ritual id owning it, from ritual id -> its declared tables. Raises
    `RitualTableError` when two rituals declare one table, or a ritual claims a core table."""
    owners: dict[type[SQLModel], str] = {}
    names: dict[str, str] = {}
    for ritual_id, tables in sorted(owned.items()):
        for table in tables:
            if table.model.__module__.startswith("bot."):
                raise RitualTableError(f"ritual {ritual_id!r} declares the core's table {table.name!r}")
            if table.name in names and names[table.name] != ritual_id:
                raise RitualTableError(f"table {table.name!r} declared by {names[table.name]!r} and {ritual_id!r}")
            names[table.name], owners[table.model] = ritual_id, ritual_id
    return owners


class RitualTables(OffLoop):
    """The store's part for ritual-owned tables; part of `Store`."""

    ritual_tables: tuple[RitualTable, ...] = ()
    _table_owners: dict[type[SQLModel], str]

    def adopt_tables(self, owned: Mapping[str, Iterable[RitualTable]]) -> None:
        """Take on the tables the installed rituals declare (ritual id -> its tables), so that
        data rights and retention cover them. Raises `RitualTableError` on a clash."""
        owned = {rid: tuple(tables) for rid, tables in owned.items()}
        self._table_owners = check_tables(owned)
        self.ritual_tables = tuple(t for rid in sorted(owned) for t in owned[rid])

    def table_owner(self, model: type[SQLModel]) -> str | None:
        """The ritual id that declared `model`, or None."""
        return getattr(self, "_table_owners", {}).get(model)

    @off_loop
    def ritual_rows(self, model: type[RowT], team_id: str, where: Mapping[str, Any],
                    order_by: tuple[str, ...] = ()) -> list[RowT]:
        """One team's rows of a ritual table whose columns equal `where`, ordered by `order_by`."""
        table: Any = model
        query = select(table).where(col(table.team_id) == team_id)
        for column, value in where.items():
            query = query.where(col(getattr(table, column)) == value)
        query = query.order_by(*(col(getattr(table, c)) for c in order_by))
        with Session(self.engine, expire_on_commit=False) as s:
            return list(s.exec(query))

    @off_loop
    def upsert_ritual_row(self, model: type[SQLModel], team_id: str, match: Mapping[str, Any],
                          values: Mapping[str, Any]) -> None:
        """Create the team's row with `match` and `values`, or set `values` on the one that
        exists, in one statement (`INSERT … ON CONFLICT DO UPDATE`: two replicas racing
        leave one row). `team_id` and `match` must be a unique constraint of the table,
        else `RitualTableError`."""
        table: Any = model.__table__  # type: ignore[attr-defined]  # set by SQLModel for table=True
        keys = {"team_id", *match}
        if not any(isinstance(c, UniqueConstraint) and {x.name for x in c.columns} == keys
                   for c in table.constraints):
            raise RitualTableError(f"{table.name}: no unique constraint on {sorted(keys)}")
        insert = (pg_insert if self.engine.dialect.name == "postgresql" else sqlite_insert)(table)
        row = {"team_id": team_id, **match, **values}
        with self.engine.begin() as conn:
            conn.execute(insert.values(row).on_conflict_do_update(
                index_elements=sorted(keys), set_={k: insert.excluded[k] for k in values}))


def stamp(table: RitualTable, values: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """`values` with the table's `dated` column set to `now` (unless given)."""
    out = dict(values)
    if table.dated and table.dated not in out:
        out[table.dated] = now
    return out
