"""The workspace the Slack fake models: its people, channels and messages.

Tests seed it (``add_user``, ``add_channel``) and read back what members saw
(``messages``, ``thread``, ``ephemeral``); the Web API method mixins use the model
helpers here to find channels and messages the way Slack does, raising ``SlackError``
with Slack's codes (``channel_not_found``, ``message_not_found``, ``no_text`` ...).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from .slack_blocks import validate_blocks
from .slack_model import MAX_TEXT, Call, Message, _Channel
from .slack_wire import BOT_USER_ID, SlackError, _json_arg


class SlackWorkspace:
    """People, channels and messages of the fake workspace; state is set by ``FakeSlack``."""

    calls: list[Call]
    clock: Callable[[], float]  # where message timestamps come from
    _users: dict[str, dict[str, Any]]
    _channels: dict[str, _Channel]
    _messages: list[Message]
    _last_ts: float

    # ------------------------------------------------------------ seeding & inspection

    def add_user(self, user_id: str, name: str, locale: str = "en-US",
                 tz: str = "Europe/Amsterdam", *, real_name: str | None = None,
                 is_bot: bool = False, deleted: bool = False) -> None:  # fmt: skip
        self._users[user_id] = {"id": user_id, "name": name, "locale": locale, "tz": tz,
                                "real_name": real_name or name.title(), "is_bot": is_bot,
                                "deleted": deleted}  # fmt: skip

    def deactivate_user(self, user_id: str) -> None:
        """A workspace admin deactivates an account: users.info says `deleted: true`, the
        account stays in channel member lists, and DMs to it are refused (`user_disabled`)."""
        self._users[user_id]["deleted"] = True

    def add_channel(self, channel_id: str, members: Iterable[str] = (), *, name: str | None = None,
                    is_private: bool = False, bot_is_member: bool = True) -> None:  # fmt: skip
        self._channels[channel_id] = _Channel(channel_id, list(members), name or channel_id.lower(),
                                              is_private, bot_is_member=bot_is_member)  # fmt: skip

    def archive_channel(self, channel_id: str) -> None:
        """Archive a channel: posting to it then answers ``is_archived``."""
        self._channels[channel_id].is_archived = True

    def dm_channel_id(self, user_id: str) -> str:
        """Stable DM id per user, so tests can predict where DMs land."""
        return "D" + hashlib.sha1(user_id.encode()).hexdigest()[:10].upper()

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def messages(self, channel: str, *, include_replies: bool = True) -> list[Message]:
        """What members see in a channel (a user id means their DM), oldest first."""
        ch = self.dm_channel_id(channel) if channel[:1] in "UW" else channel
        return [m for m in self._messages if m.channel == ch and not m.deleted
                and m.ephemeral_to is None and (include_replies or not m.thread_ts)]  # fmt: skip

    def top_level_counts(self) -> dict[str, int]:
        """How many top-level messages members see per channel, in one pass (for big benchmarks)."""
        counts: dict[str, int] = defaultdict(int)
        for m in self._messages:
            if not m.deleted and m.ephemeral_to is None and not m.thread_ts:
                counts[m.channel] += 1
        return dict(counts)

    def latest_ts(self) -> float:
        """When the newest message was posted (time.time()), 0 if none."""
        return float(self._messages[-1].ts) if self._messages else 0.0

    def thread(self, channel: str, thread_ts: str) -> list[Message]:
        return [m for m in self.messages(channel) if m.thread_ts == thread_ts and m.ts != thread_ts]

    def ephemeral(self, channel: str | None = None, user: str | None = None) -> list[Message]:
        return [m for m in self._messages if m.ephemeral_to is not None
                and channel in (None, m.channel) and user in (None, m.ephemeral_to)]  # fmt: skip

    # ------------------------------------------------------------ model helpers

    def _next_ts(self) -> str:
        self._last_ts = max(self.clock(), self._last_ts + 0.000001)
        return f"{self._last_ts:.6f}"

    def _channel(self, channel_id: Any) -> _Channel:
        if not channel_id:
            raise SlackError("channel_not_found")
        cid = str(channel_id)
        if cid.startswith("#"):  # chat.postMessage also accepts a channel name
            cid = next((c.id for c in self._channels.values() if c.name == cid[1:]), cid)
        if cid[:1] in "UW" and cid in self._users:  # Slack lets you post "to a user": their DM
            cid = self._open_dm(cid)
        if cid not in self._channels:
            raise SlackError("channel_not_found")
        return self._channels[cid]

    def _dm_partner(self, channel_id: str) -> str | None:
        """The person a DM channel of the bot is with, or None for other channels."""
        for user_id in self._users:
            if self.dm_channel_id(user_id) == channel_id:
                return user_id
        return None

    def _open_dm(self, user_id: str) -> str:
        cid = self.dm_channel_id(user_id)
        if cid not in self._channels:
            self._channels[cid] = _Channel(cid, [user_id, BOT_USER_ID], cid.lower(), True, True)
        return cid

    def _find(self, channel: str, ts: Any) -> Message:
        for m in self._messages:
            if m.channel == channel and m.ts == ts and not m.deleted and m.ephemeral_to is None:
                return m
        raise SlackError("message_not_found")

    def _content(self, a: dict[str, Any]) -> tuple[str | None, list | None]:
        text = a.get("text")
        blocks = a.get("blocks")
        if blocks is not None:
            blocks = validate_blocks(_json_arg(blocks, "invalid_blocks_format"))
        if text is not None and len(str(text)) > MAX_TEXT:
            raise SlackError("msg_too_long")
        if not text and not blocks and not a.get("attachments"):
            raise SlackError("no_text")
        return (None if text is None else str(text)), blocks

    def _thread_root(self, channel: str, thread_ts: Any) -> str | None:
        """Replying to a reply lands in the same thread, as in Slack."""
        if not thread_ts:
            return None
        for m in self._messages:
            if m.channel == channel and m.ts == thread_ts and m.thread_ts:
                return m.thread_ts
        return str(thread_ts)
