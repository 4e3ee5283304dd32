"""The rituals' pure rules, one situation at a time (the month-long tests run them in context)."""

from __future__ import annotations

from collections import Counter
from datetime import date

from rituals.moral_deliberation import facilitation
from rituals.moral_deliberation.dilemmas import Entry, assign, rank
from rituals.moral_deliberation.seating import (
    LEADER_ALONE,
    LEADERS_SMALL,
    LEADERS_TO_PEERS,
    MERGED,
    SMALL_TEAM,
    leaders_go_to_peers,
    seat,
)
from rituals.walk_turns import Walk, next_for, queue

OPTS = {"seed": "t:2026-12-01T14:00", "min_size": 4, "max_size": 8}


def _people(n: int, prefix: str = "m") -> list[str]:
    return [f"{prefix}{i:02d}" for i in range(n)]


def test_seating_for_every_team_shape() -> None:
    for size in range(1, 26):
        for n_leaders in range(0, 4):
            people = _people(size)
            leaders = frozenset(people[:n_leaders])
            for separate in (False, True):
                s = seat(people, leaders, separate=separate, **OPTS)  # type: ignore[arg-type]
                seated = [p for t in s.tables for p in t]
                assert sorted(seated + s.apart) == sorted(people), (size, n_leaders, separate)
                assert all(len(t) >= 2 for t in s.tables) or size == 1, (size, n_leaders, separate, s)
                assert all(len(t) <= 8 for t in s.tables)
                if separate and size - n_leaders >= 4:  # reports fill tables: never a leader among them
                    for t in s.tables:
                        assert not (set(t) & leaders) or set(t) <= leaders
                if size >= 4 and not (separate and n_leaders):
                    assert all(len(t) >= 4 for t in s.tables)


def test_seating_notes_say_what_was_decided() -> None:
    three = ["l1", "l2", "k1"]
    s = seat(three, frozenset({"l1", "l2"}), separate=True, **OPTS)  # type: ignore[arg-type]
    assert [sorted(t) for t in s.tables] == [sorted(three)] and s.notes == [(MERGED, {"reports": 1, "leaders": 2, "min": 4})]
    s = seat(["l1", *_people(7)], frozenset({"l1"}), separate=True, **OPTS)  # type: ignore[arg-type]
    assert s.apart == ["l1"] and s.notes[0][0] == LEADER_ALONE
    s = seat(["l1", "l2", *_people(7)], frozenset({"l1", "l2"}), separate=True, **OPTS)  # type: ignore[arg-type]
    assert sorted(map(len, s.tables)) == [2, 7] and s.notes[0][0] == LEADERS_SMALL
    s = seat(["l1", *_people(7)], frozenset({"l1"}), separate=True, peers="leiding", **OPTS)  # type: ignore[arg-type]
    assert s.apart == ["l1"] and s.notes[0][0] == LEADERS_TO_PEERS
    assert leaders_go_to_peers(["l1", *_people(7)], frozenset({"l1"}), min_size=4, separate=True, peers="leiding")
    assert not leaders_go_to_peers(["l1", *_people(3)], frozenset({"l1"}), min_size=4, separate=True, peers="leiding")
    s = seat(_people(3), frozenset(), separate=False, **OPTS)  # type: ignore[arg-type]
    assert s.notes == [(SMALL_TEAM, {"count": 3, "min": 4})]
    s = seat(["x1", "x2"], frozenset(), separate=False, guests=["l1", "p0"], **OPTS)  # type: ignore[arg-type]
    assert [sorted(t) for t in s.tables] == [["l1", "p0", "x1", "x2"]] and s.notes == []


def test_facilitation_bands_put_leaders_last_and_cap_volunteers() -> None:
    table = ["lead", "vol", "a", "b"]
    counts: Counter[str] = Counter({"a": 1, "vol": 3})
    cap = facilitation.share_cap(Counter({"a": 1, "vol": 3, "b": 1}), willing=4, seats=1)
    assert cap == 3.0  # twice (5 + 1) / 4
    assert facilitation.bands(table, volunteers=["vol"], leaders=frozenset({"lead"}), counts=counts, cap=cap) == [
        ["b"], ["a"], ["lead"], ["vol"]]  # vol already had 3: behind the others, with the leader
    assert facilitation.bands(table, volunteers=["vol", "lead"], leaders=frozenset({"lead"}), counts=Counter(), cap=1) == [
        ["lead", "vol"], ["a", "b"]]
    history = [("2025-11-01T14:00", "a"), ("2026-06-02T14:00", "a"), ("2026-11-03T14:00", "b")]
    assert facilitation.year_counts(history, date(2026, 12, 1)) == Counter({"a": 1, "b": 1})
    assert facilitation.prune(history, date(2026, 12, 1)) == history[1:]


def test_dilemmas_go_to_their_owners_tables() -> None:
    tables = [["a", "b"], ["c", "d"], ["e", "f"]]
    entries = [Entry(1, "c"), Entry(2, None), Entry(3, "a"), Entry(4, "z")]
    assert assign(tables, entries, [4, 1, 3, 2]) == [3, 1, 2]  # 4's owner is absent: not discussed
    assert assign(tables, [Entry(1, "c"), Entry(2, "d")], [2, 1]) == [None, 2, None]
    assert assign(tables, [Entry(1, None)], [1]) == [1, 1, 1]
    assert assign(tables, [], []) == [None, None, None]
    assert rank([1, 2, 3], {"x": 2, "y": 2, "z": 3}, "s")[0] == 2


def test_walk_queue_shares_members_and_never_nags() -> None:
    members = ["a", "b", "c", "d"]
    walks = [Walk("l1", "a", "2026-W49", "proposed")]  # the leader did not respond
    assert queue(members, walks, week="2026-W50", salt="s")[-1] == "a"
    walks = [Walk("l1", "a", "2026-W49", "done"), Walk("l2", "b", "2026-W49", "done")]
    assert set(queue(members, walks, week="2026-W50", salt="s")[:2]) == {"c", "d"}
    first = next_for("l1", members, walks, week="2026-W50", salt="s")
    taken = [*walks, Walk("l1", str(first), "2026-W50", "proposed")]
    second = next_for("l2", members, taken, week="2026-W50", salt="s")
    assert {first, second} == {"c", "d"}
    passed = [Walk("l1", "c", "2026-W49", "passed")]
    assert queue(["c", "d"], [], week="2026-W50", salt="s", earlier=passed) == ["d", "c"]
