"""Which table discusses which dilemma: pure functions.

In the dilemma method the person who brings the case tells it, formulates the dilemma and
answers the clarifying questions (Stolper, Molewijk & Widdershoven 2016, steps 2 to 4).
So a named dilemma is discussed only at a table where its owner sits; with several tables,
each gets the best-voted dilemma that fits it, and tables may get different dilemmas. An
anonymous dilemma fits any table (its owner is unknown, also to the bot); the session
post then says which steps change.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Entry:
    """A dilemma of this round: its number, and its owner when brought in with a name."""

    n: int
    owner: str | None = None


def rank(numbers: Sequence[int], votes: Mapping[str, int], seed: str) -> list[int]:
    """Most votes first; ties broken by a hash of `seed` and number, never by order or name."""
    counts = Counter(votes.values())
    return sorted(numbers, key=lambda n: (-counts[n], hashlib.sha256(f"{seed}:{n}".encode()).hexdigest()))


def choose_dilemma(numbers: list[int], votes: dict[str, int], seed: str) -> int | None:
    """The single winner: most votes, a tie broken by the hash (see `rank`)."""
    ranked = rank(numbers, votes, seed)
    return ranked[0] if ranked else None


def assign(tables: Sequence[Sequence[str]], entries: Sequence[Entry], ranked: Sequence[int]) -> list[int | None]:
    """Per table the number of its dilemma, or None (the table brings one in on the spot).

    Going down the ranking, a named dilemma goes to the table of its owner (if that table
    has none yet; an owner who is not present means it is not discussed), an anonymous one
    to the first table without a dilemma. Tables still without one then share the
    best-ranked anonymous dilemma, if there is one.
    """
    by_n = {e.n: e for e in entries}
    chosen: list[int | None] = [None] * len(tables)
    for n in ranked:
        entry = by_n.get(n)
        if entry is None:
            continue
        if entry.owner is None:
            free = [g for g, d in enumerate(chosen) if d is None]
        else:
            free = [g for g, table in enumerate(tables) if entry.owner in table and chosen[g] is None]
        if free:
            chosen[free[0]] = n
    anonymous = next((n for n in ranked if n in by_n and by_n[n].owner is None), None)
    return [anonymous if d is None else d for d in chosen]
