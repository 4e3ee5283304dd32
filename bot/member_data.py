"""A member's data rights in one team: everything stored that names them (`mydata`), and erasure (`forget`).

Where a person can be named comes from the one map, bot/store/personal.py; each ritual says
what its own state means (`personal_data`, `stored_view`) and forgets first (`forget_person`).
In: the running bot, the team, the member's user id. Out: a JSON-able dict, or nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot import outbox
from bot.store import personal
from bot.teams import TeamView

if TYPE_CHECKING:
    from bot.app import RitualBot


async def export_member(bot: RitualBot, team: TeamView, user_id: str) -> dict[str, Any]:
    """Everything stored that names this member in this team.

    `stored` holds every database row naming them, whole, per table (from the one map in
    `bot/store/personal.py`); `rituals` what each ritual says its state means for them.
    """
    consent, at, version = await bot.store.consent_record(team.id, user_id)
    responses = await bot.store.responses(team.id, author_id=user_id)
    return {
        "team": team.id,
        "user": user_id,
        "consent": {"state": consent.value, "at": at.isoformat() if at else None, "notice_version": version},
        "responses": [{"ritual": r.ritual_id, "kind": r.kind, "occurrence": r.occurrence,
                       "created_at": r.created_at.isoformat(), "content": r.content} for r in responses],
        "rituals": {rid: data for rid, ritual in bot.rituals.items()
                    if (data := await ritual.personal_data(bot.team_context(ritual, team), user_id))},
        "waiting_messages": await outbox.held_for(bot.store, team.id, user_id),
        "stored": personal.shown(await bot.store.personal_rows(team.id, user_id), lambda ritual, key, value: (
            bot.rituals[ritual].stored_view(key, value, user_id) if ritual in bot.rituals else value)),
    }


async def erase_member(bot: RitualBot, team: TeamView, user_id: str) -> None:
    """Rituals first (they know what their state means), then every place of the map."""
    for ritual in bot.rituals.values():
        await ritual.forget_person(bot.team_context(ritual, team), user_id)
    await outbox.drop_for(bot.store, team.id, user_id)
    await bot.store.erase_member(team.id, user_id)
    await bot.store.audit(team.id, None, "erasure", "a member's data was erased on their request", bot.clock.now())
    await bot.refresh_settings()  # off a runtime roster: this replica's teams without them at once
