"""Rules of the weekly success-and-mistake ritual, as pure functions.

Turns (issue 16, issue 14 "saying no without asking your boss"): passing one week is not
leaving, and leaving the rotation is not withdrawing consent. A sharer who passes, falls
ill or leaves is replaced by the next in line; their turn does not count as taken, so
they are asked again the next week. A turn counts only once the week is over.

People, not posts, without linking anyone (issue 16, issue 11): the digest says how many
people shared, counting once someone who shared twice (once named, once anonymously). For
that, the running bot keeps in its memory only, per team and week, a fingerprint per person
(an HMAC of their user id under a random key made for that week) and which fingerprints
shared by name. The database holds only what the thread shows anyway: how many posts, how
many of them anonymous (`with_post`). Nothing stored says how many people there were, so
no reader of the database can subtract named sharers from it.
The digest gives the number of people only when it tells nothing the thread does not
(`told`); otherwise, and whenever this process did not see every post of the week (after a
restart, or when another replica took some answers), it counts posts (docs/rituals.md).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable, Sequence


def new_week_key() -> str:
    """A random key for one week's fingerprints (never derived from anything stored)."""
    return secrets.token_hex(32)


def fingerprint(key: str, user_id: str) -> str:
    """The week's fingerprint of one person (HMAC-SHA256, hex)."""
    return hmac.new(bytes.fromhex(key), user_id.encode(), hashlib.sha256).hexdigest()


def with_person(week: dict[str, object] | None, user_id: str, key: str, *, anonymous: bool = False) -> dict[str, object]:
    """The week's people record (fingerprints only) with one more post by this person,
    counted under `key` (once as a person, however often they share). Named posts also
    mark the fingerprint as named, so the digest can tell when its count would link an
    anonymous post to the people who shared by name (`told`)."""
    week = week or {}
    mine = fingerprint(key, user_id)
    prints = set(_strings(week.get("prints"))) | {mine}
    named = set(_strings(week.get("named"))) | (set() if anonymous else {mine})
    return {"prints": sorted(prints), "named": sorted(named), "posts": _count(week, "posts") + 1,
            "anonymous": _count(week, "anonymous") + (1 if anonymous else 0)}


def with_post(counts: dict[str, object] | None, *, anonymous: bool) -> dict[str, object]:
    """The week's stored counts with one more post: `{"posts": n, "anonymous": a}`, no
    more than the thread itself shows."""
    counts = counts or {}
    return {"posts": _count(counts, "posts") + 1, "anonymous": _count(counts, "anonymous") + (1 if anonymous else 0)}


def without_person(week: dict[str, object] | None, user_id: str, key: str | None) -> dict[str, object] | None:
    """The record with this person taken out (for `/ritual forget`); unchanged without the key."""
    if not week or key is None:
        return week
    mine = fingerprint(key, user_id)
    return {**week, "prints": [p for p in _strings(week.get("prints")) if p != mine],
            "named": [p for p in _strings(week.get("named")) if p != mine]}


def counted(week: dict[str, object] | None, user_id: str, key: str | None) -> bool:
    """Whether this person is counted in the record under `key` (False without the key)."""
    return bool(week and key is not None and fingerprint(key, user_id) in _strings(week.get("prints")))


def people(week: dict[str, object] | None) -> int:
    """How many different people shared this week."""
    return len(set(_strings((week or {}).get("prints"))))


def told(week: dict[str, object] | None, stored: dict[str, object] | None) -> tuple[str, int]:
    """What the digest may say: `("people", n)`, or `("posts", n)`.

    `week` is this process's record of the week (`with_person`), `stored` the counts in the
    database (`with_post`). The thread shows who shared by name (N people) and how many
    posts were anonymous (A). A count of people P tells more than the thread whenever
    P <= N (every anonymous post came from someone who also shared by name: with one named
    sharer, that is them) or, with nobody named, P < A (two anonymous posts came from the
    same person); then the digest counts posts. Found by trying it: @cor shared by name and
    once anonymously, and the digest said "one person shared". Posts are counted too when
    `week` missed some of the week's posts (a restart, another replica).
    """
    posts = _count(stored or {}, "posts")
    if week is None or _count(week, "posts") != posts:
        return "posts", posts
    count, named, anonymous = people(week), len(set(_strings(week.get("named")))), _count(week, "anonymous")
    if anonymous and (count <= named or (named == 0 and count < anonymous)):
        return "posts", posts
    return "people", count


def candidates(members: Sequence[str], *, passed: Iterable[str], left: Iterable[str]) -> list[str]:
    """Who may be asked this week: members who did not pass this week nor leave the rotation.

    (The core's rotation then skips people who opted out or are away, and picks the one
    whose turn was longest ago.)
    """
    skip = set(passed) | set(left)
    return [m for m in members if m not in skip]


def _count(week: dict[str, object], name: str) -> int:
    value = week.get(name)
    return value if isinstance(value, int) else 0


def _strings(value: object) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []
