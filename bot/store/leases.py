"""Firing leases in the database: claim many at once, renew, take over, finish with a cause.

A firing row in status 'running' belongs to `claimed_by` until `lease_until`; the owner
renews the lease while it works. When the owner dies, the lease runs out and another
replica may take the row over with a compare-and-set, so exactly one does. `started_at`
is written just before the first platform call: a row without it certainly put nothing
on the platform. Every statement here is one short transaction; the rows are the only
coordination between replicas.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, bindparam, delete, func, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col

from bot.store.models import FiringRow, RitualStateRow, SettingRow, UTCDateTime
from bot.store.offloop import OffLoop, grouped, off_loop

RUNNING = "running"
UNCONFIRMED = "unconfirmed"  # may have gone out; nobody could check: the admins decide
SETTINGS_VERSION = "team_settings_version"


@dataclass(frozen=True)
class NewFiring:
    """What a claim inserts: one step of one occurrence of one team's ritual."""

    team_id: str
    ritual_id: str
    step: str
    occurrence: str
    due_at: datetime


@dataclass(frozen=True)
class LeasedFiring:
    """A firing row as the lease logic sees it."""

    id: int
    team_id: str
    ritual_id: str
    step: str
    occurrence: str
    due_at: datetime
    status: str
    claimed_by: str | None
    lease_until: datetime | None
    started_at: datetime | None
    target: str | None
    cause: str | None

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.team_id, self.ritual_id, self.step, self.occurrence)


_COLUMNS: tuple[Any, ...] = tuple(col(c) for c in (
    FiringRow.id, FiringRow.team_id, FiringRow.ritual_id, FiringRow.step, FiringRow.occurrence, FiringRow.due_at,
    FiringRow.status, FiringRow.claimed_by, FiringRow.lease_until, FiringRow.started_at, FiringRow.target,
    FiringRow.cause))


def _leased(row: Any) -> LeasedFiring:
    return LeasedFiring(*row)


# A firing's start and its outcome, built once: every firing of a fan-out runs both, mostly in
# small groups, and building the statement again (SQLAlchemy's coercions and cache key) cost
# more than running it (issue 9). Parameters by name, one dict per firing (an executemany).
_MARK_STARTED = update(FiringRow).where(
    col(FiringRow.id) == bindparam("m_id"), col(FiringRow.claimed_by) == bindparam("m_worker"),
    col(FiringRow.status) == RUNNING).values(
        started_at=func.coalesce(FiringRow.started_at, bindparam("m_at", type_=UTCDateTime())),
        target=func.coalesce(FiringRow.target, bindparam("m_target")))
_FINISH = update(FiringRow).where(
    col(FiringRow.id) == bindparam("f_id"), col(FiringRow.claimed_by) == bindparam("f_worker"),
    col(FiringRow.status) == RUNNING).values(
        status=bindparam("f_status"), cause=bindparam("f_cause"), lease_until=None, target=None)

# The same two for a group on PostgreSQL: one statement over arrays (one value a firing in
# each), so a group is one execution whatever its size. psycopg runs an executemany of an
# UPDATE as one statement a row, which was 10 % of the bot's CPU in a PostgreSQL fan-out
# (bench/RESULTS.md, helper mmperf2); the text is the same for every group, so it is
# prepared and converted once. A firing twice in one group updates one row: the rowcount then
# falls short and the group is run call by call, as with the executemany.
_PG_MARK_STARTED = text(
    "UPDATE firing AS f SET started_at = coalesce(f.started_at, v.at), target = coalesce(f.target, v.target) "
    "FROM unnest(CAST(:ids AS integer[]), CAST(:workers AS text[]), CAST(:ats AS timestamptz[]), "
    "CAST(:targets AS text[])) AS v(id, worker, at, target) "
    "WHERE f.id = v.id AND f.claimed_by = v.worker AND f.status = :running")
_PG_FINISH = text(
    "UPDATE firing AS f SET status = v.status, cause = v.cause, lease_until = NULL, target = NULL "
    "FROM unnest(CAST(:ids AS integer[]), CAST(:workers AS text[]), CAST(:statuses AS text[]), "
    "CAST(:causes AS text[])) AS v(id, worker, status, cause) "
    "WHERE f.id = v.id AND f.claimed_by = v.worker AND f.status = :running")
_UTC = UTCDateTime()


