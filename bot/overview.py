"""What one person sees of their teams outside any ritual: consent per team and, for admins,
the team's rituals with their schedules and next firings in the team's local time.

Platform-neutral: it reads the bot and the store, nothing of a chat platform. Adapters ask
for it through the port (`BotPort.overview`, bot/ports.py); Slack renders it as the App Home
tab (bot/platforms/slack/home.py).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.command_context import format_local
from bot.dates import spoken_schedule
from bot.i18n import pick_language
from bot.platforms.kit.answers import log_failure
from bot.ritual_words import about
from bot.store import Consent

if TYPE_CHECKING:
    from bot.app import RitualBot

log = logging.getLogger("ritualbot")
# Offered as a button like `/ritual signal` (issue 15), where a ritual offers it.
SIGNAL = "signal"


@dataclass(frozen=True)
class RitualLine:
    """One enabled ritual of a team, as its admin reads it."""

    title: str
    schedule: str
    next_local: str | None
    paused: bool


@dataclass(frozen=True)
class TeamSummary:
    """One team, in the person's language: what they agreed to, and (admins) the rituals."""

    team_id: str
    language: str
    consent: Consent
    consent_since: str | None
    is_admin: bool
    rituals: tuple[RitualLine, ...]
    signal: bool = False  # a button to raise a worry with the team's confidant (issue 15)


async def teams_of(bot: RitualBot, platform: str, user_id: str) -> list[str]:
    """The ids of the teams on `platform` the person belongs to: by role, by the configured roster,
    or (teams without one) by being in the team's channel. A channel whose members cannot be read
    is left out (logged), never guessed."""
    found = []
    for team in bot.teams.values():
        if team.platform != platform:
            continue
        if team.is_admin(user_id) or team.is_leader(user_id):
            found.append(team.id)
        elif team.configured_members is not None:
            if user_id in team.configured_members:
                found.append(team.id)
        else:
            try:
                if user_id in await bot.platform_for(team).channel_members(team.channel):
                    found.append(team.id)
            except Exception as exc:
                log_failure(log, exc, "%s: members of %s unknown", platform, team.channel)
    return found


async def summarise(bot: RitualBot, user_id: str, team_ids: list[str], locale: str | None) -> list[TeamSummary]:
    """One summary per team, in the person's language; rituals only for the team's admins."""
    out = []
    for team_id in team_ids:
        team = bot.teams[team_id]
        language = pick_language(await bot.store.language(team.id, user_id), locale, default=team.language)
        consent, since, _ = await bot.store.consent_record(team.id, user_id)
        rituals: list[RitualLine] = []
        if team.is_admin(user_id):
            for rid in bot.enabled_rituals(team.id):
                ritual = bot.rituals[rid]
                state = await bot.store.ritual_state(team.id, rid)
                nxt = bot.next_firing(team.id, rid, skipping=state.skip_occurrence)
                rituals.append(RitualLine(
                    title=about(ritual).title(language),
                    schedule=spoken_schedule(bot.resolved[(team.id, rid)].schedule, language),
                    next_local=format_local(nxt, team, language) if nxt else None,
                    paused=state.paused))
        signal = bool(team.confidant) and any(SIGNAL in bot.rituals[rid].button_commands
                                              for rid in bot.enabled_rituals(team.id))
        out.append(TeamSummary(team.id, language, consent,
                               format_local(since, team, language) if since else None,
                               team.is_admin(user_id), tuple(rituals), signal))
    return out
