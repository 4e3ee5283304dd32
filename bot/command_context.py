"""What a core `/ritual` subcommand or core button works with: who asked, in which team, how to answer.

`CommandContext` (bot/commands.py and bot/admin.py get one per request) and the small
builders the core's answers share: `format_local` (a moment in the team's timezone),
`people_line` (a text with mentions) and `core_button` (a button the core owns, namespaced
as `core:<action>`, bot/targets.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.dates import spoken_moment
from bot.i18n import pick_language, translate
from bot.messages import WHO, Button, Mention, Segment, text
from bot.platform import Reply
from bot.ritual_words import about
from bot.targets import SEP
from bot.teams import TeamView
from bot.texts import TEXTS

if TYPE_CHECKING:
    from bot.app import RitualBot


@dataclass
class CommandContext:
    """Who asked, in which team, and how to answer them privately.

    `chosen_language` is the language the person chose, looked up once by `create`.
    """

    bot: RitualBot
    team: TeamView
    user_id: str
    reply: Reply
    locale: str | None = None
    trigger_id: str | None = None
    channel_id: str | None = None
    chosen_language: str | None = None

    @classmethod
    async def create(cls, bot: RitualBot, team: TeamView, user_id: str, reply: Reply, locale: str | None = None,
                     trigger_id: str | None = None, channel_id: str | None = None) -> CommandContext:
        """A context with the person's chosen language read from the store."""
        chosen = await bot.store.language(team.id, user_id)
        return cls(bot, team, user_id, reply, locale, trigger_id, channel_id, chosen)

    @property
    def language(self) -> str:
        return pick_language(self.chosen_language, self.locale, default=self.team.language)

    def t(self, key: str, /, **values: object) -> str:
        return translate(TEXTS, key, self.language, **values)

    def local(self, moment: datetime) -> str:
        return format_local(moment, self.team, self.language)

    def title(self, ritual_id: str) -> str:
        """A ritual as people know it (`Weeksucces en weekfout`), never its id."""
        ritual = self.bot.rituals.get(ritual_id)
        return about(ritual).title(self.language) if ritual is not None else ritual_id

    def occurrence(self, key: str) -> str:
        """An occurrence key (`2026-12-04T14:00`, team wall time) as people say it."""
        return spoken_moment(datetime.fromisoformat(key), self.language)

    async def say(self, *paragraphs: str | tuple[Segment, ...], buttons: tuple[Button, ...] = ()) -> None:
        await self.reply(text(*paragraphs, buttons=buttons))


def format_local(moment: datetime, team: TeamView, language: str) -> str:
    """A moment in the team's timezone as people say it: `vrijdag 4 december om 14:00`."""
    return spoken_moment(moment.astimezone(team.tz), language)


def people_line(template: str, user_ids: list[str]) -> tuple[Segment, ...]:
    """`template` with its one `WHO` replaced by mentions of `user_ids` ("-" when there are none)."""
    before, _, after = template.partition(WHO)
    people: list[Segment] = []
    for i, user in enumerate(user_ids):
        people += ([", "] if i else []) + [Mention(user)]
    return tuple(p for p in (before, *(people or ["-"]), after) if p != "")


def core_button(team_id: str, action: str, label: str, value: str = "", style: Any = None) -> Button:
    return Button(action=f"core:{action}", label=label, value=f"{team_id}{SEP}{value}", style=style)
