"""The store's part for a team's small records: who was chosen in a rotation, how many
contributions a week had (never who), the audit trail and the install's shared settings."""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.store.models import AuditRow, ParticipationRow, RotationRow, SettingRow, TeamRow
from bot.store.offloop import OffLoop, off_loop


class TeamRecords(OffLoop):
    """Rotation, participation counts, audit and settings; each method one short transaction."""

    def _session(self) -> AbstractContextManager[Session]:
        """A short ORM session, committed on leaving (`Store._session`)."""
        raise NotImplementedError

    @off_loop
    def teams_first_seen(self) -> dict[str, datetime]:
        """{team id: when the bot first saw it}, read only (`Store.ensure_team` records it)."""
        with self._session() as s:
            return {team_id: seen for team_id, seen in s.exec(select(TeamRow.id, TeamRow.created_at))}

    # rotation ---------------------------------------------------------------------------

    @off_loop
    def rotation(self, team_id: str, pool: str) -> dict[str, tuple[datetime | None, int]]:
        with self._session() as s:
            rows = s.exec(select(RotationRow).where(RotationRow.team_id == team_id, RotationRow.pool == pool))
            return {r.user_id: (r.last_chosen_at, r.times) for r in rows}

    @off_loop
    def mark_chosen(self, team_id: str, pool: str, user_id: str, at: datetime) -> None:
        with self._session() as s:
            row = s.exec(select(RotationRow).where(RotationRow.team_id == team_id, RotationRow.pool == pool,
                                                   RotationRow.user_id == user_id)).first()
            row = row or RotationRow(team_id=team_id, pool=pool, user_id=user_id)
            row.last_chosen_at, row.times = at, row.times + 1
            s.add(row)

    @off_loop
    def member_rotation(self, team_id: str, user_id: str) -> list[tuple[str, datetime | None, int]]:
        with self._session() as s:
            rows = s.exec(select(RotationRow).where(RotationRow.team_id == team_id, RotationRow.user_id == user_id))
            return [(r.pool, r.last_chosen_at, r.times) for r in rows]

    # participation counts ------------------------------------------------------------------

    @off_loop
    def count_participation(self, team_id: str, ritual_id: str, week: str) -> None:
        """Add one contribution to a week's count; nothing about who."""
        for _ in range(3):
            try:
                with self._session() as s:
                    row = s.get(ParticipationRow, (team_id, ritual_id, week))
                    if row is None:
                        row = ParticipationRow(team_id=team_id, ritual_id=ritual_id, week=week, count=0)
                    row.count += 1
                    s.add(row)
                return
            except IntegrityError:
                continue  # another replica created the row at the same moment: count again

    @off_loop
    def participation(self, team_id: str, since_week: str) -> dict[str, dict[str, int]]:
        """`{ritual_id: {week: count}}` for weeks from `since_week` on."""
        with self._session() as s:
            rows = s.exec(select(ParticipationRow).where(ParticipationRow.team_id == team_id,
                                                         ParticipationRow.week >= since_week))
            out: dict[str, dict[str, int]] = {}
            for r in rows:
                out.setdefault(r.ritual_id, {})[r.week] = r.count
            return out

    # audit and settings ---------------------------------------------------------------------

    @off_loop
    def audit(self, team_id: str | None, actor_id: str | None, action: str, detail: str, at: datetime) -> None:
        with self._session() as s:
            s.add(AuditRow(at=at, team_id=team_id, actor_id=actor_id, action=action, detail=detail))

    @off_loop
    def audit_log(self, team_id: str | None = None) -> list[AuditRow]:
        with self._session() as s:
            q = select(AuditRow)
            if team_id:
                q = q.where(AuditRow.team_id == team_id)
            return list(s.exec(q.order_by(col(AuditRow.id))))

    @off_loop
    def setting(self, key: str) -> str | None:
        return self._setting(key)

    def _setting(self, key: str) -> str | None:
        with self._session() as s:
            row = s.get(SettingRow, key)
            return None if row is None else row.value

    @off_loop
    def put_setting(self, key: str, value: str) -> None:
        """Write a shared setting, whatever it held (the last writer wins)."""
        with self._session() as s:
            row = s.get(SettingRow, key)
            if row is None:
                s.add(SettingRow(key=key, value=value))
            else:
                row.value = value

    @off_loop
    def setting_or_create(self, key: str, make: Any) -> str:
        """Read a shared setting, creating it once; concurrent replicas agree on one value."""
        existing = self._setting(key)
        if existing is not None:
            return existing
        try:
            with self._session() as s:
                s.add(SettingRow(key=key, value=make()))
        except IntegrityError:
            pass
        value = self._setting(key)
        assert value is not None
        return value
