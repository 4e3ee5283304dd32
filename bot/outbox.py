"""Direct messages that wait for the person's working time (issue 14).

A scheduled step runs in the team's working time (`bot/timing.py`). A DM it sends to
someone whose own timezone is known and puts them outside working hours (a colleague
in Curaçao, a sharer on a work trip to Tokyo) is held here and sent at their next
working moment, in their timezone, instead of in their evening or weekend.

Held messages are kept in the core's state of the team (`outbox:<due UTC>:<id>`: the
ritual, the person and the message), and sent by `deliver_due` (a job every minute and
the simulation), each exactly once across replicas: the firing claim of
(team, "core", "outbox", key) decides who sends it. The entry is deleted once sent.
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from bot.messages import Bold, Button, Mention, Message, Segment, UserText
from bot.platform import NotDelivered, Unreachable
from bot.store import Store

if TYPE_CHECKING:
    from bot.app import RitualBot

log = logging.getLogger("ritualbot.outbox")

CORE = "core"
PREFIX = "outbox:"


def encode(message: Message) -> dict[str, Any]:
    """A message as JSON-able data."""
    def segment(part: Segment) -> list[str]:
        if isinstance(part, str):
            return ["text", part]
        if isinstance(part, Mention):
            return ["mention", part.user_id]
        if isinstance(part, Bold):
            return ["bold", part.text]
        return ["user", part.text]

    return {"paragraphs": [[segment(p) for p in para] for para in message.paragraphs],
            "buttons": [[b.action, b.label, b.value, b.style] for b in message.buttons]}


def decode(data: dict[str, Any]) -> Message:
    """The message `encode` made."""
    kinds = {"text": str, "mention": Mention, "bold": Bold, "user": UserText}
    paragraphs = tuple(tuple(kinds[kind](value) for kind, value in para) for para in data["paragraphs"])
    buttons = tuple(Button(action, label, value, style) for action, label, value, style in data["buttons"])
    return Message(paragraphs, buttons)


async def hold(store: Store, team_id: str, ritual_id: str, user_id: str, message: Message, due: datetime,
               now: datetime) -> None:
    """Keep a DM (its buttons already bound to team and ritual) until `due`."""
    key = f"{PREFIX}{due.astimezone(UTC).isoformat(timespec='minutes')}:{uuid.uuid4().hex[:12]}"
    await store.put_state(team_id, CORE, key, {"ritual": ritual_id, "user": user_id, "message": encode(message)}, now)


def _due(key: str) -> datetime:
    return datetime.fromisoformat(key.removeprefix(PREFIX).rsplit(":", 1)[0])


async def held_for(store: Store, team_id: str, user_id: str) -> list[dict[str, str]]:
    """The DMs waiting for this person (for `/ritual mydata`): which ritual and when."""
    return [{"ritual": held["ritual"], "due": _due(key).isoformat()}
            for key, held in await store.state_items(team_id, CORE, PREFIX) if held and held.get("user") == user_id]


async def drop_for(store: Store, team_id: str, user_id: str) -> None:
    """Forget the DMs waiting for this person (for `/ritual forget`)."""
    for key, held in await store.state_items(team_id, CORE, PREFIX):
        if held and held.get("user") == user_id:
            await store.delete_state(team_id, CORE, key)


async def next_due(bot: RitualBot) -> datetime | None:
    """When the earliest held DM of any team is due, or None."""
    dues = [_due(key) for team in bot.teams for key, _ in await bot.store.state_items(team, CORE, PREFIX)]
    return min(dues) if dues else None


async def deliver_due(bot: RitualBot) -> int:
    """Send every held DM that is due (each once, across replicas); returns how many went out."""
    now, sent = bot.clock.now(), 0
    for team in list(bot.teams.values()):
        for key, held in await bot.store.state_items(team.id, CORE, PREFIX):
            due = _due(key)
            if due > now:
                continue
            if await bot.store.claim_firing(team.id, CORE, "outbox", key, due, "done", bot.engine.worker, now) is None:
                continue
            platform = bot.platform_for(team)
            try:
                await platform.send_dm(held["user"], decode(held["message"]))
                sent += 1
            except NotDelivered:
                log.warning("team %s: a held DM was not taken by %s; trying again in a minute", team.id, platform.name)
                await bot.store.put_state(team.id, CORE, f"{PREFIX}{now.isoformat(timespec='minutes')}:"
                                          f"{uuid.uuid4().hex[:12]}", held, now)
            except Unreachable as refusal:
                bot.people.unreachable(platform, refusal)
                await bot.store.audit(team.id, None, f"{held['ritual']}: DM refused", refusal.reason, now)
            except Exception:
                log.exception("team %s: a held DM failed; not sent twice", team.id)
            await bot.store.delete_state(team.id, CORE, key)
    return sent
