"""`RitualContext[Options]`: everything a ritual may touch, bound to a team (scheduled steps).

Import it from `bot.context`, the contexts' public home; `InteractionContext[Options]`
(bot/interaction_context.py) adds the acting user and a private `reply`. The rules both
follow (typed options, the platform and database only through the context's own methods,
the core through `bot/seams.py`, namespaced targets) are in bot/context.py's docstring.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Generic, TypeVar
from zoneinfo import ZoneInfo

from pydantic import BaseModel

from bot import outbox
from bot.contribution import encode_rules
from bot.i18n import Catalog, translate
from bot.languages import person_language
from bot.messages import Form, ImageFile, Message, MessageRef, parse_user_ref
from bot.platform import ChatPlatform, Unreachable
from bot.platforms.ids import valid_user_id
from bot.ritual import ContractError
from bot.ritual_store import RitualStore
from bot.rotation import pick_fair
from bot.store import Consent, Store
from bot.store.store import StoredResponse
from bot.store.waits import be_patient
from bot.targets import COMMAND_ACTION, SEP, encode_button
from bot.teams import TeamView

if TYPE_CHECKING:
    from bot.replay import Replay
    from bot.ritual import Ritual
    from bot.seams import CoreSeam

OptionsT = TypeVar("OptionsT", bound=BaseModel)

log = logging.getLogger("ritualbot")

@dataclass(frozen=True)
class Occurrence:
    """One occurrence of a ritual, seen from one of its steps."""

    key: str  # local wall time of the scheduled moment: '2026-11-27T14:00'
    step: str
    scheduled: datetime  # the occurrence's scheduled moment, in the team's timezone
    due: datetime  # this step's moment, in the team's timezone
    firing_id: int | None = None


class RitualContext(Generic[OptionsT]):
    """A ritual's view of one team at one moment."""

    def __init__(self, *, ritual: Ritual[OptionsT], team: TeamView, options: OptionsT, platform: ChatPlatform,
                 store: Store, now: datetime, core: CoreSeam, on_own: bool = False) -> None:
        self.ritual = ritual
        self.team = team
        self.options = options
        self._platform = platform
        self._store = store
        self.store = RitualStore(store, team.id, ritual.id, self.now)
        self._now = now
        self._core = core
        self.delivered = 0  # messages this context got onto the platform (the engine asks)
        # Set by the engine for a scheduled step: the firing's marker on every message, and a
        # hook awaited once, just before the first platform call, with where it goes.
        self.marker: str | None = None
        self.before_first_delivery: Callable[[str], Awaitable[None]] | None = None
        self._started = False
        self._held: dict[str, int] = {}  # DMs held per person in this firing (`outbox.held_id`)
        self._numbered = 0  # messages of this firing sent so far (`Message.number`)
        # Set by the engine when a taken-over step runs again: messages already out are found, not posted.
        self.replay: Replay | None = None
        self._members: list[str] | None = None  # who is in the team, looked up once per context
        self.on_own = on_own  # a scheduled step: what it sends respects each person's working time

    # time and language ----------------------------------------------------------------------

    def now(self) -> datetime:
        """The current time, aware, in UTC (from the injected clock)."""
        return self._now

    def local_now(self) -> datetime:
        return self._now.astimezone(self.team.tz)

    def offers_command(self, name: str) -> bool:
        """Whether a ritual enabled for this team lets a `command_button` open `/ritual <name>`."""
        return self._core.offers_command(self.team.id, name)

    @property
    def team_language(self) -> str:
        return self.team.language

    def team_t(self, key: str, _catalog: Catalog | None = None, /, **values: object) -> str:
        """A text of this ritual in the team's language: for everything the team sees."""
        return translate(_catalog or self.ritual.texts, key, self.team.language, **values)

    async def user_language(self, user_id: str) -> str:
        """`bot.languages.person_language`: chosen, else the platform's locale, else the team's."""
        return await person_language(self._store, self._platform, self.team, user_id)

    async def t_user(self, user_id: str, key: str, **values: object) -> str:
        """A text for one person (a DM): in their language (`user_language`)."""
        return translate(self.ritual.texts, key, await self.user_language(user_id), **values)

    # posting ------------------------------------------------------------------------------

    def _wrap(self, message: Message) -> Message:
        if self.marker is not None and message.marker is None:
            message = replace(message, marker=self.marker)
        if not message.buttons:
            return message
        for b in message.buttons:
            if b.action != COMMAND_ACTION and self.ritual.handler("action", b.action) is None:
                raise ContractError(f"ritual {self.ritual.id!r} has no @action({b.action!r}) handler for its button")
        buttons = tuple(encode_button(self.ritual.id, self.team.id, b) for b in message.buttons)
        return replace(message, buttons=buttons)

    def _numbered_message(self, message: Message) -> Message:
        """A firing's next message, with its number (its place in the step's order)."""
        if self.marker is None:
            return message
        self._numbered += 1
        return replace(message, number=self._numbered)

    async def _starting(self, target: str) -> None:
        """Before the first platform call of a firing: the engine records where and when.

        From then on an interaction waits patiently for the database (`bot/store/waits.py`):
        half of it done is worse than slow."""
        if not self._started and self.before_first_delivery is not None:
            await self.before_first_delivery(target)
        self._started = True
        be_patient()

    def wrap_form(self, form: Form) -> Form:
        """Namespace the form and put the core's rules for its fields in front of its state."""
        if self.ritual.handler("form", form.form_id) is None:
            raise ContractError(f"ritual {self.ritual.id!r} has no @form({form.form_id!r}) handler for its form")
        state = f"{self.team.id}{SEP}{encode_rules(form)}{form.state}"
        return replace(form, form_id=f"{self.ritual.id}:{form.form_id}", state=state)

    async def post(self, message: Message, *, thread: MessageRef | None = None) -> MessageRef:
        """Post in the team's channel (or in a thread of it)."""
        message = self._numbered_message(self._wrap(message))
        await self._starting(self.team.channel)
        if self.replay is not None and message.number is not None:
            found = await self.replay.posted(message.number, channel=self.team.channel, thread=thread)
            if found is not None:  # the replica that died posted it
                self.delivered += 1
                return found
        ref = await self._platform.post(self.team.channel, message, thread=thread)
        self.delivered += 1
        return ref

    async def dm(self, user_id: str, message: Message) -> MessageRef | None:
        """A direct message; raises `Unreachable` (after noting it) when the platform refuses
        it for who the person is (deactivated, a bot, unknown).

        From a scheduled step, a DM that would reach the person outside their own working
        time (their timezone, where the platform knows it) waits for their next working
        moment (`bot/outbox.py`); None is returned then.
        """
        later = await self._later_for(user_id) if self.on_own else None
        if later is not None:
            wrapped = self._wrap(message)
            entry_id = None
            if self.marker is not None:  # a step's DM: held once, also when a replica runs the step again
                self._held[user_id] = self._held.get(user_id, 0) + 1
                entry_id = outbox.held_id(await outbox.id_key(self._store), self.marker, user_id,
                                          self._held[user_id])
            await outbox.hold(self._store, self.team.id, self.ritual.id, user_id, wrapped, later, self._now, entry_id)
            self.delivered += 1
            return None
        message = self._numbered_message(self._wrap(message))
        await self._starting("@" + user_id)
        if self.replay is not None and message.number is not None:
            found = await self.replay.posted(message.number, user=user_id)
            if found is not None:
                self.delivered += 1
                return found
        try:
            ref = await self._platform.send_dm(user_id, message)
        except Unreachable as refusal:
            self._core.people.unreachable(self._platform, refusal)
            self._members = None
            if not self.ritual.discreet:  # even "a DM was refused" tells that a conversation exists
                await self._store.audit(self.team.id, None, f"{self.ritual.id}: DM refused", refusal.reason, self._now)
            raise
        self.delivered += 1
        return ref

    async def _later_for(self, user_id: str) -> datetime | None:
        """The person's next working moment when it is not now (None: send now)."""
        try:
            name = await self._platform.user_timezone(user_id)
            tz = ZoneInfo(name) if name else self.team.tz
        except Exception:  # an unknown or unreadable timezone counts as the team's
            tz = self.team.tz
        moment = self.team.working.next_moment(self._now, tz, self.team.is_holiday)
        return moment if moment is not None and moment > self._now else None

    async def dm_in_turn(self, pool: str, candidates: Sequence[str], message: Callable[[str], Awaitable[Message]], *,
                         exclude: Sequence[str] = ()) -> str | None:
        """DM the next person of a rotation (`pick_next`); when the platform refuses the DM
        (issue 12: deactivated, deleted, a bot), record why and ask the next one.

        Returns who got the DM (marked as chosen), or None when nobody could be reached.
        """
        passed = list(exclude)
        while True:
            chosen = await self.pick_next(pool, candidates, mark=False, exclude=passed)
            if chosen is None:
                return None
            try:
                await self.dm(chosen, await message(chosen))
            except Unreachable:  # noted by `dm`, with why
                passed.append(chosen)
                continue
            await self._store.mark_chosen(self.team.id, pool, chosen, self._now)
            return chosen

    async def ephemeral(self, user_id: str, message: Message, channel: str | None = None) -> None:
        await self._starting(channel or self.team.channel)
        await self._platform.post_ephemeral(channel or self.team.channel, user_id, self._wrap(message))
        self.delivered += 1

    async def update(self, ref: MessageRef, message: Message) -> None:
        await self._starting(ref.channel)
        await self._platform.update(ref, self._wrap(message))
        self.delivered += 1

    async def upload_image(self, channel: str, image: ImageFile, comment: str | None = None) -> None:
        await self._starting(channel)
        await self._platform.upload_image(channel, image, comment=comment)
        self.delivered += 1

    # people -------------------------------------------------------------------------------

    async def members(self) -> list[str]:
        """Team members who can take part: from config (or everyone in the channel), and only
        active human accounts still in the team's channel (`bot/people.py`)."""
        if self._members is None:
            in_channel = await self._platform.channel_members(self.team.channel)
            if self.team.configured_members is not None:
                present = set(in_channel)
                candidates = [m for m in self.team.configured_members if m in present]
            else:
                candidates = sorted(set(in_channel))
            active = await self._core.people.active(self._platform, candidates)
            self._members = [m for m in candidates if m in active]
        return list(self._members)

    async def leaders(self) -> list[str]:
        """The team's leaders who can take part: active and in the team (see `members`)."""
        present = set(await self.members())
        return sorted(leader for leader in self.team.leaders if leader in present)

    def user_ref(self, raw: str) -> str | None:
        """A user named in a command (`<@U1|name>`, `@name`, an id), only if it has the syntax
        of a user id on the team's platform: nothing else ever reaches a platform API."""
        user = parse_user_ref(raw)
        return user if user is not None and valid_user_id(self.team.platform, user) else None

    async def counted_members(self) -> list[str]:
        """Members to count a group's size from (never more than are really in the channel).

        Any number shown for a group needs at least `bot.insights.MINIMUM_GROUP` of them.
        """
        return await self._core.counted_members(self.team)

    async def consent(self, user_id: str) -> Consent:
        return await self._store.consent(self.team.id, user_id)

    async def pick_next(self, pool: str, candidates: Sequence[str], *, mark: bool = True,
                  exclude: Sequence[str] = ()) -> str | None:
        """Fair rotation: least recently chosen first, never the same twice while others wait.

        People who opted out or are marked away are never chosen.
        """
        blocked = await self._store.opted_out(self.team.id) | await self._store.away(self.team.id) | set(exclude)
        eligible = [c for c in candidates if c not in blocked]
        history = await self._store.rotation(self.team.id, pool)
        chosen = pick_fair(eligible, history, salt=f"{self.team.id}:{pool}")
        if chosen is not None and mark:
            await self._store.mark_chosen(self.team.id, pool, chosen, self._now)
        return chosen

    # storage -------------------------------------------------------------------------------

    async def save_answer(self, user_id: str, *, anonymous: bool, kind: str, content: dict[str, Any],
                    occurrence: str | None, at: datetime | None = None) -> int | None:
        """Store a named answer only if its author opted in; its id when stored, else None.

        `at` (the occurrence's time) is accepted for the rituals' sake and not used: a named
        answer is stamped with the moment it was sent.

        Anonymous answers are never stored: whether a stored anonymous answer exists would
        tell everyone who can see the database that its author opted in, and so shrink the
        group it hides in. What a ritual needs of one until its next step lives in its state,
        the same for everyone whatever they consented to.
        """
        if anonymous or await self.consent(user_id) is not Consent.IN:
            return None
        return await self._store.save_response(self.team.id, self.ritual.id, author_id=user_id, anonymous=False,
                                        kind=kind, content=content, occurrence=occurrence, at=self._now)

    async def stored_answer(self, response_id: int) -> StoredResponse | None:
        """An answer this ritual stored for this team (None once erased or expired)."""
        return await self.store.response(response_id)

    async def count_participation(self) -> None:
        """Count one contribution in this week's participation (a number, never who)."""
        local = self.local_now().date()
        monday = local - timedelta(days=local.weekday())
        await self._store.count_participation(self.team.id, self.ritual.id, monday.isoformat())

    # A ritual's state, shorthand for `ctx.store.get/put/items/update/delete` (`bot/ritual_store.py`).

    async def get_state(self, key: str) -> Any:
        return await self.store.get(key)

    async def put_state(self, key: str, value: Any) -> None:
        await self.store.put(key, value)

    async def put_states(self, values: Mapping[str, Any]) -> None:
        await self.store.put_many(values)

    async def state_items(self, prefix: str) -> list[tuple[str, Any]]:
        return await self.store.items(prefix)

    async def update_state(self, key: str, change: Callable[[Any], Any]) -> Any:
        return await self.store.update(key, change)

    async def delete_state(self, key: str) -> None:
        await self.store.delete(key)

    def other_teams(self) -> list[RitualContext[OptionsT]]:
        """This ritual's contexts for the other teams where it is enabled, for a ritual whose
        options pair teams (the moral deliberation's `leader_peers`). Same moment, own options."""
        return self._core.peer_contexts(self.ritual, self.team)

    def schedule_info(self) -> datetime | None:
        """When this ritual fires next for this team (for status texts)."""
        return self._core.next_firing(self.team.id, self.ritual.id)

    async def user_timezone(self, user_id: str) -> str | None:
        """The IANA timezone the platform knows for a person, or None."""
        return await self._platform.user_timezone(user_id)
