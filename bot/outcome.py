"""What became of one firing, as the engine reports it to the scheduler, `/ritual run` and metrics."""

from __future__ import annotations

from dataclasses import dataclass


class LeaseLost(Exception):
    """Another replica took this firing over before our first platform call: we post nothing."""


@dataclass(frozen=True)
class Outcome:
    """What became of one firing: its recorded status and, for a failure, its cause."""

    status: str
    cause: str | None = None
