"""What the store gives back: plain, frozen records of its rows (no ORM object leaves the store)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from bot.store.models import FiringRow, ResponseRow


class Consent(StrEnum):
    UNKNOWN = "unknown"
    IN = "in"
    OUT = "out"


class ConsentRequired(PermissionError):
    """Raised when something would be stored for a member who has not opted in."""


@dataclass(frozen=True)
class Firing:
    id: int
    team_id: str
    ritual_id: str
    step: str
    occurrence: str
    due_at: datetime
    status: str


@dataclass(frozen=True)
class StoredResponse:
    id: int
    team_id: str
    ritual_id: str
    occurrence: str | None
    author_id: str | None
    kind: str
    content: dict[str, Any]
    created_at: datetime


@dataclass(frozen=True)
class RitualState:
    paused: bool
    skip_occurrence: str | None


@dataclass(frozen=True)
class TeamSetting:
    key: str
    value: Any
    base: Any
    set_by: str
    set_at: datetime


def firing_of(r: FiringRow) -> Firing:
    """The record of a firing row."""
    assert r.id is not None
    return Firing(r.id, r.team_id, r.ritual_id, r.step, r.occurrence, r.due_at, r.status)


def response_of(r: ResponseRow) -> StoredResponse:
    """The record of a response row, its content decoded."""
    assert r.id is not None
    return StoredResponse(r.id, r.team_id, r.ritual_id, r.occurrence, r.author_id, r.kind, json.loads(r.content), r.created_at)
