"""The store a ritual gets: bound to one team and one ritual, and nothing else.

A ritual never sees the whole `Store` (every team, every table) nor passes team or ritual
ids: `ctx.store` is a `RitualStore` that can only read and write this ritual's own state
and answers for this team, plus the few team facts a ritual needs to choose people (who
is away, who opted out, the fair rotation). Every method is a coroutine; the work runs off
the event loop (`bot/store/offloop.py`).

Atomic updates, safe with several bot processes on one database:
- `increment(key, by)` and `compare_and_set(key, expected, new)` are each one SQL statement;
- `update(key, change)` runs a plain function on the value under a row lock.

Storing an answer goes through `ctx.save_answer`, which applies consent and never stores
an anonymous one; this store only reads answers back.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, TypeVar

from sqlmodel import SQLModel

from bot.store import Store
from bot.store.ritual_tables import RitualTableError, stamp
from bot.store.store import StoredResponse

RowT = TypeVar("RowT", bound=SQLModel)


class RitualStore:
    """One ritual's data for one team. `now` gives the moment writes are stamped with."""

    def __init__(self, store: Store, team_id: str, ritual_id: str, now: Callable[[], datetime]) -> None:
        self._store = store
        self.team_id = team_id
        self.ritual_id = ritual_id
        self._now = now

    # state: small JSON values between steps ------------------------------------------------

    async def get(self, key: str) -> Any:
        """The value under `key`, or None."""
        return await self._store.get_state(self.team_id, self.ritual_id, key)

    async def put(self, key: str, value: Any) -> None:
        """Set `key` to a JSON-serialisable value."""
        await self._store.put_state(self.team_id, self.ritual_id, key, value, self._now())

    async def put_many(self, values: Mapping[str, Any]) -> None:
        """Set several keys at once, in one statement and one commit (`put` for each)."""
        await self._store.put_states(self.team_id, self.ritual_id, dict(values), self._now())

    async def delete(self, key: str) -> None:
        await self._store.delete_state(self.team_id, self.ritual_id, key)

    async def items(self, prefix: str) -> list[tuple[str, Any]]:
        """Every (key, value) whose key starts with `prefix`."""
        return await self._store.state_items(self.team_id, self.ritual_id, prefix)

    async def update(self, key: str, change: Callable[[Any], Any]) -> Any:
        """Change a value atomically: `change(old) -> new`, a plain function run in the
        store's transaction under a row lock (it may run again after a conflict). Returns new."""
        return await self._store.update_state(self.team_id, self.ritual_id, key, change, self._now())

    async def increment(self, key: str, by: int = 1) -> int:
        """Add `by` to an integer (a missing one is 0) in one statement; the new value."""
        return await self._store.increment_state(self.team_id, self.ritual_id, key, by, self._now())

    async def compare_and_set(self, key: str, expected: Any, new: Any) -> bool:
        """Set `key` to `new` only if it holds `expected` (None: only if unset), in one
        statement; True when this call set it (of two racing callers, exactly one)."""
        return await self._store.compare_and_set_state(self.team_id, self.ritual_id, key, expected, new, self._now())

    # answers this ritual stored for this team ------------------------------------------------

    async def responses(self, *, occurrence: str | None = None, author_id: str | None = None,
                        kind: str | None = None) -> list[StoredResponse]:
        """Stored answers of this ritual and team, oldest first, optionally narrowed."""
        return await self._store.responses(self.team_id, self.ritual_id, occurrence=occurrence,
                                           author_id=author_id, kind=kind)

    async def response(self, response_id: int) -> StoredResponse | None:
        """One stored answer of this ritual and team (None if erased, expired or another's)."""
        found = await self._store.response(response_id)
        if found is None or (found.team_id, found.ritual_id) != (self.team_id, self.ritual_id):
            return None
        return found

    # team facts a ritual needs to choose people -----------------------------------------------

    async def away(self) -> set[str]:
        """Members marked away (`/ritual away`)."""
        return await self._store.away(self.team_id)

    async def opted_out(self) -> set[str]:
        """Members who opted out of everything."""
        return await self._store.opted_out(self.team_id)

    async def rotation(self, pool: str) -> dict[str, tuple[datetime | None, int]]:
        """Per person in a rotation pool: when last chosen and how often."""
        return await self._store.rotation(self.team_id, pool)

    async def mark_chosen(self, pool: str, user_id: str, at: datetime | None = None) -> None:
        """Record that `user_id` was chosen in `pool` (at `at`, default now)."""
        await self._store.mark_chosen(self.team_id, pool, user_id, at or self._now())

    # tables this ritual owns (`Ritual.tables`, bot/store/ritual_tables.py) ------------------------

    async def rows(self, model: type[RowT], order_by: tuple[str, ...] = (), **where: Any) -> list[RowT]:
        """This team's rows of a table this ritual declared, whose columns equal `where`
        (e.g. `leader_id="U1"`), ordered by `order_by`. `RitualTableError` for another's table."""
        self._own(model)
        return await self._store.ritual_rows(model, self.team_id, where, order_by)

    async def upsert(self, model: type[SQLModel], match: dict[str, Any], values: dict[str, Any]) -> None:
        """Create or update, in one statement, this team's row of an own table found by
        `match` (with the team: a unique constraint), setting `values`; the table's `dated`
        column is stamped with now. `RitualTableError` for another's table."""
        table = self._own(model)
        await self._store.upsert_ritual_row(model, self.team_id, match, stamp(table, values, self._now()))

    def _own(self, model: type[SQLModel]) -> Any:
        if self._store.table_owner(model) != self.ritual_id:
            raise RitualTableError(f"ritual {self.ritual_id!r} does not own table {getattr(model, '__tablename__', model)!r}")
        return next(t for t in self._store.ritual_tables if t.model is model)
