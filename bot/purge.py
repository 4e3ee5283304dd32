"""Retention as the running bot applies it: what `RitualBot.purge_expired` deletes, team by team.

In: the bot (its teams, rituals, resolved options, store, clock). Out: counts per team id.
Where the periods come from: each team's `retention_days` (config), each ritual's
`state_lifetime` and `expiring_state` (bot/ritual.py); the date rules are bot/store/retention.py's.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.store import retention
from bot.teams import TeamView

if TYPE_CHECKING:
    from bot.app import RitualBot

log = logging.getLogger("ritualbot")  # the name app.py logged these under


async def purge_round_state(bot: RitualBot, team: TeamView, now: datetime) -> None:
    """State about people a round no longer needs (`Ritual.state_lifetime`), of every ritual."""
    removed = 0
    for ritual in bot.rituals.values():
        for prefix, lifetime in ritual.state_lifetime.items():
            keys = [key for key, _ in await bot.store.state_items(team.id, ritual.id, prefix)]
            for key in retention.outlived(keys, lifetime, now, team.tz):
                await bot.store.delete_state(team.id, ritual.id, key)
                removed += 1
        options = bot.resolved[(team.id, ritual.id)].options
        for prefix in ritual.expiring_state:
            for key, value in await bot.store.state_items(team.id, ritual.id, prefix):
                if ritual.expired(key, value, now, options):
                    await bot.store.delete_state(team.id, ritual.id, key)
                    removed += 1
    if removed:
        log.info("retention: deleted %d entries of round state of team %s", removed, team.id)

async def purge_expired(bot: RitualBot, *, dry_run: bool = False) -> dict[str, int]:
    """Retention: answers older than each team's period (counted per team), dated facts
    about people as old, round state no ritual needs any more, and everything of teams no longer in the config (counted as
    rows under their id)."""
    now = bot.clock.now()
    counts = {}
    for team in bot.teams.values():
        before = now - timedelta(days=team.retention_days)
        counts[team.id] = await bot.store.delete_responses_before(team.id, before, dry_run=dry_run)
        if not dry_run:
            await bot.store.delete_facts_before(team.id, before)
            await purge_round_state(bot, team, now)
        if counts[team.id] and not dry_run:
            log.info("retention: deleted %d answers of team %s", counts[team.id], team.id)
    for gone in sorted(await bot.store.team_ids() - set(bot.teams)):
        counts[gone] = await bot.store.delete_team(gone, dry_run=dry_run)
        if counts[gone] and not dry_run:
            log.info("retention: deleted %d rows of team %s, which is no longer in the config", counts[gone], gone)
    return counts
