"""The local platform: in-process, records everything, and lets a test or the demo act as a user.

It behaves like a small chat server: channels with members, DMs, threads, ephemerals,
forms that must be opened with a fresh trigger, message updates. Tests and
`ritualbot demo` read like user stories: a member types a command, clicks a button,
submits a form, and the transcript shows what the team saw.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from bot.messages import Button, Form, ImageFile, Message, MessageRef, parse_user_ref
from bot.platform import (
    ActionRequest,
    CommandRequest,
    Dispatcher,
    FormResult,
    FormSubmission,
    Marked,
    Person,
    Reply,
    Unreachable,
)

Kind = Literal["channel", "thread", "dm", "ephemeral", "update", "form", "image", "reply"]


@dataclass
class Entry:
    """One thing the bot did, as the people involved saw it."""

    kind: Kind
    where: str  # channel id, or 'dm:<user>'
    message: Message | None
    ref: MessageRef | None = None
    user: str | None = None  # who an ephemeral, reply, DM or form was for
    form: Form | None = None
    image: ImageFile | None = None

    @property
    def text(self) -> str:
        if self.message is not None:
            return self.message.plain_text()
        if self.form is not None:
            return self.form.title
        return self.image.title if self.image else ""

    def button(self, label_or_action: str) -> Button:
        """Find a button by its label or by its (ritual-local) action name."""
        assert self.message is not None, "this entry has no buttons"
        for b in self.message.buttons:
            if b.label == label_or_action or b.action.split(":", 1)[-1] == label_or_action:
                return b
        raise LookupError(f"no button {label_or_action!r} in: {[b.label for b in self.message.buttons]}")


class LocalPlatform:
    """A recording ChatPlatform and Connector in one."""

    name = "local"

    def __init__(self, channels: dict[str, list[str]] | None = None, *, locales: dict[str, str] | None = None,
                 timezones: dict[str, str] | None = None, directory: dict[str, str] | None = None) -> None:
        self.channels = {c: list(m) for c, m in (channels or {}).items()}
        # user id -> "active", "inactive" or "bot"; None: no directory, every name is a person
        self.directory = None if directory is None else dict(directory)
        self.locales = dict(locales or {})
        self.timezones = dict(timezones or {})
        self.transcript: list[Entry] = []
        self.messages: dict[str, Message] = {}
        self._ids = itertools.count(1)
        self._triggers: dict[str, str] = {}
        self.dispatcher: Dispatcher | None = None
        self.open_forms: dict[str, Entry] = {}
        self.deactivated: set[str] = set()  # accounts switched off (they keep their id)
        self.bots: set[str] = set()  # bot accounts

    # Connector --------------------------------------------------------------------------------

    @property
    def platform(self) -> LocalPlatform:
        return self

    async def start(self, dispatcher: Dispatcher) -> None:
        self.dispatcher = dispatcher

    async def stop(self) -> None:
        self.dispatcher = None

    def routes(self) -> list[object]:
        return []

    # ChatPlatform -------------------------------------------------------------------------------

    def _ref(self, channel: str, thread: MessageRef | None = None) -> MessageRef:
        return MessageRef(channel=channel, id=f"m{next(self._ids)}", thread_id=thread.id if thread else None)

    async def post(self, channel: str, message: Message, *, thread: MessageRef | None = None) -> MessageRef:
        ref = self._ref(channel, thread)
        self.messages[ref.id] = message
        self.transcript.append(Entry("thread" if thread else "channel", channel, message, ref))
        return ref

    async def send_dm(self, user_id: str, message: Message) -> MessageRef:
        if user_id in self.deactivated:
            raise Unreachable(user_id, "user_disabled")
        if user_id in self.bots:
            raise Unreachable(user_id, "cannot_dm_bot")
        ref = self._ref(f"dm:{user_id}")
        self.messages[ref.id] = message
        self.transcript.append(Entry("dm", f"dm:{user_id}", message, ref, user=user_id))
        return ref

    async def post_ephemeral(self, channel: str, user_id: str, message: Message) -> None:
        self.transcript.append(Entry("ephemeral", channel, message, user=user_id))

    async def update(self, ref: MessageRef, message: Message) -> None:
        if ref.id not in self.messages:
            raise LookupError(f"message {ref.id} does not exist")
        self.messages[ref.id] = message
        self.transcript.append(Entry("update", ref.channel, message, ref))

    async def open_form(self, trigger_id: str, user_id: str, form: Form) -> None:
        owner = self._triggers.pop(trigger_id, None)
        if owner != user_id:
            raise PermissionError(f"trigger {trigger_id!r} is unknown, used or not {user_id}'s")
        entry = Entry("form", f"dm:{user_id}", None, user=user_id, form=form)
        self.open_forms[user_id] = entry
        self.transcript.append(entry)

    async def channel_members(self, channel: str) -> list[str]:
        return list(self.channels.get(channel, []))

    async def active_humans(self, user_ids: Sequence[str]) -> set[str]:
        return {u for u in user_ids if u not in self.deactivated and u not in self.bots}

    def deactivate(self, user_id: str) -> None:
        """An account is switched off (a contract ended): it stays in config, gets no DM."""
        self.deactivated.add(user_id)

    def leave(self, channel: str, user_id: str) -> None:
        """Someone leaves a channel."""
        self.channels[channel] = [u for u in self.channels.get(channel, []) if u != user_id]

    async def upload_image(self, channel: str, image: ImageFile, *, comment: str | None = None) -> None:
        self.transcript.append(Entry("image", channel, None, image=image))

    async def user_locale(self, user_id: str) -> str | None:
        return self.locales.get(user_id)

    async def find_person(self, ref: str) -> Person:
        user = parse_user_ref(ref)
        if user is None:
            return Person(None, "not_found")
        if self.directory is None:
            return Person(user)
        state = self.directory.get(user)
        if state is None:
            return Person(None, "not_found")
        return Person(user, None if state == "active" else "inactive" if state == "inactive" else "bot")

    async def user_timezone(self, user_id: str) -> str | None:
        return self.timezones.get(user_id)

    async def find_marked(self, marker: str, since: datetime, *, channel: str | None = None,
                          user: str | None = None) -> Marked:
        """Looks in this process's own transcript (the local platform has no other history)."""
        where = channel if user is None else f"dm:{user}"
        for entry in self.transcript:
            if entry.where == where and entry.message is not None and entry.message.marker == marker:
                return entry.ref or MessageRef(channel=where, id="")
        return False

    async def find_firing(self, marker: str, since: datetime, *, channel: str | None = None,
                          user: str | None = None, thread: MessageRef | None = None) -> dict[int, MessageRef] | None:
        """The firing's messages in one place, by number, from this process's own transcript."""
        where = channel if user is None else f"dm:{user}"
        root = None if thread is None else thread.id  # as `post` names a reply's thread
        found: dict[int, MessageRef] = {}
        for entry in self.transcript:
            message, ref = entry.message, entry.ref
            if (entry.kind not in ("channel", "thread", "dm") or entry.where != where or message is None
                    or ref is None or message.marker != marker or ref.thread_id != root):
                continue
            found.setdefault(message.number or 0, ref)  # 0: an older version's, without a number
        return found

    # acting as a user ----------------------------------------------------------------------------

    def _trigger(self, user_id: str) -> str:
        trigger = f"t{next(self._ids)}"
        self._triggers[trigger] = user_id
        return trigger

    def _reply_to(self, user_id: str, where: str) -> Reply:
        async def reply(message: Message) -> None:
            self.transcript.append(Entry("reply", where, message, user=user_id))

        return reply

    def _dispatcher(self) -> Dispatcher:
        if self.dispatcher is None:
            raise RuntimeError("the local platform is not started")
        return self.dispatcher

    async def command(self, user_id: str, line: str, *, channel: str) -> list[Entry]:
        """Type `/ritual <line>` in a channel; returns what the bot did in response."""
        mark = len(self.transcript)
        await self._dispatcher().handle_command(CommandRequest(
            platform=self.name, user_id=user_id, channel_id=channel, text=line,
            reply=self._reply_to(user_id, channel), trigger_id=self._trigger(user_id),
            locale=self.locales.get(user_id)))
        return self.transcript[mark:]

    async def click(self, user_id: str, entry: Entry, button: str) -> list[Entry]:
        """Click a button (by label or action name) on a message the user can see."""
        b = entry.button(button)
        mark = len(self.transcript)
        channel = entry.ref.channel if entry.ref else entry.where
        await self._dispatcher().handle_action(ActionRequest(
            platform=self.name, user_id=user_id, channel_id=channel, action=b.action, value=b.value,
            reply=self._reply_to(user_id, channel), message=entry.ref, trigger_id=self._trigger(user_id),
            locale=self.locales.get(user_id), traceless=self._reply_to(user_id, channel)))
        return self.transcript[mark:]

    async def submit(self, user_id: str, values: dict[str, str | bool | None]) -> tuple[FormResult, list[Entry]]:
        """Submit the form currently open for this user."""
        entry = self.open_forms.get(user_id)
        if entry is None or entry.form is None:
            raise LookupError(f"{user_id} has no open form")
        mark = len(self.transcript)
        result = await self._dispatcher().handle_form(FormSubmission(
            platform=self.name, user_id=user_id, form_id=entry.form.form_id, state=entry.form.state,
            values=values, reply=self._reply_to(user_id, entry.where), locale=self.locales.get(user_id),
            traceless=self._reply_to(user_id, entry.where)))
        if result.ok:
            self.open_forms.pop(user_id, None)
        return result, self.transcript[mark:]

    # reading the transcript -----------------------------------------------------------------------

    def seen_by(self, user_id: str) -> list[Entry]:
        """Everything a user could see: their channels, threads, their DMs, ephemerals and replies to them."""
        mine = {c for c, members in self.channels.items() if user_id in members}
        out = []
        for e in self.transcript:
            if e.kind in ("channel", "thread", "update", "image") and e.where in mine:
                out.append(e)
            elif e.user == user_id:
                out.append(e)
        return out

    def entries(self, kind: Kind | None = None, where: str | None = None, user: str | None = None) -> list[Entry]:
        return [e for e in self.transcript if (kind is None or e.kind == kind) and (where is None or e.where == where)
                and (user is None or e.user == user)]

    def last(self, kind: Kind | None = None, where: str | None = None, user: str | None = None) -> Entry:
        found = self.entries(kind, where, user)
        if not found:
            raise LookupError(f"no {kind or 'entry'} in {where or 'any place'} for {user or 'anyone'}")
        return found[-1]
