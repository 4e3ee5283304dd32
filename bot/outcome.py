"""What became of one firing (as the engine reports it to the scheduler, `/ritual run` and
metrics), and the mark all of its messages carry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.store.leases import LeasedFiring


class LeaseLost(Exception):
    """Another replica took this firing over before our first platform call: we post nothing."""


@dataclass(frozen=True)
class Outcome:
    """What became of one firing: its recorded status and, for a failure, its cause."""

    status: str
    cause: str | None = None


def firing_marker(firing: LeasedFiring) -> str:
    """The mark every message of a firing carries, so a replica taking over can look for it."""
    return "/".join(firing.key)
