"""conversations.* of the Slack fake: opening DMs, members, channel info, history, threads.

In: the arguments of conversations.open, .members, .info, .history and .replies.
Out: Slack's answer from the workspace model, paged with cursors as Slack pages them;
reading history needs the scope of the channel's kind and the bot in the channel.
"""

from __future__ import annotations

import base64
import time
from typing import Any

from .slack_model import Message, _Channel, _MissingScope, _truthy
from .slack_wire import SlackError
from .slack_workspace import SlackWorkspace


class ConversationsMethods(SlackWorkspace):
    """conversations.open, .members, .info, .history and .replies."""

    scopes: set[str]

    def _may_read(self, ch: _Channel) -> None:
        """The history scope the channel's kind needs, and the bot in the channel."""
        needed = "im:history" if ch.is_im else "groups:history" if ch.is_private else "channels:history"
        if needed not in self.scopes:
            raise _MissingScope(needed, ",".join(sorted(self.scopes)))
        if not ch.bot_is_member:
            raise SlackError("not_in_channel")

    @staticmethod
    def _page(found: list[Message], a: dict[str, Any], limit: int) -> dict[str, Any]:
        """One page of `found` from the request's cursor; metadata only when asked for."""
        start = int(base64.b64decode(a["cursor"]).decode()) if a.get("cursor") else 0
        page = found[start : start + limit]
        more = len(found) > start + limit
        nxt = base64.b64encode(str(start + limit).encode()).decode() if more else ""
        include = _truthy(a.get("include_all_metadata"))
        return {"messages": [m.to_history(include) for m in page], "has_more": more,
                "response_metadata": {"next_cursor": nxt}}  # fmt: skip

    async def _conv_history(self, a: dict[str, Any]) -> dict[str, Any]:
        """Top-level messages newest first, from ``oldest`` on, paged with a cursor."""
        ch = self._channel(a.get("channel"))
        self._may_read(ch)
        oldest = float(a.get("oldest") or 0)
        limit = max(1, min(int(a.get("limit") or 100), 999))
        found = [m for m in reversed(self._messages) if m.channel == ch.id and not m.deleted
                 and m.ephemeral_to is None and (not m.thread_ts or m.thread_ts == m.ts) and float(m.ts) > oldest]
        return self._page(found, a, limit)

    async def _conv_replies(self, a: dict[str, Any]) -> dict[str, Any]:
        """A thread, parent first, then its replies oldest first, from ``oldest`` on, paged with a
        cursor; an unthreaded message is returned alone. Unknown ``ts``: ``thread_not_found``."""
        ch = self._channel(a.get("channel"))
        self._may_read(ch)
        ts = a.get("ts")
        if not ts:
            raise SlackError("invalid_arguments")
        live = [m for m in self._messages if m.channel == ch.id and not m.deleted and m.ephemeral_to is None]
        parents = [m for m in live if m.ts == ts]
        if not parents:
            raise SlackError("thread_not_found")
        oldest = float(a.get("oldest") or 0)
        replies = [m for m in live if m.thread_ts == ts and m.ts != ts and float(m.ts) > oldest]
        found = parents + sorted(replies, key=lambda m: float(m.ts))
        limit = max(1, min(int(a.get("limit") or 1000), 1000))
        return self._page(found, a, limit)

    async def _conv_info(self, a: dict[str, Any]) -> dict[str, Any]:
        ch = self._channel(a.get("channel"))
        return {"channel": {"id": ch.id, "name": ch.name, "is_channel": not ch.is_private and not ch.is_im,
                            "is_private": ch.is_private, "is_im": ch.is_im, "is_archived": ch.is_archived,
                            "is_member": ch.bot_is_member}}  # fmt: skip

    async def _conv_open(self, a: dict[str, Any]) -> dict[str, Any]:
        users = a.get("users")
        if isinstance(users, str):
            users = [u for u in users.split(",") if u]
        if not users:
            if a.get("channel"):
                return {"channel": {"id": self._channel(a["channel"]).id}}
            raise SlackError("users_list_not_supplied")
        for u in users:
            if u not in self._users:
                raise SlackError("user_not_found")
            if self._users[u]["deleted"]:
                raise SlackError("user_disabled")  # conversations.open: "The user has been disabled"
        if len(users) > 1:
            raise SlackError("method_not_supported_for_channel_type")  # mpims: not modelled
        cid = self.dm_channel_id(users[0])
        existed = cid in self._channels
        self._open_dm(users[0])
        out: dict[str, Any] = {"channel": {"id": cid}}
        if _truthy(a.get("return_im")):
            out["channel"].update({"created": int(time.time()), "is_im": True, "user": users[0],
                                   "is_org_shared": False, "is_open": True})  # fmt: skip
        if existed:
            out.update(no_op=True, already_open=True)
        return out

    async def _conv_members(self, a: dict[str, Any]) -> dict[str, Any]:
        ch = self._channel(a.get("channel"))
        try:
            limit = int(a.get("limit") or 100)
        except ValueError:
            raise SlackError("invalid_limit") from None
        if not 1 <= limit <= 1000:
            raise SlackError("invalid_limit")
        start = 0
        if a.get("cursor"):
            try:
                after = base64.b64decode(a["cursor"]).decode().removeprefix("user:")
                start = ch.members.index(after)
            except ValueError:
                raise SlackError("invalid_cursor") from None
        page = ch.members[start : start + limit]
        rest = ch.members[start + limit : start + limit + 1]
        nxt = base64.b64encode(f"user:{rest[0]}".encode()).decode() if rest else ""
        return {"members": page, "response_metadata": {"next_cursor": nxt}}
