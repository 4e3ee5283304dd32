"""`ritualbot schedule`: a dry run that tells the truth about the coming occurrences.

For each team and ritual it lists the next occurrences in the team's local time, marks
the ones nothing will happen on (a public or team holiday, an occurrence an admin
skipped, a paused ritual) and, under each, what people will receive and when, in the
words of the ritual's `step_descriptions`, never internal step names. Admins' runtime
changes (schedule, holidays) are read from the database when it can be reached.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TextIO

from bot.config import AppConfig, ResolvedRitual, resolve_ritual
from bot.dates import formatted
from bot.i18n import PoCatalog, translate
from bot.overrides import apply_overrides
from bot.planned import lead_of
from bot.ritual import Ritual
from bot.ritual_words import about
from bot.schedule import wall_key
from bot.store import Store
from bot.teams import TeamView, holiday_name, team_view
from bot.timing import StepFiring, step_firings

TEXTS = PoCatalog("bot", "dryrun")
"""The dry run's words: bot/locale/<language>/LC_MESSAGES/dryrun.po."""


class _Words:
    """`words["holiday"]`: the dry run's words in one language."""

    def __init__(self, language: str) -> None:
        self.language = language

    def __getitem__(self, key: str) -> str:
        return translate(TEXTS, key, self.language)


@dataclass(frozen=True)
class _RitualState:
    paused: bool = False
    skip: str | None = None


def when(moment: datetime, language: str, *, with_time: bool = True) -> str:
    """`Fri 4 Dec 2026 14:00` / `vr 4 dec 2026 14:00`: a date as people write it."""
    return formatted(moment, "short_moment", language) if with_time else formatted(moment.date(), "short_day", language)


async def print_schedule(config: AppConfig, rituals: Mapping[str, Ritual], start: datetime, *, count: int,
                   language: str | None, out: TextIO, store: Store | None, without: str = "no_db",
                   now: datetime | None = None) -> None:
    """Write the dry run for every team to `out`; `store` None: from config.toml alone, and
    `without` says why ("no_db": the database could not be read; "no_db_yet": there is none yet).
    `language` None: each team in its own language, as its people will read it (the lines
    about all teams in their shared language, or the config's default language). A round that
    began before the bot first saw the team (`now`, else `start`, for a team it has not seen yet)
    is not held."""
    words = _Words(language or _shared_language(config))
    seen: dict[str, datetime] = {}
    if store is not None:
        config = apply_overrides(config, await store.team_settings(), None)
        seen = await store.teams_first_seen()
    else:
        print(words[without], file=out)
    now = now or start
    for team_cfg in config.teams:
        team = team_view(config, team_cfg)
        team_language = language or team.language
        print(f"{team.id} ({team.platform}, {team.timezone}, {team.language})", file=out)
        for rid, ritual in rituals.items():
            resolved = resolve_ritual(team_cfg, type(ritual))
            if not resolved.enabled:
                continue
            state = await _state(store, team.id, rid)
            title = about(ritual).title(team_language)
            paused = f": {_Words(team_language)['paused']}" if state.paused else ""
            print(f"  {title} [{resolved.schedule.source}]{paused}",
                  file=out)
            if state.paused:
                continue
            # hundreds of occurrences and where working time moves each step: CPU work, off the loop
            since = seen.get(team.id, now)
            lines = await asyncio.to_thread(_occurrences, team, ritual, resolved, state, start, count, team_language,
                                            since)
            for line in lines:
                print(line, file=out)


def _shared_language(config: AppConfig) -> str:
    """The language every team speaks, or the config's default when they differ."""
    spoken = {team_view(config, team).language for team in config.teams}
    return spoken.pop() if len(spoken) == 1 else config.language


async def _state(store: Store | None, team_id: str, ritual_id: str) -> _RitualState:
    if store is None:
        return _RitualState()
    found = await store.ritual_state(team_id, ritual_id)
    return _RitualState(found.paused, found.skip_occurrence)


def _occurrences(team: TeamView, ritual: Ritual, resolved: ResolvedRitual, state: _RitualState,
                 start: datetime, count: int, language: str, since: datetime) -> list[str]:
    words = _Words(language)
    steps = [(st, about(ritual).step(st.name, language))
             for st in ritual.steps(resolved.options)]
    lead = lead_of([st for st, _ in steps])
    trigger = resolved.schedule.trigger(team.tz)
    occurrences: list[datetime] = []
    previous, moment = None, start
    for _ in range(count):
        found = trigger.get_next_fire_time(previous, moment)
        if found is None:
            break
        occurrences.append(found)
        previous, moment = found, found + timedelta(seconds=1)
    placed: dict[tuple[str, str], StepFiring] = {}
    if occurrences:  # where each step really lands: moved into the team's working time, or not sent
        window = (min(occurrences) - timedelta(days=60), max(occurrences) + timedelta(days=60))
        for st, description in steps:
            if description is not None:
                for step_firing in step_firings(resolved.schedule.trigger(team.tz, st.offset), team, *window):
                    placed[(st.name, step_firing.occurrence)] = step_firing
    lines: list[str] = []
    for occurrence in occurrences:
        local = occurrence.astimezone(team.tz)
        began = (local.replace(tzinfo=None) - lead).replace(tzinfo=team.tz)
        reason = words["before_team"] if began < since else _why_nothing(team, local, state, words)
        if reason:
            lines.append(f"    {when(local, language, with_time=False)}: {reason}; {words['nothing']}")
            continue
        lines.append(f"    {when(local, language, with_time=False)}")
        for st, description in sorted(steps, key=lambda item: item[0].offset):
            if description is None:
                continue  # a variant of a described step (e.g. another timezone's hour)
            at = (local.replace(tzinfo=None) + st.offset).replace(tzinfo=team.tz)
            firing = placed.get((st.name, wall_key(local)))
            note = ""
            if firing is not None and firing.blocked:
                note = f" ({words['off_hours']})"
            elif firing is not None and firing.moved:
                note = f" ({words['moved']} {when(firing.planned.astimezone(team.tz), language)})"
                at = firing.at.astimezone(team.tz)
            lines.append(f"      {when(at, language)}  {description}{note}")
    return lines


def _why_nothing(team: TeamView, local: datetime, state: _RitualState, words: _Words) -> str | None:
    if state.skip == wall_key(local):
        return words["skipped"]
    day = local.date()
    if day in team.extra_holidays:
        return words["own_day"]
    name = holiday_name(team.country, day, words.language)
    if name:
        return f"{words['holiday']} ({name})"
    return None
