"""Fair rotation: whoever was chosen least recently goes first.

Never-chosen people come before everyone else; ties are broken by a stable hash of the
pool and user, so the order is fair but not alphabetical week after week.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

_NEVER = datetime.min.replace(tzinfo=UTC)


def pick_fair(candidates: Sequence[str], history: Mapping[str, tuple[datetime | None, int]],
              *, salt: str = "") -> str | None:
    if not candidates:
        return None

    def order(user: str) -> tuple[datetime, int, str]:
        last, times = history.get(user, (None, 0))
        last_aware = _NEVER if last is None else (last if last.tzinfo else last.replace(tzinfo=UTC))
        tie = hashlib.sha256(f"{salt}:{times}:{user}".encode()).hexdigest()
        return last_aware, times, tie

    return min(dict.fromkeys(candidates), key=order)
