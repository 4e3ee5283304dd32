"""Interactions handled once, across replicas: a key per delivery, kept until it expires.

Slack retries events, a person presses Share again after a slow answer, a signed request
can be replayed within its window, and behind a load balancer the second arrival may
reach another replica. The first to insert a key takes the interaction on; everyone
else sees the row and does nothing. Expired keys are deleted on every insert.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col

from bot.store.models import HandledRow
from bot.store.offloop import OffLoop, off_loop


def request_key(*parts: str) -> str:
    """The stored form of a delivery's identity: a SHA-256 of its parts (64 hex characters)."""
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


class HandledRequests(OffLoop):
    """The store's part that remembers handled interactions."""

    @off_loop
    def claim_request(self, key: str, now: datetime, expires_at: datetime) -> bool:
        """True when this caller is the first to take on `key` (a `request_key`); False when
        someone (this or another replica) already did and the key has not expired."""
        insert = pg_insert if self.engine.dialect.name == "postgresql" else sqlite_insert
        with self.engine.begin() as conn:
            conn.execute(delete(HandledRow).where(col(HandledRow.expires_at) < now))
            taken = conn.execute(insert(HandledRow).values(key=key, expires_at=expires_at)
                                 .on_conflict_do_nothing(index_elements=["key"])
                                 .returning(col(HandledRow.key))).first()
            return taken is not None

    @off_loop
    def release_request(self, key: str) -> None:
        """Forget `key`: its interaction did nothing (the database was busy), so a retry may act."""
        with self.engine.begin() as conn:
            conn.execute(delete(HandledRow).where(col(HandledRow.key) == key))
