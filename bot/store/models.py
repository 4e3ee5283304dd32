"""SQLModel tables. Changing one means writing an Alembic migration next to it.

What is stored is deliberately small: consent and rotation facts about members,
occurrences of rituals, answers only of people who opted in (anonymous ones with no
author column filled) and an audit log of admin changes. Tables a ritual owns (walks, as
facts without content) live with the ritual (`bot/store/ritual_tables.py`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Column, DateTime, Index, Text, TypeDecorator, UniqueConstraint
from sqlmodel import Field, SQLModel


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on every database.

    SQLite keeps no offset, so everything is converted to UTC before it is written.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use aware datetimes")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _utc_column(nullable: bool = False) -> Column[datetime]:
    return Column(UTCDateTime(), nullable=nullable)


class TeamRow(SQLModel, table=True):
    __tablename__ = "team"
    id: str = Field(primary_key=True, max_length=100)
    platform: str = Field(max_length=20)
    channel: str = Field(max_length=200)
    created_at: datetime = Field(sa_column=_utc_column())


class MemberRow(SQLModel, table=True):
    __tablename__ = "member"
    __table_args__ = (UniqueConstraint("team_id", "user_id"),)
    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(index=True, max_length=100)
    user_id: str = Field(max_length=200)
    consent: str = Field(default="unknown", max_length=10)
    consent_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    notice_version: int | None = None
    language: str | None = Field(default=None, max_length=5)
    away: bool = False


class RitualStateRow(SQLModel, table=True):
    __tablename__ = "ritual_state"
    team_id: str = Field(primary_key=True, max_length=100)
    ritual_id: str = Field(primary_key=True, max_length=100)
    paused: bool = False
    skip_occurrence: str | None = Field(default=None, max_length=32)


class FiringRow(SQLModel, table=True):
    """One step of one occurrence. The unique key is the exactly-once claim."""

    __tablename__ = "firing"
    __table_args__ = (UniqueConstraint("team_id", "ritual_id", "step", "occurrence"),
                      Index("ix_firing_lease", "status", "lease_until"))
    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(index=True, max_length=100)
    ritual_id: str = Field(max_length=100)
    step: str = Field(max_length=50)
    occurrence: str = Field(max_length=32)
    due_at: datetime = Field(sa_column=_utc_column())
    status: str = Field(max_length=20)
    claimed_by: str | None = Field(default=None, max_length=100)
    claimed_at: datetime = Field(sa_column=_utc_column())
    channel: str | None = Field(default=None, max_length=200)
    message_id: str | None = Field(default=None, max_length=200)
    # The lease: while `status` is 'running', `claimed_by` owns the firing until `lease_until`
    # and renews it; `started_at` is written just before the first platform call, with
    # `target` (a channel id, or '@user' for a DM) saying where that call went.
    lease_until: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    started_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    target: str | None = Field(default=None, max_length=200)
    cause: str | None = Field(default=None, max_length=100)


class ResponseRow(SQLModel, table=True):
    """An answer someone chose to share, stored only with their consent.

    `author_id` is NULL for anonymous answers and `created_at` is then the occurrence
    time, not the moment of sending, so nothing links the row to its author by timing.
    """

    __tablename__ = "response"
    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(index=True, max_length=100)
    ritual_id: str = Field(max_length=100)
    occurrence: str | None = Field(default=None, max_length=32)
    author_id: str | None = Field(default=None, max_length=200)
    kind: str = Field(max_length=50)
    content: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(sa_column=_utc_column())


class RotationRow(SQLModel, table=True):
    """When someone was last picked in a rotation (weekly sharer, walks, facilitator)."""

    __tablename__ = "rotation"
    __table_args__ = (UniqueConstraint("team_id", "pool", "user_id"),)
    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(index=True, max_length=100)
    pool: str = Field(max_length=100)
    user_id: str = Field(max_length=200)
    last_chosen_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    times: int = 0


class StateRow(SQLModel, table=True):
    """Small operational state a ritual keeps between steps (a prompt's message ref)."""

    __tablename__ = "ritual_data"
    team_id: str = Field(primary_key=True, max_length=100)
    ritual_id: str = Field(primary_key=True, max_length=100)
    key: str = Field(primary_key=True, max_length=200)
    value: str = Field(sa_column=Column(Text, nullable=False))
    updated_at: datetime = Field(sa_column=_utc_column())


class AuditRow(SQLModel, table=True):
    __tablename__ = "audit_log"
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_column=_utc_column())
    team_id: str | None = Field(default=None, index=True, max_length=100)
    actor_id: str | None = Field(default=None, max_length=200)
    action: str = Field(max_length=100)
    detail: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))


class SettingRow(SQLModel, table=True):
    """Installation-wide values shared by every replica (a generated signing secret)."""

    __tablename__ = "setting"
    key: str = Field(primary_key=True, max_length=100)
    value: str = Field(sa_column=Column(Text, nullable=False))


class TeamSettingRow(SQLModel, table=True):
    """An admin's runtime change to a team, with the config value it replaced.

    `base` is what config.toml said when the admin made the change: while config.toml
    still says that, the admin's change stands; once config.toml says something else,
    the file wins and the bot logs what it overrode.
    """

    __tablename__ = "team_setting"
    team_id: str = Field(primary_key=True, max_length=100)
    key: str = Field(primary_key=True, max_length=150)
    value: str = Field(sa_column=Column(Text, nullable=False))
    base: str = Field(sa_column=Column(Text, nullable=False))
    set_by: str = Field(max_length=200)
    set_at: datetime = Field(sa_column=_utc_column())


class ParticipationRow(SQLModel, table=True):
    """How many contributions a ritual got in a week: a count, never who or what."""

    __tablename__ = "participation"
    team_id: str = Field(primary_key=True, max_length=100)
    ritual_id: str = Field(primary_key=True, max_length=100)
    week: str = Field(primary_key=True, max_length=10)
    count: int = 0


class HandledRow(SQLModel, table=True):
    """An interaction already taken on (issue 9 point 4, 10 point 3, 11): its key, until when.

    The key is a hash of what identifies one delivery (Slack's view id and values, a
    trigger id, an event id; Mattermost's signed dialog state and submission), never what
    a person wrote or who they are. Rows past `expires_at` are purged on every insert.
    """

    __tablename__ = "handled_request"
    key: str = Field(primary_key=True, max_length=64)
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
