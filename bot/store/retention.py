"""What retention deletes, besides answers (`Store.delete_responses_before`).

- Dated facts about people (turns in a rotation, admin changes, and the rows of tables a
  ritual owns that declare a `dated` column, like walk_and_listen's walks) go after
  the team's retention period as answers do: for members who never opted in the bot keeps
  only what a ritual needs to work, and only for as long as that.
- A team removed from config.toml has nobody left to run its rituals or to ask for its
  data: everything the database holds for it goes at the next retention run.
- Ritual state about people that a round needs only while it runs (votes, turns, the
  week's fingerprints; `Ritual.state_lifetime`) goes once that lifetime has passed since
  the round, also when the step that closes a round never ran (paused, missed, switched
  off): for members who never opted in the bot keeps only what a ritual needs, and only
  as long as it needs it (issue 11).
- Ritual state whose end only its value tells (a closed conversation of the confidant line,
  `Ritual.expiring_state` / `Ritual.expired`) goes when the ritual says it has expired,
  also while the ritual is paused or switched off and its own step does not run.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import Table, delete, func, select
from sqlmodel import Session, SQLModel, col

from bot.store.models import AuditRow, RotationRow
from bot.store.ritual_tables import RitualTable

DATED: tuple[tuple[type[SQLModel], str], ...] = (
    (RotationRow, "last_chosen_at"),
    (AuditRow, "at"),
)


def dated(tables: Iterable[RitualTable] = ()) -> tuple[tuple[type[SQLModel], str], ...]:
    """The core's dated facts and the ritual tables that declare a `dated` column."""
    return (*DATED, *((t.model, t.dated) for t in tables if t.dated))


def delete_facts_before(s: Session, team_id: str, before: datetime,
                        facts: Iterable[tuple[type[SQLModel], str]] = DATED) -> int:
    """Delete a team's dated `facts` (model, timestamp column; `dated(...)`) older than
    `before`; how many rows."""
    removed = 0
    for model, column in facts:
        table: Any = model
        result: Any = s.exec(delete(table).where(col(table.team_id) == team_id, col(getattr(table, column)) < before))
        removed += int(result.rowcount or 0)
    return removed


def _team_tables(owned: Iterable[RitualTable] = ()) -> list[Table]:
    """Every table with a `team_id`: the registered models' and the ritual tables `owned`
    (a ritual may keep its models on a metadata of its own)."""
    tables = {t.name: t for t in SQLModel.metadata.sorted_tables if "team_id" in t.c}
    for own in owned:
        tables.setdefault(own.name, own.model.__table__)  # type: ignore[attr-defined]  # table=True
    return list(tables.values())


def team_ids(s: Session, owned: Iterable[RitualTable] = ()) -> set[str]:
    """Every team id the database holds anything for (the `team` table and the ritual
    tables `owned` included)."""
    found: set[str] = set()
    for table in _team_tables(owned):
        found |= {row[0] for row in s.connection().execute(select(table.c.team_id).distinct()) if row[0]}
    found |= {row[0] for row in s.connection().execute(select(SQLModel.metadata.tables["team"].c.id))}
    return found


def delete_team(s: Session, team_id: str, *, dry_run: bool = False, owned: Iterable[RitualTable] = ()) -> int:
    """Delete (or count) every row of one team, in every table (the ritual tables `owned`
    included); how many."""
    total = 0
    tables = [*_team_tables(owned), SQLModel.metadata.tables["team"]]
    for table in tables:
        key = table.c.team_id if "team_id" in table.c else table.c.id
        total += int(s.connection().execute(select(func.count()).select_from(table).where(key == team_id)).scalar() or 0)
        if not dry_run:
            s.connection().execute(delete(table).where(key == team_id))
    return total


def round_moment(key: str, tz: tzinfo) -> datetime | None:
    """When the round a state key belongs to began: its last `:` part read as an occurrence
    (`2026-11-27T14:00`, the team's wall time) or an ISO week (`2026-W48`, its Monday);
    None when it is neither."""
    last = key.rsplit(":", 2)
    candidates = [":".join(last[-2:]), last[-1]]
    for part in candidates:
        try:
            return datetime.fromisoformat(part).replace(tzinfo=tz)
        except ValueError:
            pass
        year, _, week = part.partition("-W")
        if year.isdigit() and week.isdigit():
            try:
                return datetime.combine(date.fromisocalendar(int(year), int(week), 1), datetime.min.time(), tz)
            except ValueError:
                return None
    return None


def outlived(keys: list[str], lifetime: timedelta, now: datetime, tz: tzinfo) -> list[str]:
    """The keys whose round began more than `lifetime` before `now` (keys without a round: never)."""
    return [key for key in keys if (began := round_moment(key, tz)) is not None and now - began > lifetime]
