"""Alembic environment: runs against the engine the app hands over, online only."""

from collections.abc import Collection, Mapping
from typing import Any

from alembic import context
from alembic.runtime.migration import MigrationContext, MigrationInfo
from sqlalchemy import text
from sqlmodel import SQLModel

import bot.store.models  # noqa: F401  (registers the core's tables on SQLModel.metadata)
from bot.registry import discover

discover()  # and the installed rituals' own tables (`Ritual.tables`), so autogenerate sees them too

engine = context.config.attributes["engine"]
applied = context.config.attributes.get("applied")  # a list to report to, when the caller wants one

# One migrator at a time: replicas started together (each migrates on start), or `ritualbot db
# upgrade` run while a replica starts, would otherwise all read "no version yet", create the
# same tables at once and all but one fail. The lock is taken before the version is read and
# held until this transaction ends; whoever waited for it then reads the version the first one
# wrote and finds nothing to apply. PostgreSQL: an advisory lock; SQLite: its write lock, taken
# up front (BEGIN IMMEDIATE, waiting up to the busy timeout), not at the first CREATE.
MIGRATION_LOCK = 0x7269_7475_616C  # 'ritual' in ASCII: a fixed key of this application's own


def _note(ctx: MigrationContext, step: MigrationInfo, heads: Collection[Any], run_args: Mapping[str, Any]) -> None:
    if applied is not None and step.is_upgrade:
        script = ctx.script.get_revision(step.up_revision_id) if ctx.script and step.up_revision_id else None
        applied.append((str(step.up_revision_id), (getattr(script, "doc", "") or "").strip()))


with engine.begin() as connection:
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
    elif connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        on_version_apply=_note,
    )
    context.run_migrations()
