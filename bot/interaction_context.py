"""`InteractionContext[Options]`: a ritual context with the acting user and a private `reply`.

Import it from `bot.context`, the contexts' public home. The base, `RitualContext`, is in
bot/ritual_context.py.
"""

from __future__ import annotations

from typing import Any

from bot.contribution import ANONYMOUS, NAMED, complete
from bot.i18n import Catalog, pick_language, translate
from bot.messages import Form, Message, MessageRef
from bot.platform import Reply
from bot.ritual_context import OptionsT, RitualContext
from bot.store.waits import be_patient


class InteractionContext(RitualContext[OptionsT]):
    """A ritual context with the user who clicked, submitted or typed a command.

    For a form submission the core has already checked the fields, run the client-data
    guard and the roster check; `share_as` says how the author chose to share.

    `chosen_language` is the language the user chose (`/ritual language`), looked up once
    when the interaction arrived, so `acting_language` never goes to the database.
    """

    def __init__(self, *, user_id: str, reply: Reply, trigger_id: str | None = None,
                 channel_id: str | None = None, message: MessageRef | None = None,
                 locale: str | None = None, chosen_language: str | None = None,
                 traceless: Reply | None = None, share_as: str = NAMED,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.user_id = user_id
        self.chosen_language = chosen_language
        self._reply = reply
        self._traceless = traceless
        self.trigger_id = trigger_id
        self.channel_id = channel_id
        self.message = message
        self.locale = locale
        self.share_as = share_as

    @property
    def anonymous(self) -> bool:
        """True when the submission being handled was shared anonymously."""
        return self.share_as == ANONYMOUS

    @property
    def acting_language(self) -> str:
        """The acting user's language: chosen, then platform locale, then the team's."""
        return pick_language(self.chosen_language, self.locale, default=self.team.language)

    def user_t(self, key: str, _catalog: Catalog | None = None, /, **values: object) -> str:
        """A text of this ritual in the acting user's language: for what only they see."""
        return translate(_catalog or self.ritual.texts, key, self.acting_language, **values)

    async def reply(self, message: Message) -> None:
        """Answer the acting user privately (for an anonymous contribution use `confirm`)."""
        await self._reply(self._wrap(message))

    async def reply_discreetly(self, message: Message) -> None:
        """Answer the acting user only where the platform keeps nothing (the click's own answer,
        an ephemeral), never by DM: for an answer whose very existence is private (someone
        asked for help). Where such a way cannot carry buttons they are left off, so the
        message says in words too what a button offers. Nothing where there is no such way."""
        if self._traceless is not None:
            await self._traceless(self._wrap(message))

    async def confirm(self, message: Message) -> None:
        """Tell the author their contribution arrived, without leaving a trace of who it was.

        A named contribution is confirmed like any reply. An anonymous one only where the
        platform stores nothing (an ephemeral message, or inside the form); where it cannot,
        not at all: never a DM, which would link the author to the anonymous post for good.
        """
        if not self.anonymous:
            await self.reply(message)
        elif self._traceless is not None:
            await self._traceless(self._wrap(message))

    async def open_form(self, form: Form) -> bool:
        """Open a form for the acting user; False when the platform gave no trigger.

        The core adds the "how do you share" choice when the form allows anonymity and the
        "share anyway" box when a field is guarded, then writes the fields' rules into the
        form's state so the submission is checked before the ritual sees it.
        """
        if not self.trigger_id:
            return False
        be_patient()
        await self._platform.open_form(self.trigger_id, self.user_id, self.wrap_form(complete(form, self.acting_language)))
        return True

    async def offer_consent(self, lead: str | None = None) -> None:
        """Privately explain what is kept and offer opt-in / opt-out buttons (the core's)."""
        await self._core.offer_consent(self.team, self.user_id, self._reply, self.acting_language, lead)

    @property
    def is_admin(self) -> bool:
        return self.team.is_admin(self.user_id)

    @property
    def is_leader(self) -> bool:
        return self.team.is_leader(self.user_id)
