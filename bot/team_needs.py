"""Teams that run a ritual without what it needs to reach anyone: the confidant line with
no `confidant`, say. Said as a warning at start-up and by `ritualbot check-config`, never
a refusal: the config is valid, the ritual just cannot do its work for that team yet
(`/ritual signal` there answers that the team has no confidant)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from bot.languages import named_teams

log = logging.getLogger("ritualbot.config")


def unmet_needs(config: Any, ritual_types: Mapping[str, Any]) -> list[str]:
    """One line per ritual and missing team key, naming the teams (grouped, as
    `bot.languages.language_gaps` does, so thousands of teams give a few lines), e.g.
    `team 'noord' runs confidant_line without a confidant: ...`."""
    grouped: dict[tuple[str, str], list[str]] = {}
    for team in config.teams:
        for rid, settings in team.rituals.items():
            cls = ritual_types.get(rid)
            if cls is None or not settings.enabled:
                continue
            for key in getattr(cls, "needs_team", ()):
                if not getattr(team, key, None):
                    grouped.setdefault((rid, key), []).append(team.id)
    found = []
    for (rid, key), teams in grouped.items():
        named = named_teams(teams)
        found.append(f"{'team' if len(teams) == 1 else 'teams'} {named} {'runs' if len(teams) == 1 else 'run'} "
                     f"{rid} without a {key}: it reaches nobody there; set `{key}` for "
                     f"{'that team' if len(teams) == 1 else 'those teams'} in the config, or switch {rid} off")
    return found


def warn_unmet_needs(config: Any, ritual_types: Mapping[str, Any]) -> list[str]:
    """`unmet_needs`, each logged as a warning; returned."""
    found = unmet_needs(config, ritual_types)
    for line in found:
        log.warning("%s", line)
    return found
