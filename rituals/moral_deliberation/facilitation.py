"""Who facilitates: volunteers first, then everyone willing in turn; leaders last.

Seed 002 names hierarchy as a source of feeling unsafe and says the norm should come from
the team, not from management ("Cultuur/norm wordt gesteld door het team i.p.v.
management"). So leaders do not lead by default: they facilitate when they volunteered
or when nobody else at their table can. Over a year nobody facilitates more than about
twice their fair share: a volunteer who already had that many goes behind the others.

Pure functions: the ritual hands in the history (who facilitated which session, the last
twelve months) and gets back the order in which to ask.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date, timedelta

YEAR = timedelta(days=365)


def year_counts(history: Iterable[tuple[str, str]], today: date) -> Counter[str]:
    """How often each person facilitated in the year up to `today`.

    `history`: (occurrence key '2026-12-01T14:00', user id) pairs.
    """
    since = today - YEAR
    return Counter(user for occurrence, user in history if date.fromisoformat(occurrence[:10]) > since)


def prune(history: Iterable[tuple[str, str]], today: date) -> list[tuple[str, str]]:
    """The history without what is older than a year: nothing is kept longer than needed."""
    since = today - YEAR
    return [(o, u) for o, u in history if date.fromisoformat(o[:10]) > since]


def share_cap(counts: Counter[str], willing: int, seats: int) -> float:
    """Twice the fair share of the year, this session's `seats` included (at least 1).

    fair share = facilitations in the year / willing people.
    """
    if willing <= 0:
        return 1.0
    return max(1.0, 2 * (sum(counts.values()) + seats) / willing)


def bands(group: Sequence[str], *, volunteers: Sequence[str], leaders: frozenset[str], counts: Counter[str],
          cap: float) -> list[list[str]]:
    """The people at one table in the order to ask them, as bands of equals.

    Tiers: 1. volunteers still under the cap (leaders who volunteered included); 2. the
    others who are not leaders; 3. everyone else at the table: leaders, and volunteers who
    already had their share. Within a tier, fewest facilitations this year first; one band
    per count. The ritual asks the core's fair rotation band by band, which skips people
    who cannot be chosen and breaks ties by who was chosen least recently.
    """
    first = [p for p in group if p in volunteers and counts[p] + 1 <= cap]
    second = [p for p in group if p not in first and p not in leaders and p not in volunteers]
    third = [p for p in group if p not in first and p not in second]
    found: list[list[str]] = []
    for tier in (first, second, third):
        for n in sorted({counts[p] for p in tier}):
            found.append([p for p in tier if counts[p] == n])
    return found


def stable_pick(people: Sequence[str], salt: str) -> str:
    """A deterministic pick among equals (when no rotation history decides)."""
    return min(people, key=lambda p: hashlib.sha256(f"{salt}:{p}".encode()).hexdigest())
