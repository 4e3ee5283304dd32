"""A step with several messages, taken over halfway: the moral deliberation session.

Replica A opens the session for a team of eleven (two tables): it posts table 1's head and
its first step, then dies before recording table 1's progress. Replica B takes the firing
over: it runs the step again, finds table 1's two messages on the platform by their
marker and number (not posted again, their references given back to the step, which
records table 1's progress) and posts table 2, which A never reached. Both facilitators'
"next step" buttons work.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.config import AppConfig
from bot.platforms.local import Entry
from tests.conftest import AMS, make_config
from tests.test_takeover_recovery import AFTER_THE_LEASE, _dying_replica_posts

MEMBERS = ["anna", "bram", "cor", "dewi", "eva", "fenna", "gijs", "hana", "ilse", "joost", "kees"]
TOML = f"""
lease_seconds = 30
language = "nl"
[[teams]]
id = "noord"
platform = "local"
channel = "C1"
admins = ["anna"]
leaders = ["anna"]
members = {MEMBERS!r}
[teams.rituals.moral_deliberation]
"""
START = datetime(2026, 11, 23, 8, 0, tzinfo=AMS)
SESSION = datetime(2026, 12, 1, 14, 0, tzinfo=AMS)  # the first Tuesday of December, 14:00
RITUAL = "moral_deliberation"


def _config() -> AppConfig:
    return make_config(TOML)


async def test_a_session_taken_over_halfway_posts_the_missing_table_once_and_both_tables_move_on(
        make_harness: Any) -> None:
    h = await make_harness(TOML, start=START)
    await _dying_replica_posts(h.store, _config(), "local", h.local, h.clock, "session", SESSION, "progress0:")
    heads = [e for e in h.local.entries("channel", "C1") if "Moreel beraad" in e.text]
    assert [("groep 1 van 2" in e.text) for e in heads] == [True]  # A got table 1 out, then died

    h.clock.set(SESSION + AFTER_THE_LEASE)
    assert await h.bot.takeover.take_over_expired() == {"done": 1}

    heads = [e for e in h.local.entries("channel", "C1") if "Moreel beraad" in e.text]
    assert ["groep 1 van 2" in heads[0].text, "groep 2 van 2" in heads[1].text, len(heads)] == [True, True, 2]
    steps = [e for e in h.local.transcript if e.kind == "thread"]
    assert [s.ref.thread_id for s in steps if s.ref] == [heads[0].ref.id, heads[1].ref.id]  # one first step per table
    plan = await h.store.get_state("noord", RITUAL, "plan:2026-12-01T14:00")
    for g, (head, first) in enumerate(zip(heads, steps, strict=True)):
        progress = await h.store.get_state("noord", RITUAL, f"progress{g}:2026-12-01T14:00")
        assert progress is not None and progress["step"] == 0
        assert (progress["head"]["id"], progress["ref"]["id"]) == (head.ref.id, first.ref.id)
        facilitator = plan["groups"][g]["facilitator"]
        out: list[Entry] = await h.local.click(facilitator, first, "next")
        assert [e.kind for e in out] == ["update", "thread"] and "Stap 2 van" in out[-1].text
        assert out[-1].ref is not None and out[-1].ref.thread_id == head.ref.id
    (row,) = [f for f in await h.store.firings("noord") if f.step == "session"]
    assert row.status == "done"
