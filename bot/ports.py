"""The port adapters talk to: what a chat adapter may ask of the running bot, and no more.

An adapter dispatches what people do (`Dispatcher`: commands, clicks, form submissions)
and asks a few questions (a person's language, a team's channel, a person's overview).
It never reaches into `RitualBot` (bot/app.py), its teams, store or rituals; `RitualBot`
implements this protocol and mypy checks it where the runner starts each connector
(bot/runner.py). A test or an outside adapter can hand a connector any object with these
methods.
"""

from __future__ import annotations

from typing import Protocol

from bot.overview import TeamSummary
from bot.platform import Dispatcher


class BotPort(Dispatcher, Protocol):
    """Dispatch (inherited from `Dispatcher`) plus the queries an adapter needs."""

    async def language_of(self, platform: str, user_id: str, locale: str | None, *,
                          channel_id: str | None = None) -> str:
        """The language (one of `bot.i18n.supported_languages()`) to speak to this person in:
        the one they chose in the team of `channel_id` (or their only team on `platform`), else
        their platform locale, else the team's, else the install's. Never raises: when the database cannot be read,
        the locale decides (an error text must reach the person even then)."""
        ...

    def command_team(self, platform: str, channel_id: str, user_id: str) -> str | None:
        """The id of the team a command from `user_id` in `channel_id` acts in (by the channel,
        else by the person's membership), or None when it would act in no team."""
        ...

    def team_channel(self, platform: str, team_id: str) -> str | None:
        """The channel of team `team_id` when that team runs on `platform`, else None."""
        ...

    async def overview(self, platform: str, user_id: str, locale: str | None) -> list[TeamSummary]:
        """The person's teams on `platform`, each with their consent and (admins) the rituals."""
        ...
