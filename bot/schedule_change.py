"""Changing a ritual's schedule while a round is under way (issue 12).

A new schedule applies from the next occurrence. The round already begun (any of its
steps claimed) finishes on the schedule it started with: its remaining steps (the
prompt, the digest) come as planned and its buttons stay valid until then. The new
schedule starts after that round's day, so a team never gets a second prompt on the
day of the open round, and never a catch-up of a new time that has just passed.

What is kept, in the core's state of the team (no personal data):
`schedule_history:<ritual>` = `{"since": <first occurrence key of the current schedule>,
"earlier": [{"schedule": "fri 14:00", "since": ..., "until": <last occurrence key>}]}`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from bot.schedule import wall_key
from bot.store import Store
from bot.teams import TeamView

PREFIX = "schedule_history:"
CORE = "core"
KEEP = timedelta(days=35)  # an old schedule is kept this long after its last round


@dataclass(frozen=True)
class Served:
    """A schedule and the occurrences (keys, inclusive) it serves."""

    schedule: str | None  # None: the ritual's current schedule
    since: str | None
    until: str | None


def served(history: Any) -> list[Served]:
    """The schedules one ritual runs on, from its stored history (None: just the current one)."""
    if not isinstance(history, dict):
        return [Served(None, None, None)]
    found = [Served(None, history.get("since"), None)]
    for old in history.get("earlier", []):
        found.append(Served(str(old["schedule"]), old.get("since"), str(old["until"])))
    return found


async def record_change(store: Store, team: TeamView, ritual_id: str, old_schedule: str, now: datetime) -> str | None:
    """Before a new schedule is stored: let the open round finish on `old_schedule`.

    Returns the occurrence key of the last round begun on the old schedule, if any.
    """
    local_now = now.astimezone(team.tz)
    keys = await store.firing_keys(team.id, ritual_id, now - KEEP)
    started = max((occurrence for _, occurrence in keys), default=None)
    history = await store.get_state(team.id, CORE, PREFIX + ritual_id)
    history = history if isinstance(history, dict) else {}
    horizon = wall_key(local_now - KEEP)
    earlier = [old for old in history.get("earlier", []) if old["until"] >= horizon]
    since = wall_key(local_now)
    if started is not None:
        earlier.append({"schedule": old_schedule, "since": history.get("since"), "until": started})
        day_after = datetime.combine(date.fromisoformat(started[:10]) + timedelta(days=1), datetime.min.time())
        since = max(since, wall_key(day_after))
    await store.put_state(team.id, CORE, PREFIX + ritual_id, {"since": since, "earlier": earlier}, now)
    return started
