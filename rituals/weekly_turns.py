"""Rules of the weekly success-and-mistake ritual, as pure functions.

Turns (issue 16, issue 14 "saying no without asking your boss"): passing one week is not
leaving, and leaving the rotation is not withdrawing consent. A sharer who passes, falls
ill or leaves is replaced by the next in line; their turn does not count as taken, so
they are asked again the next week. A turn counts only once the week is over.

People, not posts: the digest says how many people shared. To count a person once though
they shared twice (once named, once anonymously), the week holds a fingerprint per person:
an HMAC of their user id under a random key made for that week. It says "this person
shared this week", never what, when, how often, or whether named or anonymously; it is
not linked to any answer. The key is held only in the running bot's memory, never stored
(anonymous contributions are never stored, for anyone, and a stored key would let whoever
reads the database test whether someone who posted nothing named shared anonymously): the
stored fingerprints alone say nothing about anybody. The price: after a restart, or when
two replicas took someone's answers, that person may be counted twice (never more than
the number of posts). Fingerprints are deleted when the digest is posted (docs/rituals.md).
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


def with_person(week: dict[str, object] | None, user_id: str, key: str) -> dict[str, object]:
    """The week's people record (fingerprints only) with this person counted under `key`
    (once, however often they share)."""
    prints = set(_strings((week or {}).get("prints")))
    prints.add(fingerprint(key, user_id))
    return {"prints": sorted(prints)}


def without_person(week: dict[str, object] | None, user_id: str, key: str | None) -> dict[str, object] | None:
    """The record with this person taken out (for `/ritual forget`); unchanged without the key."""
    if not week or key is None:
        return week
    mine = fingerprint(key, user_id)
    return {**week, "prints": [p for p in _strings(week.get("prints")) if p != mine]}


def counted(week: dict[str, object] | None, user_id: str, key: str | None) -> bool:
    """Whether this person is counted in the record under `key` (False without the key)."""
    return bool(week and key is not None and fingerprint(key, user_id) in _strings(week.get("prints")))


def people(week: dict[str, object] | None) -> int:
    """How many different people shared this week."""
    return len(set(_strings((week or {}).get("prints"))))


def candidates(members: Sequence[str], *, passed: Iterable[str], left: Iterable[str]) -> list[str]:
    """Who may be asked this week: members who did not pass this week nor leave the rotation.

    (The core's rotation then skips people who opted out or are away, and picks the one
    whose turn was longest ago.)
    """
    skip = set(passed) | set(left)
    return [m for m in members if m not in skip]


def _strings(value: object) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []
