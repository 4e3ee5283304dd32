"""The one map of personal data: every place in the database that can hold a user id.

`/ritual mydata` exports what these places hold about one person and `/ritual forget`
erases it, both driven by `PLACES` below; a test runs every flow with a marker user and
checks, against a full dump of the database, that mydata shows every row naming them and
that nothing names them after forget. A new table or column that can hold a user id is
added here, or that test fails.

Where an id can sit:
- a column that holds exactly a user id (`member.user_id`, `rotation.user_id`, ...), also
  in the tables rituals own: each declares which of its columns name a person
  (`RitualTable.people`, `bot/store/ritual_tables.py`) and `places` adds them here, so
  the core covers a ritual's table without naming it (walk_and_listen's `walk`);
- free text that may name people (`audit_log.detail`: "set members: anna, eva");
- a key or JSON value of ritual state (`ritual_data`): `insights_monthly:<user>`, a vote
  `{user: n}`, a list of volunteers, `passed:<leader>:<week>`. Rituals still say what a
  value means (`Ritual.personal_data` / `forget_person`, run first); whatever names the
  person after that is scrubbed here: keys and list items dropped, values blanked;
- a key that contains the id: `firing.step` (`insights:<admin>`), `setting.key`
  (`mattermost:dm:<user>:<post>`).

Runtime rosters in `team_setting.value` (members, leaders an admin added with `/ritual
members add` and the like) are erased like ritual state: the person is taken off the list,
so after `forget` the bot no longer counts them in. `team_setting.base` (what config.toml
said when the admin made the change) keeps its shape with the id masked as "(erased)":
`same_base` lets a masked entry stand for any id, so the admin's change still stands
against an unchanged config.toml (`bot/overrides.py`) and no id is kept.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal

from sqlmodel import Session, SQLModel, col, select

from bot.store.models import (
    AuditRow,
    FiringRow,
    MemberRow,
    ResponseRow,
    RotationRow,
    SettingRow,
    StateRow,
    TeamSettingRow,
)
from bot.store.ritual_tables import RitualTable

ERASED = "(erased)"

Erase = Literal["delete", "blank", "redact", "scrub", "mask", "keep"]


@dataclass(frozen=True)
class Place:
    """One column that can hold a user id, and what `forget` does to a row naming them.

    `how`: "exact" (the column is the id), "token" (the id is a word in it), "segment" (a
    `:`-separated part of a key), "json" (anywhere in a JSON value's keys or strings).
    `erase`: delete the row; blank the column (None or "(erased)"); redact the id in the
    text; scrub it from the JSON; mask it in the JSON (replaced by "(erased)", the shape
    kept); or keep (shown in mydata, never erased).
    """

    table: type[SQLModel]
    column: str
    how: Literal["exact", "token", "segment", "json"]
    erase: Erase
    team_scoped: bool = True
    why: str = ""


PLACES: tuple[Place, ...] = (
    Place(MemberRow, "user_id", "exact", "delete", why="consent, language, away"),
    Place(ResponseRow, "author_id", "exact", "delete", why="named answers of people who opted in"),
    Place(RotationRow, "user_id", "exact", "delete", why="when it was someone's turn"),
    Place(AuditRow, "actor_id", "exact", "blank", why="who made an admin change"),
    Place(AuditRow, "detail", "token", "redact", why="whom an admin change named"),
    Place(TeamSettingRow, "set_by", "exact", "blank", why="who made a runtime change"),
    Place(TeamSettingRow, "value", "json", "scrub", why="runtime rosters: members, leaders an admin added"),
    Place(TeamSettingRow, "base", "json", "mask", why="config.toml's roster when an admin changed it"),
    Place(StateRow, "key", "segment", "delete", why="a setting of one person (monthly report, a leader's turn)"),
    Place(StateRow, "value", "json", "scrub", why="votes, volunteers, groups, turns in ritual state"),
    Place(FiringRow, "step", "segment", "delete", why="a report sent to one admin"),
    Place(FiringRow, "target", "token", "blank", why="whom a running firing is sending a direct message to"),
    Place(SettingRow, "key", "segment", "delete", team_scoped=False, why="which bot answered a direct message"),
)


def places(tables: Iterable[RitualTable] = ()) -> tuple[Place, ...]:
    """The core's places and, for each ritual table, one place per column naming a person:
    the row is deleted on forget (a ritual's row is a fact about people, not theirs to keep)."""
    owned = (Place(t.model, column, "exact", "delete", why=t.why) for t in tables for column in t.people)
    return (*PLACES, *owned)


def _token(user_id: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w.-])@?{re.escape(user_id)}(?![\w-]|\.\w)")


def _names(how: str, value: Any, user_id: str) -> bool:
    if value is None:
        return False
    if how == "exact":
        return bool(value == user_id)
    if how == "token":
        return bool(_token(user_id).search(str(value)))
    if how == "segment":
        return user_id in str(value).split(":")
    try:
        return _in_json(json.loads(value), user_id)
    except (TypeError, ValueError):
        return False


def _in_json(data: Any, user_id: str) -> bool:
    if isinstance(data, str):
        return data == user_id
    if isinstance(data, dict):
        return any(k == user_id or _in_json(v, user_id) for k, v in data.items())
    if isinstance(data, list):
        return any(_in_json(v, user_id) for v in data)
    return False


def scrub(data: Any, user_id: str) -> Any:
    """A JSON value without the person: dict keys and list items dropped, values blanked."""
    if isinstance(data, str):
        return None if data == user_id else data
    if isinstance(data, dict):
        return {k: scrub(v, user_id) for k, v in data.items() if k != user_id}
    if isinstance(data, list):
        return [scrub(v, user_id) for v in data if v != user_id]
    return data


def mask(data: Any, user_id: str) -> Any:
    """A JSON value with the person replaced by "(erased)" wherever they are, its shape kept."""
    if isinstance(data, str):
        return ERASED if data == user_id else data
    if isinstance(data, dict):
        return {(ERASED if k == user_id else k): mask(v, user_id) for k, v in data.items()}
    if isinstance(data, list):
        return [mask(v, user_id) for v in data]
    return data


def same_base(current: Any, base: Any) -> bool:
    """Whether config.toml's `current` value is the `base` an admin's change was made
    against, where a masked "(erased)" in `base` stands for any one id (list or value)."""
    if base == ERASED and isinstance(current, str):
        return True
    if isinstance(base, list) and isinstance(current, list):
        return len(base) == len(current) and all(same_base(c, b) for c, b in zip(current, base, strict=True))
    if isinstance(base, dict) and isinstance(current, dict):
        return base.keys() == current.keys() and all(same_base(current[k], base[k]) for k in base)
    return bool(current == base)


def _candidates(s: Session, place: Place, team_id: str, user_id: str) -> list[Any]:
    """Rows of this place's table that may name the person (narrowed in SQL, decided in Python)."""
    table: Any = place.table
    column = col(getattr(table, place.column))
    query = select(table)
    if place.team_scoped:
        query = query.where(col(table.team_id) == team_id)
    if place.how == "exact":
        query = query.where(column == user_id)
    else:
        query = query.where(column.contains(user_id, autoescape=True))
    return [row for row in s.exec(query) if _names(place.how, getattr(row, place.column), user_id)]


def _row(row: SQLModel) -> dict[str, Any]:
    out = {}
    for key, value in row.model_dump().items():
        out[key] = value.isoformat() if hasattr(value, "isoformat") else value
    return out


def export(s: Session, team_id: str, user_id: str,
           where: Iterable[Place] = PLACES) -> dict[str, list[dict[str, Any]]]:
    """Every row naming the person in the places `where` (`places(...)`), per table, whole
    (the JSON part of `/ritual mydata`)."""
    found: dict[str, dict[str, dict[str, Any]]] = {}
    for place in where:
        for row in _candidates(s, place, team_id, user_id):
            rows = found.setdefault(str(place.table.__tablename__), {})
            rows[json.dumps(_row(row), sort_keys=True, default=str)] = _row(row)
    return {table: list(rows.values()) for table, rows in sorted(found.items())}


def shown(rows: dict[str, list[dict[str, Any]]],
          view: Callable[[str, str, Any], Any]) -> dict[str, list[dict[str, Any]]]:
    """`export`'s rows with each ritual state value passed through `view(ritual_id, key,
    value)` (`Ritual.stored_view`): what a ritual keeps from the person stays out of the rows too."""
    states = [{**row, "value": json.dumps(view(row["ritual_id"], row["key"], json.loads(row["value"])),
                                          ensure_ascii=False, sort_keys=True)}
              for row in rows.get(str(StateRow.__tablename__), [])]
    return {table: states if table == StateRow.__tablename__ else found for table, found in rows.items()}


def erase(s: Session, team_id: str, user_id: str, where: Iterable[Place] = PLACES) -> int:
    """Erase the person from every place `where` (within one transaction); how many rows changed."""
    return sum(erase_per_table(s, team_id, user_id, where).values())


def erase_per_table(s: Session, team_id: str, user_id: str, where: Iterable[Place] = PLACES) -> dict[str, int]:
    """Like `erase`, counted per table name (only tables where something changed)."""
    changed: dict[str, int] = {}
    for place in where:
        if place.erase == "keep":
            continue
        for row in _candidates(s, place, team_id, user_id):
            table = str(place.table.__tablename__)
            changed[table] = changed.get(table, 0) + 1
            if place.erase == "delete":
                s.delete(row)
                continue
            setattr(row, place.column, _erased_value(place, getattr(row, place.column), user_id))
            s.add(row)
        s.flush()
    return changed


def _erased_value(place: Place, value: Any, user_id: str) -> Any:
    if place.erase == "blank":
        return None if place.table.model_fields[place.column].is_required() is False else ERASED
    if place.erase == "redact":
        return _token(user_id).sub(ERASED, str(value))
    erased = mask if place.erase == "mask" else scrub
    return json.dumps(erased(json.loads(value), user_id), ensure_ascii=False, sort_keys=True)
