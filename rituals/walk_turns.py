"""Who a leader is asked to walk with: pure rules of `walk_and_listen`.

Seed 000: "een leidinggevende neemt het besluit om wekelijks een wandeling te maken met
een medewerker, puur om te luisteren". With several leaders in one team, the leaders
share the members between them: one queue for the whole team, least recently walked with
(by anyone in the team) first, and each leader takes the next one nobody else in the team
has this week. No nagging: whoever was suggested the week before and not walked with
(the leader did not respond, skipped, or the member would rather not) goes behind
everyone else who is waiting, so nobody is suggested twice in a row while others wait.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

WALKED = ("planned", "done")


@dataclass(frozen=True)
class Walk:
    """The fact of one suggestion or walk: leader, member, ISO week ('2026-W49'), status."""

    leader: str
    member: str
    week: str
    status: str


def previous_week(walks: Iterable[Walk], week: str) -> str | None:
    """The latest week before `week` in which anyone in the team was suggested."""
    return max((w.week for w in walks if w.week < week), default=None)


def queue(candidates: Sequence[str], walks: Sequence[Walk], *, week: str, salt: str,
          earlier: Iterable[Walk] = ()) -> list[str]:
    """Candidates in the order to suggest them this week (team-wide).

    `earlier`: suggestions the walk rows no longer show (a leader chose "someone else", a
    member said "rather not" and the leader then chose someone else), as `Walk`s.

    Order: not suggested-and-left-unwalked last week first; then least recently walked with
    by anyone in the team (never: first of all); then least recently suggested; then fewest
    walks; ties by a stable hash (fair, not alphabetical).
    """
    before = [w for w in walks if w.week < week]
    last = previous_week(before, week)
    walked: dict[str, str] = {}
    suggested: dict[str, str] = {}
    times: dict[str, int] = {}
    for w in before:
        suggested[w.member] = max(suggested.get(w.member, ""), w.week)
        if w.status in WALKED:
            walked[w.member] = max(walked.get(w.member, ""), w.week)
            times[w.member] = times.get(w.member, 0) + 1
    also = [w for w in earlier if w.week < week]
    last = max([last or "", *(w.week for w in also)]) or None
    walked_last = {w.member for w in before if w.week == last and w.status in WALKED}
    nagged = {w.member for w in [*before, *also] if w.week == last and w.status not in WALKED} - walked_last
    for w in also:
        suggested[w.member] = max(suggested.get(w.member, ""), w.week)

    def key(member: str) -> tuple[bool, str, str, int, str]:
        n = times.get(member, 0)
        return (member in nagged, walked.get(member, ""), suggested.get(member, ""), n,
                hashlib.sha256(f"{salt}:{n}:{member}".encode()).hexdigest())

    return sorted(dict.fromkeys(candidates), key=key)


def next_for(leader: str, candidates: Sequence[str], walks: Sequence[Walk], *, week: str, salt: str,
             passed: Iterable[str] = (), earlier: Iterable[Walk] = ()) -> str | None:
    """The member to suggest to `leader` this week: the head of the team's queue, skipping
    whoever another leader of the team has this week and whoever this leader passed over.
    When every candidate is taken by another leader, the queue as it is (a small team)."""
    skip = set(passed)
    pool = [c for c in candidates if c not in skip]
    taken = {w.member for w in walks if w.week == week and w.leader != leader and w.status != "skipped"}
    free = [c for c in pool if c not in taken]
    order = queue(free or pool, walks, week=week, salt=salt, earlier=earlier)
    return order[0] if order else None
