"""A ritual's small state: JSON values under (team, ritual, key), with atomic updates.

What a ritual needs between its steps (a prompt's message ref, votes, volunteers, a turn)
lives here, never in tables of the core. Rituals reach it through the store bound to their
team and ritual (`bot/ritual_store.py`), never with these ids themselves.

Values are stored as canonical JSON (sorted keys), so two equal values are equal text:
that is what lets `compare_and_set` compare in the database. `increment` and
`compare_and_set` are each one SQL statement, atomic on SQLite and on PostgreSQL with any
number of replicas; `update_state` runs a Python function under a row lock.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Executable, Integer, String, bindparam, cast, delete, tuple_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.store.models import StateRow
from bot.store.offloop import OffLoop, grouped, off_loop


def dump(value: Any) -> str:
    """The canonical JSON text of a state value."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


# The statements every firing's state calls run, built once (building one again, SQLAlchemy's
# coercions and cache key, cost more than running it in a fan-out's small groups; issue 9).
_GET = select(col(StateRow.team_id), col(StateRow.ritual_id), col(StateRow.key), col(StateRow.value)).where(
    tuple_(col(StateRow.team_id), col(StateRow.ritual_id), col(StateRow.key)).in_(bindparam("g_keys", expanding=True)))
_DELETE = delete(StateRow).where(col(StateRow.team_id) == bindparam("d_team"),
                                 col(StateRow.ritual_id) == bindparam("d_ritual"), col(StateRow.key) == bindparam("d_key"))


def _upsert(dialect: str) -> Executable:
    """`put_state`'s upsert for the dialect: insert, or replace the value and its time."""
    insert = (pg_insert if dialect == "postgresql" else sqlite_insert)(StateRow)
    return insert.on_conflict_do_update(index_elements=["team_id", "ritual_id", "key"], set_={
        "value": insert.excluded.value, "updated_at": insert.excluded.updated_at})


_UPSERT = {dialect: _upsert(dialect) for dialect in ("postgresql", "sqlite")}


