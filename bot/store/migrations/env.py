"""Alembic environment: runs against the engine the app hands over, online only."""

from collections.abc import Collection, Mapping
from typing import Any

from alembic import context
from alembic.runtime.migration import MigrationContext, MigrationInfo
from sqlmodel import SQLModel

import bot.store.models  # noqa: F401  (registers the core's tables on SQLModel.metadata)
from bot.registry import discover

discover()  # and the installed rituals' own tables (`Ritual.tables`), so autogenerate sees them too

engine = context.config.attributes["engine"]
applied = context.config.attributes.get("applied")  # a list to report to, when the caller wants one


def _note(ctx: MigrationContext, step: MigrationInfo, heads: Collection[Any], run_args: Mapping[str, Any]) -> None:
    if applied is not None and step.is_upgrade:
        script = ctx.script.get_revision(step.up_revision_id) if ctx.script and step.up_revision_id else None
        applied.append((str(step.up_revision_id), (getattr(script, "doc", "") or "").strip()))


with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        on_version_apply=_note,
    )
    context.run_migrations()