class FiringLeases(OffLoop):
    """The lease half of the store (`Store` inherits it); each method is one short
    transaction, awaited, run off the event loop like every store call."""

    @off_loop
    def claim_firings(self, firings: Sequence[NewFiring], status: str, worker: str, now: datetime,
                      lease_until: datetime | None) -> list[LeasedFiring]:
        """Insert every firing nobody has yet, in one statement; returns the ones inserted.

        `INSERT … ON CONFLICT DO NOTHING RETURNING`: a row that exists (another replica, an
        earlier run) is silently left out, so the returned rows are exactly this caller's.
        """
        if not firings:
            return []
        insert = pg_insert if self.engine.dialect.name == "postgresql" else sqlite_insert
        values = [{"team_id": f.team_id, "ritual_id": f.ritual_id, "step": f.step, "occurrence": f.occurrence,
                   "due_at": f.due_at, "status": status, "claimed_by": worker, "claimed_at": now,
                   "lease_until": lease_until} for f in firings]
        # One statement compiled once for any number of firings: SQLAlchemy sends the
        # executemany as multi-row INSERTs ("insertmanyvalues"); a VALUES clause of the
        # batch's own length was compiled anew for every batch of a fan-out.
        statement = (insert(FiringRow)
                     .on_conflict_do_nothing(index_elements=["team_id", "ritual_id", "step", "occurrence"])
                     .returning(*_COLUMNS))
        with self.engine.begin() as conn:
            return [_leased(r) for r in conn.execute(statement, values)]

    @off_loop
    def renew_leases(self, worker: str, until: datetime) -> int:
        """Extend every lease `worker` holds; how many it holds."""
        with self.engine.begin() as conn:
            result = conn.execute(update(FiringRow).where(col(FiringRow.claimed_by) == worker,
                                                          col(FiringRow.status) == RUNNING)
                                  .values(lease_until=until))
            return int(result.rowcount)

    @grouped(lambda store, conn, calls: store._mark_all_started(conn, calls))
    def mark_started(self, conn: Connection, firing_id: int, worker: str, at: datetime, target: str) -> bool:
        """Record the moment before the first platform call; False when the lease is no longer ours.

        A firing run again after a takeover keeps its first moment and target, so a later
        check still looks back far enough. Committed before it returns (in a group commit
        with the other firings starting at the same time).
        """
        result = conn.execute(_MARK_STARTED, {"m_id": firing_id, "m_worker": worker, "m_at": at, "m_target": target})
        return bool(result.rowcount)

    @grouped(lambda store, conn, calls: store._finish_all(conn, calls))
    def finish_firing(self, conn: Connection, firing_id: int, worker: str, status: str, cause: str | None = None) -> bool:
        """Close a firing this worker owns: final status, its cause, no lease. False when not ours any more.

        The target (a user id for a DM) is only needed while the firing runs: it is cleared here.
        """
        result = conn.execute(_FINISH, {"f_id": firing_id, "f_worker": worker, "f_status": status, "f_cause": cause})
        return bool(result.rowcount)

    def _mark_all_started(self, conn: Connection, calls: list[dict[str, Any]]) -> list[bool] | None:
        """`mark_started` of a group in one statement on PostgreSQL, one executemany on SQLite;
        None unless every row was still ours."""
        if conn.dialect.name == "postgresql":
            result = conn.execute(_PG_MARK_STARTED, {
                "ids": [c["firing_id"] for c in calls], "workers": [c["worker"] for c in calls],
                "ats": [_UTC.process_bind_param(c["at"], conn.dialect) for c in calls],
                "targets": [c["target"] for c in calls], "running": RUNNING})
            return [True] * len(calls) if result.rowcount == len(calls) else None
        result = conn.execute(_MARK_STARTED, [
            {"m_id": c["firing_id"], "m_worker": c["worker"], "m_at": c["at"], "m_target": c["target"]} for c in calls])
        return [True] * len(calls) if result.rowcount == len(calls) else None

    def _finish_all(self, conn: Connection, calls: list[dict[str, Any]]) -> list[bool] | None:
        """`finish_firing` of a group in one statement on PostgreSQL, one executemany on SQLite;
        None unless every row was still ours."""
        if conn.dialect.name == "postgresql":
            result = conn.execute(_PG_FINISH, {
                "ids": [c["firing_id"] for c in calls], "workers": [c["worker"] for c in calls],
                "statuses": [c["status"] for c in calls], "causes": [c["cause"] for c in calls], "running": RUNNING})
            return [True] * len(calls) if result.rowcount == len(calls) else None
        result = conn.execute(_FINISH, [
            {"f_id": c["firing_id"], "f_worker": c["worker"], "f_status": c["status"], "f_cause": c["cause"]} for c in calls])
        return [True] * len(calls) if result.rowcount == len(calls) else None

    @off_loop
    def drop_claim(self, firing_id: int, worker: str) -> None:
        """Give a claim back (nothing went out), so the firing is tried again."""
        with self.engine.begin() as conn:
            conn.execute(delete(FiringRow).where(col(FiringRow.id) == firing_id, col(FiringRow.claimed_by) == worker,
                                                 col(FiringRow.status) == RUNNING))

    @off_loop
    def expired_leases(self, now: datetime, limit: int, settled: datetime) -> list[LeasedFiring]:
        """Running firings whose owner stopped renewing, oldest due first; one whose first
        platform call was after `settled` is left alone a little longer (it may still land)."""
        with self.engine.begin() as conn:
            rows = conn.execute(select(*_COLUMNS).where(
                col(FiringRow.status) == RUNNING, col(FiringRow.lease_until) < now,
                or_(col(FiringRow.started_at).is_(None), col(FiringRow.started_at) < settled))
                .order_by(col(FiringRow.due_at)).limit(limit))
            return [_leased(r) for r in rows]

    @off_loop
    def take_over(self, firing_id: int, worker: str, now: datetime, lease_until: datetime,
                  settled: datetime) -> LeasedFiring | None:
        """Make an expired lease ours (compare-and-set: of several replicas exactly one wins)."""
        with self.engine.begin() as conn:
            row = conn.execute(update(FiringRow).where(
                col(FiringRow.id) == firing_id, col(FiringRow.status) == RUNNING, col(FiringRow.lease_until) < now,
                or_(col(FiringRow.started_at).is_(None), col(FiringRow.started_at) < settled))
                .values(claimed_by=worker, lease_until=lease_until).returning(*_COLUMNS)).first()
            return None if row is None else _leased(row)

    @off_loop
    def reopen_unconfirmed(self, firing_id: int, worker: str, lease_until: datetime) -> LeasedFiring | None:
        """An admin chose to post an unconfirmed firing: it runs again, once, under a fresh lease."""
        with self.engine.begin() as conn:
            row = conn.execute(update(FiringRow).where(
                col(FiringRow.id) == firing_id, col(FiringRow.status) == UNCONFIRMED)
                .values(status=RUNNING, claimed_by=worker, lease_until=lease_until, started_at=None, target=None,
                        cause=None).returning(*_COLUMNS)).first()
            return None if row is None else _leased(row)

    @off_loop
    def leased_firing(self, firing_id: int) -> LeasedFiring | None:
        with self.engine.begin() as conn:
            row = conn.execute(select(*_COLUMNS).where(col(FiringRow.id) == firing_id)).first()
            return None if row is None else _leased(row)

    @off_loop
    def firing_by_key(self, team_id: str, ritual_id: str, step: str, occurrence: str) -> LeasedFiring | None:
        """The firing of one (team, ritual, step, occurrence), or None when nobody claimed it."""
        with self.engine.begin() as conn:
            row = conn.execute(select(*_COLUMNS).where(
                col(FiringRow.team_id) == team_id, col(FiringRow.ritual_id) == ritual_id,
                col(FiringRow.step) == step, col(FiringRow.occurrence) == occurrence)).first()
            return None if row is None else _leased(row)

    @off_loop
    def last_trouble(self, team_id: str, ritual_id: str) -> LeasedFiring | None:
        """The latest firing of a ritual if it failed or is unconfirmed (for `/ritual status`), else None."""
        with self.engine.begin() as conn:
            row = conn.execute(select(*_COLUMNS).where(
                col(FiringRow.team_id) == team_id, col(FiringRow.ritual_id) == ritual_id,
                or_(col(FiringRow.status).in_(("done", "failed", UNCONFIRMED)),
                    and_(col(FiringRow.status) == RUNNING, col(FiringRow.started_at).is_not(None))))
                .order_by(col(FiringRow.due_at).desc(), col(FiringRow.id).desc()).limit(1)).first()
            if row is None:
                return None
            found = _leased(row)
            return found if found.status in ("failed", UNCONFIRMED) else None

    @off_loop
    def ritual_states(self, pairs: set[tuple[str, str]]) -> dict[tuple[str, str], tuple[bool, str | None]]:
        """`(paused, skipped occurrence)` of many (team, ritual) pairs in one query; pairs without a row left out."""
        teams = sorted({team for team, _ in pairs})
        found: dict[tuple[str, str], tuple[bool, str | None]] = {}
        with self.engine.begin() as conn:
            for start in range(0, len(teams), 500):
                rows = conn.execute(select(col(RitualStateRow.team_id), col(RitualStateRow.ritual_id),
                                           col(RitualStateRow.paused), col(RitualStateRow.skip_occurrence))
                                    .where(col(RitualStateRow.team_id).in_(teams[start:start + 500])))
                for team, ritual, paused, skip in rows:
                    if (team, ritual) in pairs:
                        found[(team, ritual)] = (bool(paused), skip)
        return found

    # settings version: how replicas notice each other's admin changes -----------------------

    @off_loop
    def settings_version(self) -> str:
        """A token that changes with every admin change to any team ('' before the first)."""
        with self.engine.begin() as conn:
            value = conn.execute(select(col(SettingRow.value)).where(col(SettingRow.key) == SETTINGS_VERSION)).scalar()
            return str(value or "")

    def _bump_settings_version(self) -> None:
        """Tell every replica that team settings changed (a fresh random token, no counter race)."""
        token = uuid.uuid4().hex
        insert = pg_insert if self.engine.dialect.name == "postgresql" else sqlite_insert
        statement = insert(SettingRow).values(key=SETTINGS_VERSION, value=token)
        statement = statement.on_conflict_do_update(index_elements=["key"], set_={"value": token})
        with self.engine.begin() as conn:
            conn.execute(statement)