class RitualData(OffLoop):
    """The `ritual_data` table's operations, part of `Store`."""

    _local_writes: AbstractContextManager[Any]

    @grouped(lambda store, conn, calls: store._get_states(conn, calls))
    def get_state(self, conn: Connection, team_id: str, ritual_id: str, key: str) -> Any:
        """One state value (None when there is none); callers at the same moment share one query."""
        return self._get_states(conn, [{"team_id": team_id, "ritual_id": ritual_id, "key": key}])[0]

    def _get_states(self, conn: Connection, calls: list[dict[str, Any]]) -> list[Any]:
        """`get_state` of a group in one query."""
        wanted = {(c["team_id"], c["ritual_id"], c["key"]) for c in calls}
        rows = conn.execute(_GET, {"g_keys": sorted(wanted)})
        found = {(team, ritual, key): value for team, ritual, key, value in rows}
        values = [found.get((c["team_id"], c["ritual_id"], c["key"])) for c in calls]
        return [None if v is None else json.loads(v) for v in values]

    @grouped(lambda store, conn, calls: store._put_states(conn, calls))
    def put_state(self, conn: Connection, team_id: str, ritual_id: str, key: str, value: Any, at: datetime) -> None:
        """Store one state value, created or replaced in one statement (an upsert)."""
        self._put_states(conn, [{"team_id": team_id, "ritual_id": ritual_id, "key": key, "value": value, "at": at}])

    def _put_states(self, conn: Connection, calls: list[dict[str, Any]]) -> list[None]:
        """`put_state` of a group in one executemany; of two writes to one key the later wins."""
        if not calls:
            return []
        rows = {(c["team_id"], c["ritual_id"], c["key"]): {
            "team_id": c["team_id"], "ritual_id": c["ritual_id"], "key": c["key"],
            "value": dump(c["value"]), "updated_at": c["at"]} for c in calls}
        conn.execute(_UPSERT["postgresql" if self.engine.dialect.name == "postgresql" else "sqlite"], list(rows.values()))
        return [None] * len(calls)

    @grouped(lambda store, conn, calls: store._put_many_states(conn, calls))
    def put_states(self, conn: Connection, team_id: str, ritual_id: str, values: Mapping[str, Any], at: datetime) -> None:
        """Store several state values of one team and ritual in one statement (`put_state` for
        each key, in one round trip: a firing that writes two keys waits for one commit)."""
        if values:
            self._put_states(conn, [{"team_id": team_id, "ritual_id": ritual_id, "key": key, "value": value, "at": at}
                                    for key, value in values.items()])

    def _put_many_states(self, conn: Connection, calls: list[dict[str, Any]]) -> list[None]:
        """`put_states` of a group: every key of every call in one executemany."""
        self._put_states(conn, [{"team_id": c["team_id"], "ritual_id": c["ritual_id"], "key": key, "value": value,
                                 "at": c["at"]} for c in calls for key, value in c["values"].items()])
        return [None] * len(calls)

    @off_loop
    def state_items(self, team_id: str, ritual_id: str, prefix: str) -> list[tuple[str, Any]]:
        """Every state value whose key starts with `prefix` (for data rights: what names whom)."""
        with Session(self.engine) as s:
            rows = s.exec(select(StateRow).where(StateRow.team_id == team_id, StateRow.ritual_id == ritual_id,
                                                 col(StateRow.key).startswith(prefix, autoescape=True)))
            return [(r.key, json.loads(r.value)) for r in rows]

    @off_loop
    def state_items_by_team(self, ritual_id: str, prefix: str) -> dict[str, list[tuple[str, Any]]]:
        """`state_items` of every team at once (one query, for start-up): team id -> its items."""
        found: dict[str, list[tuple[str, Any]]] = {}
        with Session(self.engine) as s:
            rows = s.exec(select(StateRow).where(StateRow.ritual_id == ritual_id,
                                                 col(StateRow.key).startswith(prefix, autoescape=True)))
            for r in rows:
                found.setdefault(r.team_id, []).append((r.key, json.loads(r.value)))
        return found

    @off_loop
    def update_state(self, team_id: str, ritual_id: str, key: str, change: Callable[[Any], Any], at: datetime) -> Any:
        """Read-modify-write one state value under a row lock, so replicas never lose an update."""
        where = (StateRow.team_id == team_id, StateRow.ritual_id == ritual_id, StateRow.key == key)
        with self._local_writes:
            for _ in range(5):
                try:
                    with Session(self.engine, expire_on_commit=False) as s:
                        row = s.exec(select(StateRow).where(*where).with_for_update()).first()
                        new = change(None if row is None else json.loads(row.value))
                        row = row or StateRow(team_id=team_id, ritual_id=ritual_id, key=key, value="null", updated_at=at)
                        row.value, row.updated_at = dump(new), at
                        s.add(row)
                        s.commit()
                    return new
                except IntegrityError:
                    continue  # another replica created the row first: read it and apply the change again
        raise RuntimeError(f"could not update state {key!r}")

    @off_loop
    def increment_state(self, team_id: str, ritual_id: str, key: str, by: int, at: datetime) -> int:
        """Add `by` to an integer state value (a missing one counts as 0) in one statement:
        `INSERT … ON CONFLICT DO UPDATE … RETURNING`. Returns the new value. A value that is
        not an integer makes the database refuse the cast (an error, nothing changed)."""
        insert = pg_insert if self.engine.dialect.name == "postgresql" else sqlite_insert
        statement = insert(StateRow).values(team_id=team_id, ritual_id=ritual_id, key=key, value=dump(by),
                                            updated_at=at).on_conflict_do_update(
            index_elements=["team_id", "ritual_id", "key"],
            set_={"value": cast(cast(col(StateRow.value), Integer) + by, String), "updated_at": at},
        ).returning(col(StateRow.value))
        with self._local_writes, self.engine.begin() as conn:
            value = conn.execute(statement).scalar_one()
        return int(value)

    @off_loop
    def compare_and_set_state(self, team_id: str, ritual_id: str, key: str, expected: Any, new: Any,
                              at: datetime) -> bool:
        """Set a state value to `new` only if it is `expected` now (None: only if there is
        none), in one statement; True when this call set it. Two callers racing with the same
        `expected`: exactly one gets True."""
        statement: Executable
        with self._local_writes, self.engine.begin() as conn:
            if expected is None:
                insert = pg_insert if self.engine.dialect.name == "postgresql" else sqlite_insert
                statement = insert(StateRow).values(team_id=team_id, ritual_id=ritual_id, key=key, value=dump(new),
                                                    updated_at=at).on_conflict_do_nothing().returning(col(StateRow.key))
            else:
                statement = (update(StateRow)
                             .where(col(StateRow.team_id) == team_id, col(StateRow.ritual_id) == ritual_id,
                                    col(StateRow.key) == key, col(StateRow.value) == dump(expected))
                             .values(value=dump(new), updated_at=at).returning(col(StateRow.key)))
            return conn.execute(statement).first() is not None

    @grouped(lambda store, conn, calls: store._delete_states(conn, calls))
    def delete_state(self, conn: Connection, team_id: str, ritual_id: str, key: str) -> None:
        self._delete_states(conn, [{"team_id": team_id, "ritual_id": ritual_id, "key": key}])

    def _delete_states(self, conn: Connection, calls: list[dict[str, Any]]) -> list[None]:
        """`delete_state` of a group in one executemany."""
        conn.execute(_DELETE, [{"d_team": c["team_id"], "d_ritual": c["ritual_id"], "d_key": c["key"]} for c in calls])
        return [None] * len(calls)
