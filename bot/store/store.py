"""The typed store API rituals and the core use; no caller writes SQL or opens sessions.

Each method is one short transaction, and each is a coroutine: the transaction runs on
the store's own bounded thread pool, never on the event loop (`await store.consent(...)`).
Consent is enforced here too: `save_response` refuses to store anything for a member who
has not opted in, so a ritual cannot forget to check.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, bindparam, delete, func, insert, text, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.store import outage, personal, records, retention
from bot.store.handled import HandledRequests
from bot.store.leases import FiringLeases
from bot.store.models import (
    FiringRow,
    MemberRow,
    ResponseRow,
    RitualStateRow,
    TeamRow,
    TeamSettingRow,
)
from bot.store.offloop import OffLoop, off_loop
from bot.store.records import Consent, ConsentRequired, Firing, RitualState, StoredResponse, TeamSetting
from bot.store.ritual_data import RitualData
from bot.store.ritual_tables import RitualTables
from bot.store.team_records import TeamRecords
from bot.texts import NOTICE_VERSION


class Store(RitualData, RitualTables, FiringLeases, HandledRequests, TeamRecords, OffLoop):
    """All persistence behind small, named operations, each awaited.

    `notice_version` is the current version of the consent notice: consent given to an
    older notice counts as not given, so people are asked again.
    """

    def __init__(self, engine: Engine, notice_version: int = NOTICE_VERSION) -> None:
        super().__init__(engine)
        self.notice_version = notice_version
        # SQLite ignores FOR UPDATE: serialise this process's read-modify-writes instead
        # (several processes on one database need PostgreSQL, where the row lock does it).
        self._local_writes: AbstractContextManager[Any] = (
            threading.Lock() if engine.dialect.name == "sqlite" else nullcontext())

    @contextmanager
    def _session(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session:
            yield session
            session.commit()

    @off_loop
    def ping(self) -> str:
        """'ok', or what is wrong for /healthz (`unreachable`, ...: bot/store/outage.py)."""
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return "ok"
        except Exception as exc:  # noqa: BLE001 - reported, not raised
            return outage.database_state(exc)

    # teams and members -------------------------------------------------------------

    @off_loop
    def ensure_team(self, team_id: str, platform: str, channel: str, now: datetime) -> datetime:
        """Record a team the first time it is seen; return when it was first seen."""
        with self._session() as s:
            row = s.get(TeamRow, team_id)
            if row is None:
                row = TeamRow(id=team_id, platform=platform, channel=channel, created_at=now)
                s.add(row)
                try:
                    s.flush()
                except IntegrityError:
                    s.rollback()
                    row = s.get(TeamRow, team_id)
                    assert row is not None
            elif (row.platform, row.channel) != (platform, channel):
                row.platform, row.channel = platform, channel
                s.add(row)
            return row.created_at

    @off_loop
    def ensure_teams(self, teams: Mapping[str, tuple[str, str]], now: datetime) -> dict[str, datetime]:
        """`ensure_team` for many teams in one transaction (start-up with thousands of teams):
        {team id: (platform, channel)} in, {team id: when first seen} out."""
        for attempt in range(2):
            try:
                with self._session() as s:
                    # Plain rows and two executemany statements, not 10,000 ORM objects (start-up time).
                    rows = {r[0]: r for r in s.exec(select(TeamRow.id, TeamRow.platform, TeamRow.channel,
                                                           TeamRow.created_at).where(col(TeamRow.id).in_(list(teams))))}
                    seen: dict[str, datetime] = {}
                    new: list[dict[str, Any]] = []
                    moved: list[dict[str, Any]] = []
                    for team_id, (platform, channel) in teams.items():
                        row = rows.get(team_id)
                        if row is None:
                            new.append({"id": team_id, "platform": platform, "channel": channel, "created_at": now})
                            seen[team_id] = now
                            continue
                        if (row[1], row[2]) != (platform, channel):
                            moved.append({"team": team_id, "new_platform": platform, "new_channel": channel})
                        seen[team_id] = row[3]
                    conn = s.connection()
                    if new:
                        conn.execute(insert(TeamRow), new)
                    if moved:
                        conn.execute(update(TeamRow).where(col(TeamRow.id) == bindparam("team")).values(
                            platform=bindparam("new_platform"), channel=bindparam("new_channel")), moved)
                    return seen
            except IntegrityError:  # another replica added some of them meanwhile: read theirs
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def _member(self, s: Session, team_id: str, user_id: str) -> MemberRow | None:
        return s.exec(select(MemberRow).where(MemberRow.team_id == team_id, MemberRow.user_id == user_id)).first()

    @off_loop
    def consent(self, team_id: str, user_id: str) -> Consent:
        with self._session() as s:
            return self._consent(s, team_id, user_id)

    def _consent(self, s: Session, team_id: str, user_id: str) -> Consent:
        row = self._member(s, team_id, user_id)
        if row is None:
            return Consent.UNKNOWN
        consent = Consent(row.consent)
        if consent is Consent.IN and (row.notice_version or 0) < self.notice_version:
            return Consent.UNKNOWN  # agreed to an older notice: ask again
        return consent

    @off_loop
    def consent_record(self, team_id: str, user_id: str) -> tuple[Consent, datetime | None, int | None]:
        with self._session() as s:
            row = self._member(s, team_id, user_id)
            if row is None:
                return Consent.UNKNOWN, None, None
            return Consent(row.consent), row.consent_at, row.notice_version

    @off_loop
    def set_consent(self, team_id: str, user_id: str, consent: Consent, at: datetime, notice_version: int | None) -> None:
        with self._session() as s:
            row = self._member(s, team_id, user_id) or MemberRow(team_id=team_id, user_id=user_id)
            row.consent, row.consent_at, row.notice_version = consent.value, at, notice_version
            s.add(row)

    @off_loop
    def opted_in(self, team_id: str) -> set[str]:
        with self._session() as s:
            rows = s.exec(select(MemberRow.user_id).where(MemberRow.team_id == team_id, MemberRow.consent == Consent.IN.value,
                                                          col(MemberRow.notice_version) >= self.notice_version))
            return set(rows)

    @off_loop
    def opted_out(self, team_id: str) -> set[str]:
        with self._session() as s:
            rows = s.exec(select(MemberRow.user_id).where(MemberRow.team_id == team_id, MemberRow.consent == Consent.OUT.value))
            return set(rows)

    @off_loop
    def set_language(self, team_id: str, user_id: str, language: str | None) -> None:
        with self._session() as s:
            row = self._member(s, team_id, user_id) or MemberRow(team_id=team_id, user_id=user_id)
            row.language = language
            s.add(row)

    @off_loop
    def language(self, team_id: str, user_id: str) -> str | None:
        with self._session() as s:
            row = self._member(s, team_id, user_id)
            return row.language if row else None

    @off_loop
    def set_away(self, team_id: str, user_id: str, away: bool) -> None:
        with self._session() as s:
            row = self._member(s, team_id, user_id) or MemberRow(team_id=team_id, user_id=user_id)
            row.away = away
            s.add(row)

    @off_loop
    def away(self, team_id: str) -> set[str]:
        with self._session() as s:
            return set(s.exec(select(MemberRow.user_id).where(MemberRow.team_id == team_id, MemberRow.away == True)))  # noqa: E712

    # ritual state: pause and skip -------------------------------------------------------

    @off_loop
    def ritual_state(self, team_id: str, ritual_id: str) -> RitualState:
        with self._session() as s:
            row = s.get(RitualStateRow, (team_id, ritual_id))
            return RitualState(row.paused, row.skip_occurrence) if row else RitualState(False, None)

    @off_loop
    def set_paused(self, team_id: str, ritual_id: str, paused: bool) -> None:
        with self._session() as s:
            row = s.get(RitualStateRow, (team_id, ritual_id)) or RitualStateRow(team_id=team_id, ritual_id=ritual_id)
            row.paused = paused
            s.add(row)

    @off_loop
    def set_skip(self, team_id: str, ritual_id: str, occurrence: str | None) -> None:
        with self._session() as s:
            row = s.get(RitualStateRow, (team_id, ritual_id)) or RitualStateRow(team_id=team_id, ritual_id=ritual_id)
            row.skip_occurrence = occurrence
            s.add(row)

    # firings: the exactly-once claim ---------------------------------------------------------

    @off_loop
    def claim_firing(self, team_id: str, ritual_id: str, step: str, occurrence: str, due_at: datetime,
                     status: str, worker: str, now: datetime) -> Firing | None:
        """Insert the firing row; None when another process (or an earlier run) has it."""
        row = FiringRow(team_id=team_id, ritual_id=ritual_id, step=step, occurrence=occurrence, due_at=due_at,
                        status=status, claimed_by=worker, claimed_at=now)
        try:
            with self._session() as s:
                s.add(row)
                s.flush()
                return records.firing_of(row)
        except IntegrityError:
            return None

    @off_loop
    def set_firing_status(self, firing_id: int, status: str, channel: str | None = None, message_id: str | None = None) -> None:
        with self._session() as s:
            row = s.get(FiringRow, firing_id)
            if row is None:
                return
            row.status = status
            if channel is not None:
                row.channel, row.message_id = channel, message_id
            s.add(row)

    @off_loop
    def release_firing(self, firing_id: int) -> None:
        """Give a claim back, so the firing is tried again (only when nothing was posted)."""
        with self._session() as s:
            row = s.get(FiringRow, firing_id)
            if row is not None:
                s.delete(row)

    @off_loop
    def firings(self, team_id: str, ritual_id: str | None = None) -> list[Firing]:
        with self._session() as s:
            query = select(FiringRow).where(FiringRow.team_id == team_id)
            if ritual_id:
                query = query.where(FiringRow.ritual_id == ritual_id)
            return [records.firing_of(r) for r in s.exec(query.order_by(col(FiringRow.due_at), col(FiringRow.id)))]

    @off_loop
    def last_firing_due(self, team_id: str, ritual_id: str, step: str) -> datetime | None:
        with self._session() as s:
            return s.exec(select(func.max(FiringRow.due_at)).where(
                FiringRow.team_id == team_id, FiringRow.ritual_id == ritual_id, FiringRow.step == step)).first()

    @off_loop
    def last_firing_dues(self) -> dict[tuple[str, str, str], datetime]:
        """`last_firing_due` of every (team, ritual, step) at once: one query at start-up."""
        with self._session() as s:
            rows = s.exec(select(FiringRow.team_id, FiringRow.ritual_id, FiringRow.step, func.max(FiringRow.due_at))
                          .group_by(col(FiringRow.team_id), col(FiringRow.ritual_id), col(FiringRow.step)))
            return {(team, ritual, step): due for team, ritual, step, due in rows if due is not None}

    @off_loop
    def firing_keys(self, team_id: str, ritual_id: str, since: datetime) -> set[tuple[str, str]]:
        with self._session() as s:
            rows = s.exec(select(FiringRow.step, FiringRow.occurrence).where(
                FiringRow.team_id == team_id, FiringRow.ritual_id == ritual_id, FiringRow.due_at >= since))
            return {(step, occ) for step, occ in rows}

    # responses -----------------------------------------------------------------------

    @off_loop
    def save_response(self, team_id: str, ritual_id: str, *, author_id: str, anonymous: bool, kind: str,
                      content: dict[str, Any], occurrence: str | None, at: datetime) -> int:
        """Store an answer of an opted-in member; anonymous answers keep no author at all."""
        with self._session() as s:
            if self._consent(s, team_id, author_id) is not Consent.IN:
                raise ConsentRequired(f"{author_id} has not opted in")
            row = ResponseRow(team_id=team_id, ritual_id=ritual_id, occurrence=occurrence,
                              author_id=None if anonymous else author_id, kind=kind,
                              content=json.dumps(content, ensure_ascii=False, sort_keys=True), created_at=at)
            s.add(row)
            s.flush()
            assert row.id is not None
            return row.id

    @off_loop
    def responses(self, team_id: str, ritual_id: str | None = None, occurrence: str | None = None,
                  author_id: str | None = None, kind: str | None = None) -> list[StoredResponse]:
        with self._session() as s:
            q = select(ResponseRow).where(ResponseRow.team_id == team_id)
            if ritual_id:
                q = q.where(ResponseRow.ritual_id == ritual_id)
            if occurrence:
                q = q.where(ResponseRow.occurrence == occurrence)
            if author_id:
                q = q.where(ResponseRow.author_id == author_id)
            if kind:
                q = q.where(ResponseRow.kind == kind)
            return [records.response_of(r) for r in s.exec(q.order_by(col(ResponseRow.id)))]

    @off_loop
    def response(self, response_id: int) -> StoredResponse | None:
        with self._session() as s:
            row = s.get(ResponseRow, response_id)
            return None if row is None else records.response_of(row)

    @off_loop
    def delete_responses_before(self, team_id: str, before: datetime, *, dry_run: bool = False) -> int:
        with self._session() as s:
            where = (col(ResponseRow.team_id) == team_id, col(ResponseRow.created_at) < before)
            count = s.exec(select(func.count()).select_from(ResponseRow).where(*where)).one()
            if not dry_run:
                s.exec(delete(ResponseRow).where(*where))
            return int(count)

    @off_loop
    def delete_facts_before(self, team_id: str, before: datetime) -> int:
        """Turns, admin changes and dated rows of ritual tables older than `before`
        (bot/store/retention.py)."""
        with self._session() as s:
            return retention.delete_facts_before(s, team_id, before, retention.dated(self.ritual_tables))

    @off_loop
    def team_ids(self) -> set[str]:
        """Every team the database holds anything for."""
        with self._session() as s:
            return retention.team_ids(s, self.ritual_tables)

    @off_loop
    def delete_team(self, team_id: str, *, dry_run: bool = False) -> int:
        """Delete (or, dry, count) everything held for one team: for teams removed from the config."""
        with self._session() as s:
            return retention.delete_team(s, team_id, dry_run=dry_run, owned=self.ritual_tables)

    @off_loop
    def personal_rows(self, team_id: str, user_id: str) -> dict[str, list[dict[str, Any]]]:
        """Every row that names this person in this team, per table (`bot/store/personal.py`)."""
        with self._session() as s:
            return personal.export(s, team_id, user_id, personal.places(self.ritual_tables))

    @off_loop
    def erase_member(self, team_id: str, user_id: str) -> int:
        """Erase this person from every place in `bot/store/personal.py`, in one transaction.

        When that took them off a runtime roster, every replica is told to reload its teams."""
        with self._local_writes, self._session() as s:
            changed = personal.erase_per_table(s, team_id, user_id, personal.places(self.ritual_tables))
        if TeamSettingRow.__tablename__ in changed:
            self._bump_settings_version()
        return sum(changed.values())

    # admins' runtime changes ----------------------------------------------------------------

    @off_loop
    def team_settings(self, team_id: str | None = None) -> dict[str, list[TeamSetting]]:
        with self._session() as s:
            q = select(TeamSettingRow)
            if team_id:
                q = q.where(TeamSettingRow.team_id == team_id)
            out: dict[str, list[TeamSetting]] = {}
            for r in s.exec(q.order_by(TeamSettingRow.key)):
                out.setdefault(r.team_id, []).append(
                    TeamSetting(r.key, json.loads(r.value), json.loads(r.base), r.set_by, r.set_at))
            return out

    @off_loop
    def put_team_setting(self, team_id: str, key: str, value: Any, base: Any, set_by: str, at: datetime) -> None:
        with self._session() as s:
            row = s.get(TeamSettingRow, (team_id, key))
            if row is None:
                row = TeamSettingRow(team_id=team_id, key=key, value="null", base="null", set_by=set_by, set_at=at)
            else:
                base = json.loads(row.base)  # the file's value when the first change was made stays the baseline
            row.value, row.base = json.dumps(value, sort_keys=True), json.dumps(base, sort_keys=True)
            row.set_by, row.set_at = set_by, at
            s.add(row)
        self._bump_settings_version()

    @off_loop
    def delete_team_setting(self, team_id: str, key: str) -> None:
        with self._session() as s:
            row = s.get(TeamSettingRow, (team_id, key))
            if row is not None:
                s.delete(row)
        self._bump_settings_version()
