"""From config to plans: every team's view, every (team, ritual) resolved, every step planned.

A pure computation over immutable inputs, so the running bot can do it on a worker thread
while the event loop goes on answering people (issue 9: start-up planning of 10,000 teams
never blocks a command). Teams with the same settings share what can be shared: one
resolved ritual and one list of steps per distinct setting, not one per team.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from dataclasses import dataclass, replace
from typing import Any

from bot.config import AppConfig, ResolvedRitual, resolve_ritual
from bot.engine import Planned
from bot.planned import lead_of
from bot.ritual import Ritual, Step
from bot.schedule import parse_schedule
from bot.schedule_change import PREFIX as HISTORY_PREFIX
from bot.schedule_change import served
from bot.teams import TeamView, team_view


@dataclass(frozen=True)
class Planning:
    """What the bot derives from its config: teams, resolved rituals, plans and the lookups
    every interaction makes (indexed once: 10,000 teams are not scanned per click)."""

    teams: dict[str, TeamView]
    resolved: dict[tuple[str, str], ResolvedRitual]
    plans: list[Planned]
    by_channel: dict[tuple[str, str], TeamView]  # (platform, channel) -> the first team with it
    enabled: dict[str, list[str]]  # team id -> its enabled ritual ids, in ritual order


def resolve_all(config: AppConfig, rituals: Mapping[str, Ritual]) -> dict[tuple[str, str], ResolvedRitual]:
    """Every (team, ritual) resolved; teams with the same settings for a ritual share one result
    (10,000 teams mostly have the same few), so start-up does not parse 40,000 schedules."""
    resolved: dict[tuple[str, str], ResolvedRitual] = {}
    seen: dict[tuple[str, str], ResolvedRitual] = {}
    for team in config.teams:
        for rid, ritual in rituals.items():
            settings = team.rituals.get(rid)
            key = (rid, "" if settings is None else settings.model_dump_json())
            if key not in seen:
                seen[key] = resolve_ritual(team, type(ritual))
            resolved[(team.id, rid)] = seen[key]
    return resolved


def plan_all(config: AppConfig, rituals: Mapping[str, Ritual], histories: Mapping[str, Mapping[str, Any]],
             platforms: Set[str]) -> Planning:
    """Plans for the teams whose platform is in `platforms` (a team without its platform
    waits), following each team's schedule history (`bot/schedule_change.py`)."""
    teams = {t.id: team_view(config, t) for t in config.teams}
    resolved = resolve_all(config, rituals)
    steps: dict[tuple[str, int], list[Step]] = {}  # per resolved setting, shared by the teams that have it

    def steps_of(rid: str, res: ResolvedRitual) -> list[Step]:
        key = (rid, id(res))
        if key not in steps:
            steps[key] = rituals[rid].steps(res.options)
        return steps[key]

    plans = [
        Planned(teams[team_id], rituals[rid],
                res if s.schedule is None else replace(res, schedule=parse_schedule(s.schedule)),
                st, since=s.since, until=s.until, lead=lead_of(steps_of(rid, res)))
        for (team_id, rid), res in resolved.items()
        if res.enabled and teams[team_id].platform in platforms
        for s in served(histories.get(team_id, {}).get(HISTORY_PREFIX + rid))
        for st in steps_of(rid, res)
    ]
    by_channel: dict[tuple[str, str], TeamView] = {}
    for t in teams.values():
        by_channel.setdefault((t.platform, t.channel), t)
    enabled: dict[str, list[str]] = {}
    for (team_id, rid), res in resolved.items():
        if res.enabled:
            enabled.setdefault(team_id, []).append(rid)
    return Planning(teams, resolved, plans, by_channel, enabled)
