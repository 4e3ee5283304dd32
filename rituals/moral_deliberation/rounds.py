"""One occurrence's state, references to posted messages, and dates as people say them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from bot.context import RitualContext
from bot.dates import spoken_moment
from bot.messages import MessageRef


def spoken_date(moment: datetime, language: str) -> str:
    """`vrijdag 4 december om 14:00` / `Friday 4 December at 14:00` (Babel, see `bot.dates`)."""
    return spoken_moment(moment, language)


def ref(data: dict[str, str]) -> MessageRef:
    return MessageRef(channel=data["channel"], id=data["id"])


def ref_data(ref: MessageRef) -> dict[str, str]:
    return {"channel": ref.channel, "id": ref.id}


class Round:
    """The state of one occurrence, in the ritual's small state store until the next call."""

    KINDS = ("call", "dilemmas", "votes", "volunteers", "plan", "closed", "reflection", "discussed")

    def __init__(self, ctx: RitualContext[Any], occurrence: str) -> None:
        self.ctx, self.occurrence = ctx, occurrence

    async def get(self, kind: str, default: Any = None) -> Any:
        value = await self.ctx.get_state(f"{kind}:{self.occurrence}")
        return default if value is None else value

    async def put(self, kind: str, value: Any) -> None:
        await self.ctx.put_state(f"{kind}:{self.occurrence}", value)

    async def update(self, kind: str, change: Callable[[Any], Any]) -> Any:
        """Read-modify-write under a lock: votes and dilemmas from many people at once."""
        return await self.ctx.update_state(f"{kind}:{self.occurrence}", change)

    async def drop(self, *kinds: str) -> None:
        for kind in kinds:
            await self.ctx.delete_state(f"{kind}:{self.occurrence}")

    async def is_open(self) -> bool:
        """Dilemmas and votes are taken from the call until the session starts."""
        return await self.get("call") is not None and not await self.get("closed")

    async def clear(self) -> None:
        for g in range(len((await self.get("plan", {})).get("groups", []))):
            await self.drop(f"progress{g}")
        await self.drop(*self.KINDS)

    @property
    def scheduled(self) -> datetime:
        return datetime.fromisoformat(self.occurrence).replace(tzinfo=self.ctx.team.tz)


def without(plan: dict[str, Any], user_id: str) -> dict[str, Any]:
    """A plan with one person taken out; a group they facilitated gets its next member (or none)."""
    groups = []
    for group in plan.get("groups", []):
        members = [m for m in group["members"] if m != user_id]
        facilitator = group["facilitator"]
        if facilitator == user_id:
            facilitator = members[0] if members else None
        groups.append({**group, "members": members, "facilitator": facilitator})
    return {**plan, "groups": groups, "apart": [u for u in plan.get("apart", []) if u != user_id],
            "guests": [u for u in plan.get("guests", []) if u != user_id]}
