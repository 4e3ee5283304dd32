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
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

from sqlalchemy import Executable, Integer, String, cast, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.store.models import StateRow
from bot.store.offloop import OffLoop, off_loop


def dump(value: Any) -> str:
    """The canonical JSON text of a state value."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


class RitualData(OffLoop):
    """The `ritual_data` table's operations, part of `Store`."""

    _local_writes: AbstractContextManager[Any]

    @off_loop
    def get_state(self, team_id: str, ritual_id: str, key: str) -> Any:
        with Session(self.engine) as s:
            row = s.get(StateRow, (team_id, ritual_id, key))
            return None if row is None else json.loads(row.value)

    @off_loop
    def put_state(self, team_id: str, ritual_id: str, key: str, value: Any, at: datetime) -> None:
        with Session(self.engine, expire_on_commit=False) as s:
            row = s.get(StateRow, (team_id, ritual_id, key)) or StateRow(team_id=team_id, ritual_id=ritual_id, key=key, value="null", updated_at=at)
            row.value, row.updated_at = dump(value), at
            s.add(row)
            s.commit()

    @off_loop
    def state_items(self, team_id: str, ritual_id: str, prefix: str) -> list[tuple[str, Any]]:
        """Every state value whose key starts with `prefix` (for data rights: what names whom)."""
        with Session(self.engine) as s:
            rows = s.exec(select(StateRow).where(StateRow.team_id == team_id, StateRow.ritual_id == ritual_id,
                                                 col(StateRow.key).startswith(prefix, autoescape=True)))
            return [(r.key, json.loads(r.value)) for r in rows]

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

    @off_loop
    def delete_state(self, team_id: str, ritual_id: str, key: str) -> None:
        with Session(self.engine) as s:
            row = s.get(StateRow, (team_id, ritual_id, key))
            if row is not None:
                s.delete(row)
                s.commit()
