"""Telling a team's admins, privately, what went wrong with a firing and how to fix it.

Causes come from the adapters (`PlatformTrouble`: not in the channel, channel archived or
gone, a missing scope, a dead token) and from the takeover of a dead replica's firings
(`may_have_posted`, `owner_died`). Each admin gets one direct message in their own
language naming the cause and the fix; for a firing that may or may not have gone out,
with a button to post it now. `/ritual status` and `/ritual run` use the same words.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from bot.command_context import core_button
from bot.i18n import translate
from bot.languages import person_language
from bot.messages import Button, Message, text
from bot.store.leases import LeasedFiring
from bot.trouble_texts import REPOST, TROUBLE_TEXTS, describe_cause

if TYPE_CHECKING:
    from bot.app import RitualBot
    from bot.engine import Planned
    from bot.teams import TeamView

log = logging.getLogger("ritualbot.trouble")

class AdminNotices:
    """Sends the admins' private messages about a firing's trouble (the engine's `report_trouble`)."""

    def __init__(self, bot: RitualBot) -> None:
        self.bot = bot

    def message(self, plan: Planned, firing: LeasedFiring, cause: str, language: str) -> Message:
        team = plan.team
        when = firing.due_at.astimezone(team.tz).strftime("%Y-%m-%d %H:%M")
        unconfirmed = cause == "may_have_posted" or cause.startswith("server_error")
        title_key = "trouble.unconfirmed_title" if unconfirmed else "trouble.title"
        title = translate(TROUBLE_TEXTS, title_key, language, ritual=plan.ritual.id, step=firing.step, when=when,
                          team=team.id)
        why = describe_cause(cause, language, channel=team.channel, ritual=plan.ritual.id,
                             command=self.bot.config.command)
        buttons: tuple[Button, ...] = ()
        if unconfirmed:
            buttons = (core_button(team.id, REPOST, translate(TROUBLE_TEXTS, "repost.button", language),
                                   str(firing.id), "primary"),)
        return text(title, why, buttons=buttons)

    async def held_unconfirmed(self, team: TeamView, ritual_id: str, due: datetime) -> None:
        """A DM held for someone's working time may or may not have gone out, and nobody can
        check (its sender died): it is not sent again. The admins hear of it without being told
        who it was for (`bot/outbox.py` never calls this for a discreet ritual)."""
        when = due.astimezone(team.tz).strftime("%Y-%m-%d %H:%M")
        platform = self.bot.platform_for(team)
        for admin in sorted(team.admins):
            language = await person_language(self.bot.store, self.bot.platform_for(team), team, admin)
            notice = text(translate(TROUBLE_TEXTS, "trouble.held_unconfirmed", language, ritual=ritual_id, when=when,
                                    team=team.id))
            try:
                await platform.send_dm(admin, notice)
            except Exception as exc:
                log.error("could not tell an admin of team %s about a held DM: %s", team.id, exc)

    async def __call__(self, plan: Planned, firing: LeasedFiring, cause: str) -> None:
        team = plan.team
        if not team.admins:
            log.error("team %s has no admins to tell about %s", team.id, cause)
            return
        platform = self.bot.platform_for(team)
        for admin in sorted(team.admins):
            language = await person_language(self.bot.store, self.bot.platform_for(team), team, admin)
            try:
                await platform.send_dm(admin, self.message(plan, firing, cause, language))
            except Exception as exc:
                log.error("could not tell an admin of team %s about %s: %s", team.id, cause, exc)
