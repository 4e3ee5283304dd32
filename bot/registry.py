"""Finding rituals through the `ritualbot.rituals` entry-point group.

Our own rituals are registered there too, so the core never imports one by name. An
unknown or duplicate id is an error at start-up, never a silent rename; so is a ritual
whose declarations do not match its handlers (`bot.ritual.check_contract`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from importlib.metadata import EntryPoint, entry_points

from bot.ritual import ContractError, Ritual, check_contract

GROUP = "ritualbot.rituals"


@functools.cache
def installed() -> tuple[EntryPoint, ...]:
    """The group's entry points, read once per process: scanning every installed package's
    metadata takes a quarter of a second, and what is installed does not change while we run."""
    return tuple(entry_points(group=GROUP))


class RegistryError(RuntimeError):
    """A ritual plugin that cannot be loaded or clashes with another."""


def discover(eps: Iterable[EntryPoint] | None = None) -> dict[str, type[Ritual]]:
    found: dict[str, type[Ritual]] = {}
    sources: dict[str, str] = {}
    for ep in eps if eps is not None else installed():
        try:
            cls = ep.load()
        except Exception as exc:
            raise RegistryError(f"ritual plugin {ep.name!r} ({ep.value}) failed to load: {exc}") from exc
        if not (isinstance(cls, type) and issubclass(cls, Ritual)):
            raise RegistryError(f"ritual plugin {ep.name!r} ({ep.value}) is not a Ritual subclass")
        rid = getattr(cls, "id", None)
        if not rid or rid != ep.name:
            raise RegistryError(f"ritual plugin {ep.name!r} ({ep.value}) declares id {rid!r}; they must match")
        try:
            check_contract(cls)
        except ContractError as exc:
            raise RegistryError(f"ritual plugin {ep.name!r} ({ep.value}): {exc}") from exc
        if rid in found and sources[rid] != ep.value:
            raise RegistryError(f"duplicate ritual id {rid!r}: {sources[rid]} and {ep.value}")
        found[rid], sources[rid] = cls, ep.value
    return dict(sorted(found.items()))
