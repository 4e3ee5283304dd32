"""Admin `run`: fire a ritual's main step now, claimed like any firing, so never twice.

In: the running bot, a team id and a ritual id. Out: the engine's `Outcome`; when this
minute's firing already exists and failed, its stored status and cause (bot/store).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.engine import Outcome

if TYPE_CHECKING:
    from bot.app import RitualBot


async def run_now_outcome(bot: RitualBot, team_id: str, ritual_id: str) -> Outcome:
    """Fire the main step of `ritual_id` for `team_id` now; its `Outcome` ('not enabled' when no plan
    matches), with the stored cause when this minute's firing was taken and failed."""
    plans = [p for p in bot.plans if p.team.id == team_id and p.ritual.id == ritual_id]
    if not plans:
        return Outcome("not enabled")
    main = next((p for p in plans if not p.step.offset), plans[0])
    now = bot.clock.now()
    outcome = await bot.engine.fire_outcome(main, now)
    if outcome.status == "taken":  # this minute's firing exists: when it failed, say why
        trouble = await bot.store.last_trouble(team_id, ritual_id)
        if trouble is not None and trouble.occurrence == main.occurrence_key(now):
            return Outcome(trouble.status, trouble.cause)
    return outcome
