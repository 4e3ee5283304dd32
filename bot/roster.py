"""People come and go (issue 12): temporary contracts are common in these teams.

`RosterWatch.check` runs every few minutes. Per team it looks at who can take part now
(`RitualContext.members`: active human accounts still in the channel) and, when someone
has gone since the last look (and once after every start, since a process that was down
cannot know), hands every enabled ritual the people still present
(`Ritual.people_left`): each drops the others from what it planned (walks, groups) at
once. Nothing is stored about who was there: the last roster lives in memory only.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot.platforms.kit.answers import log_failure

if TYPE_CHECKING:
    from bot.app import RitualBot

log = logging.getLogger("ritualbot.roster")


class RosterWatch:
    """Notices people leaving a team and lets every ritual let go of them."""

    def __init__(self, bot: RitualBot) -> None:
        self.bot = bot
        self._last: dict[str, frozenset[str]] = {}

    async def check(self) -> dict[str, set[str]]:
        """Look at every team once; returns, per team checked, who left since the last look."""
        left: dict[str, set[str]] = {}
        for team in list(self.bot.teams.values()):
            rituals = [self.bot.rituals[rid] for rid in self.bot.enabled_rituals(team.id)]
            if not rituals:
                continue
            try:
                present = frozenset(await self.bot.team_context(rituals[0], team).members())
            except Exception as exc:
                log_failure(log, exc, "team %s: could not look up who is in the team; trying again later", team.id)
                continue
            last = self._last.get(team.id)
            if not present and last:
                log.warning("team %s: the platform lists nobody in the channel; not treating that as everyone leaving",
                            team.id)
                continue
            self._last[team.id] = present
            gone = set(last - present) if last is not None else set()
            if last is not None and not gone:
                continue
            if gone:
                log.info("team %s: %d people left the team", team.id, len(gone))
            for ritual in rituals:
                try:
                    await ritual.people_left(self.bot.team_context(ritual, team), present)
                except Exception:
                    log.exception("team %s: %s could not let go of people who left", team.id, ritual.id)
            left[team.id] = gone
        return left
