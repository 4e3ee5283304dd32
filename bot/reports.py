"""The participation report admins ask for (`/ritual insights`) or get monthly.

Counts only, never names or content; groups under five are not broken down
(`bot/insights.py`). Rituals whose answers are private to one person (a leader's own
checklist) set `in_insights = False` and never appear.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import TYPE_CHECKING

from bot.insights import participation_data, quarter_weeks, render_chart, summary_text, suppress_small_groups
from bot.messages import ImageFile, MessageRef, text
from bot.ritual_words import about
from bot.teams import TeamView

if TYPE_CHECKING:
    from bot.app import RitualBot


async def team_size(bot: RitualBot, team: TeamView) -> int:
    """Real people only: roster ids that are not in the channel are not counted."""
    return len(await bot.counted_members(team))


async def send_insights(bot: RitualBot, team: TeamView, admin_id: str, language: str, now: datetime) -> MessageRef:
    """DM one admin the quarter's participation as text, then the chart in that DM."""
    weeks = quarter_weeks(now.astimezone(team.tz).date())
    rituals = [rid for rid in bot.enabled_rituals(team.id) if bot.rituals[rid].in_insights]
    counts = {rid: c for rid, c in (await bot.store.participation(team.id, weeks[0].isoformat())).items() if rid in rituals}
    size = await team_size(bot, team)
    data = participation_data(weeks, counts, {rid: size for rid in rituals}, size)
    report = suppress_small_groups(data)
    labels = {rid: about(bot.rituals[rid]).title(language) for rid in rituals}
    platform = bot.platform_for(team)
    ref = await platform.send_dm(admin_id, text(summary_text(report, language, labels=labels)))
    if not report.team_hidden:
        # Drawing (and the first import of matplotlib) takes a CPU for a second: off the event loop.
        png = await asyncio.to_thread(render_chart, report, language, labels=labels)
        await platform.upload_image(ref.channel, ImageFile(f"participation-{team.id}.png", png,
                                                           f"{team.id} participation"))
    return ref
