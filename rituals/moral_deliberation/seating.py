"""Who sits at which table: pure functions, no store, no platform.

Seed 002 (Pilot Training workshopbegeleider Sociale Veiligheid): "Het ideale aantal
deelnemers ligt tussen de 4 en 8 deelnemers. Daaronder en daarboven gaat ten koste van de
kwaliteit van het gesprek." So tables are cut to `min_size`..`max_size`, nobody ever sits
alone, and when a table cannot reach `min_size` the people are merged, with a note that
says what was decided and why (the ritual tells the team's admins privately).

Hierarchy is a named source of feeling unsafe (same seed), hence the option to seat
leaders apart from the people who report to them. The reporting line is read from the
team config: every leader is treated as the manager of every other member.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field

# Notes on the seating, for the admins. Each is a key into the ritual's texts.
SMALL_TEAM = "small_team"            # fewer people than min_size: one small table
MERGED = "merged"                    # too few reports to seat apart: everyone at one table
LEADERS_SMALL = "leaders_small"      # leaders apart, but fewer than min_size: a small table of their own
LEADER_ALONE = "leader_alone"        # one leader, apart, no peers configured: sits this one out
LEADERS_TO_PEERS = "leaders_to_peers"  # leaders apart, too few: they join the peers' team


@dataclass(frozen=True)
class Seating:
    """The tables of one session and what the admins should hear about them.

    `tables`: lists of user ids (each at least 2 people unless the whole session is one
    person). `apart`: leaders who have no table in this team (alone, or with peers).
    `notes`: note keys (see above) with their numbers, for the admins' private message.
    """

    tables: list[list[str]]
    apart: list[str] = field(default_factory=list)
    notes: list[tuple[str, dict[str, int]]] = field(default_factory=list)


def seeded(seed: str) -> random.Random:
    """A random generator that gives the same order on every replica for the same seed."""
    return random.Random(int(hashlib.sha256(seed.encode()).hexdigest(), 16))


def split_groups(people: list[str], *, seed: str, max_size: int) -> list[list[str]]:
    """Shuffle deterministically by `seed`, then cut into the fewest groups of at most
    `max_size`, their sizes differing by one at most (17 people, max 8: 6, 6, 5)."""
    order = sorted(set(people))
    if not order:
        return []
    seeded(seed).shuffle(order)
    count = math.ceil(len(order) / max_size)
    size, extra = divmod(len(order), count)
    groups, start = [], 0
    for g in range(count):
        end = start + size + (1 if g < extra else 0)
        groups.append(order[start:end])
        start = end
    return groups


def leaders_go_to_peers(present: list[str], leaders: frozenset[str], *, min_size: int, separate: bool,
                        peers: str | None) -> bool:
    """Whether this team's present leaders take part with the peers' team this time.

    Only when leaders are seated apart, too few of them for a table of `min_size`, and a
    peers' team is configured; and only if the reports can still fill a table of their own
    (otherwise everyone meets together, see `seat`). Both teams compute this from the
    config and the present people, so they agree without talking to each other.
    """
    bosses = [p for p in present if p in leaders]
    reports = [p for p in present if p not in leaders]
    return bool(separate and peers and bosses and len(bosses) < min_size and len(reports) >= min_size)


def seat(present: list[str], leaders: frozenset[str], *, seed: str, min_size: int, max_size: int,
         separate: bool, peers: str | None = None, guests: Sequence[str] = ()) -> Seating:
    """The tables for the people present.

    - Not separating: everyone (and any guests) in the fewest tables of at most `max_size`.
      Fewer than `min_size` in all: one small table, and a note.
    - Separating leaders from their reports: reports in tables of their own. Too few
      reports to fill one table of `min_size`: everyone meets at one table (nobody sits
      alone), and a note says why. Leaders: a table of their own when they are at least
      `min_size`; fewer, with a peers' team configured: they join that team (note); fewer
      but at least two: a small table of their own (note); a single leader without peers
      sits this one out (note), so the admin can configure peers.
    Guests (leaders of other teams that send theirs here) are seated as peers.
    """
    people = list(dict.fromkeys([*present, *guests]))
    if not separate:
        notes = [(SMALL_TEAM, {"count": len(people), "min": min_size})] if 0 < len(people) < min_size else []
        return Seating(split_groups(people, seed=seed, max_size=max_size), [], notes)
    bosses = [p for p in present if p in leaders]
    reports = [p for p in people if p not in bosses]
    if not bosses:
        notes = [(SMALL_TEAM, {"count": len(reports), "min": min_size})] if 0 < len(reports) < min_size else []
        return Seating(split_groups(reports, seed=seed, max_size=max_size), [], notes)
    if len(reports) < min_size:
        merged = split_groups(people, seed=seed, max_size=max_size) if reports else []
        if not reports:  # a team of leaders only: they are each other's peers
            merged = split_groups(bosses, seed=seed, max_size=max_size)
            return Seating(merged, [], [(SMALL_TEAM, {"count": len(bosses), "min": min_size})] if len(bosses) < min_size else [])
        return Seating(merged, [], [(MERGED, {"reports": len(reports), "leaders": len(bosses), "min": min_size})])
    tables = split_groups(reports, seed=seed, max_size=max_size)
    if len(bosses) >= min_size:
        return Seating(tables + split_groups(bosses, seed=seed + ":leaders", max_size=max_size))
    if peers:
        return Seating(tables, bosses, [(LEADERS_TO_PEERS, {"leaders": len(bosses), "min": min_size})])
    if len(bosses) >= 2:
        return Seating(tables + [sorted(bosses)], [], [(LEADERS_SMALL, {"leaders": len(bosses), "min": min_size})])
    return Seating(tables, bosses, [(LEADER_ALONE, {"leaders": 1, "min": min_size})])
