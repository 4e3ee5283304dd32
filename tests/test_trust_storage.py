"""Where the data lives (issue 11): a SQLite file readable by its owner only whatever URL
points to it, erased text not left behind in it, and retention for removed teams too."""

from __future__ import annotations

import os
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.store import Store, open_database
from bot.store.database import sqlite_path
from tests.conftest import AMS, TEAM_TOML


@pytest.mark.parametrize("form", ["sqlite:///{dir}/a.db?timeout=10", "sqlite:///{dir}/b.db",
                                  "sqlite:///file:{dir}/c.db?mode=rwc&uri=true"])
def test_the_sqlite_file_is_private_whatever_the_url_form(tmp_path: Path, form: str) -> None:
    url = form.format(dir=tmp_path)
    engine = open_database(url)
    engine.dispose()
    path = sqlite_path(url)
    assert path is not None and path.exists() and path.parent == tmp_path
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".db") == [path.name]  # no stray file


def test_an_existing_world_readable_file_is_made_private(tmp_path: Path) -> None:
    file = tmp_path / "old.db"
    sqlite3.connect(file).close()
    os.chmod(file, 0o644)
    open_database(f"sqlite:///{file}?timeout=5").dispose()
    assert oct(file.stat().st_mode & 0o777) == "0o600"


async def test_erased_text_cannot_be_read_back_from_the_sqlite_file(tmp_path: Path) -> None:
    file = tmp_path / "erase.db"
    store = Store(open_database(f"sqlite:///{file}"))
    with store.engine.connect() as conn:
        assert conn.execute(text("PRAGMA secure_delete")).scalar() == 1
    from bot.store import Consent

    now = datetime(2026, 12, 4, 14, tzinfo=AMS)
    await store.set_consent("noord", "eva", Consent.IN, now, store.notice_version)
    marker = "Vertrouwelijk-verhaal-" * 20
    await store.save_response("noord", "weekly_success_mistake", author_id="eva", anonymous=False, kind="answer",
                              content={"success": marker}, occurrence=None, at=now)
    await store.erase_member("noord", "eva")
    store.close()
    raw = file.read_bytes() + b"".join(p.read_bytes() for p in tmp_path.iterdir() if p != file)
    assert b"Vertrouwelijk-verhaal" not in raw


async def test_retention_also_purges_teams_removed_from_the_config(make_harness, store: Store) -> None:  # type: ignore[no-untyped-def]
    from bot.store import Consent

    long_ago = datetime(2025, 1, 10, 12, tzinfo=AMS)
    await store.ensure_team("oud", "local", "C9", long_ago)
    await store.set_consent("oud", "piet", Consent.IN, long_ago, store.notice_version)
    await store.save_response("oud", "weekly_success_mistake", author_id="piet", anonymous=False, kind="answer",
                              content={"success": "Oud-team-antwoord"}, occurrence=None, at=long_ago)
    await store.mark_chosen("oud", "sharer", "piet", long_ago)
    await store.put_state("oud", "weekly_success_mistake", "sharer:2025-01-10T14:00", "piet", long_ago)
    h = await make_harness(TEAM_TOML)  # team "oud" is not in the config any more
    counts = await h.bot.purge_expired()
    assert counts.get("oud", 0) >= 1
    with store.engine.connect() as conn:
        tables = [r[0] for r in conn.execute(text(
            "SELECT name FROM sqlite_master WHERE type='table'" if store.engine.dialect.name == "sqlite"
            else "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"))]
        left = [(t, r) for t in tables for r in conn.execute(text(f'SELECT * FROM "{t}"'))
                if "piet" in repr(tuple(r)) or "Oud-team" in repr(tuple(r))]
    assert left == []
    h.clock.set(h.clock.now() + timedelta(days=1))
