"""How admins' runtime changes and config.toml combine.

An admin's change is stored with the value config.toml had when it was made (its base).
On start:
- config.toml still says the base -> the admin's change stands (a restart never undoes it;
  a person erased with `/ritual forget` is masked in the base and matches whoever the file
  names there, `bot/store/personal.py`);
- config.toml now says something else -> someone edited the file since: the file wins,
  the bot logs which admin change it replaces, and the stale change is dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from pydantic import ValidationError

from bot.config import AppConfig, RitualSettings, TeamConfig
from bot.store.personal import same_base
from bot.store.store import TeamSetting

log = logging.getLogger("ritualbot.config")

TEAM_KEYS = ("language", "timezone", "leaders", "members", "holidays")
SCHEDULE_PREFIX = "schedule:"


def config_value(team: TeamConfig, key: str) -> Any:
    """The JSON-able value config.toml gives `key` for this team."""
    if key.startswith(SCHEDULE_PREFIX):
        settings = team.rituals.get(key.removeprefix(SCHEDULE_PREFIX))
        return None if settings is None else settings.schedule
    if key == "holidays":
        return sorted(d.isoformat() for d in team.holidays)
    value = getattr(team, key)
    return list(value) if isinstance(value, list) else value


def with_value(team: TeamConfig, key: str, value: Any) -> TeamConfig:
    """A copy of `team` with one setting replaced."""
    if key.startswith(SCHEDULE_PREFIX):
        rid = key.removeprefix(SCHEDULE_PREFIX)
        current = team.rituals.get(rid, RitualSettings())
        rituals = dict(team.rituals)
        rituals[rid] = RitualSettings.model_validate({**current.options, "enabled": current.enabled, "schedule": value})
        return team.model_copy(update={"rituals": rituals})
    if key == "holidays":
        return team.model_copy(update={"holidays": [date.fromisoformat(d) for d in value]})
    return team.model_copy(update={key: value})


def apply_overrides(config: AppConfig, settings: Mapping[str, Sequence[TeamSetting]],
                    drop: Any = None) -> AppConfig:
    """config.toml with the admins' changes that still stand; `drop(team, key)` forgets stale ones."""
    teams = []
    for team in config.teams:
        for setting in settings.get(team.id, ()):
            file_value = config_value(team, setting.key)
            if same_base(file_value, setting.base):  # a member erased from the base stands for whoever is there
                try:
                    team = with_value(team, setting.key, setting.value)
                except ValidationError as exc:  # kept by an older version that accepted it
                    log.warning("an admin's change to %s of team %s is no longer accepted (%s); config.toml's "
                                "value stands", setting.key, team.id,
                                "; ".join(str(e["msg"]) for e in exc.errors()))
                continue
            log.warning("config.toml now sets %s of team %s to %r; this replaces the change %s made at %s (%r)",
                        setting.key, team.id, file_value, setting.set_by, setting.set_at.isoformat(), setting.value)
            if drop is not None:
                drop(team.id, setting.key)
        teams.append(team)
    return config.model_copy(update={"teams": teams})
