"""What a ritual's context may ask of the core: a small port instead of the whole bot.

`RitualContext` is handed an object with exactly these members (`RitualBot` is one), so
ritual code can reach neither the raw platform nor the store of other teams through it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from bot.platform import ChatPlatform, Reply, Unreachable
from bot.teams import TeamView

if TYPE_CHECKING:
    from bot.context import RitualContext
    from bot.ritual import Ritual


class PeopleSeam(Protocol):
    """Who is an active human account (cached per platform, `bot/people.py`)."""

    async def active(self, platform: ChatPlatform, user_ids: Sequence[str]) -> set[str]: ...

    def unreachable(self, platform: ChatPlatform, refusal: Unreachable) -> None: ...


class CoreSeam(Protocol):
    """The core's services a ritual context uses; nothing else of the bot is reachable."""

    @property
    def people(self) -> PeopleSeam: ...

    async def counted_members(self, team: TeamView) -> list[str]:
        """Members a group's size may be counted from."""
        ...

    async def offer_consent(self, team: TeamView, user_id: str, reply: Reply, language: str,
                            lead: str | None = None) -> None:
        """Privately explain what is kept and offer opt-in / opt-out (the core's buttons)."""
        ...

    def peer_contexts(self, ritual: Ritual[Any], team: TeamView) -> list[RitualContext[Any]]:
        """The ritual's contexts for the other teams where it is enabled."""
        ...

    def next_firing(self, team_id: str, ritual_id: str) -> datetime | None:
        """When the ritual fires next for a team."""
        ...

    def offers_command(self, team_id: str, name: str) -> bool:
        """Whether a ritual enabled for the team lets a `command_button` open `/ritual <name>`."""
        ...
