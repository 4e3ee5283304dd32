"""chat.* of the Slack fake, and response_url posts: how messages are posted and changed.

In: the arguments of chat.postMessage, chat.postEphemeral, chat.update and
chat.getPermalink, or the JSON body an app POSTs to a response_url. Out: Slack's
answer, with the message added to (or changed in) the workspace as members see it;
refusals are Slack's codes (``is_archived``, ``not_in_channel``, ``user_disabled`` ...).
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

from aiohttp import web

from .slack_model import MARKER_TYPE, Message, ResponsePost, _truthy
from .slack_wire import TEAM_DOMAIN, SlackError, _json_arg
from .slack_workspace import SlackWorkspace


class ChatMethods(SlackWorkspace):
    """chat.postMessage, chat.postEphemeral, chat.update, chat.getPermalink, response_url."""

    responses: list[ResponsePost]
    _response_urls: dict[str, dict[str, Any]]

    async def _post_message(self, a: dict[str, Any]) -> dict[str, Any]:
        ch = self._channel(a.get("channel"))
        if ch.is_archived:
            raise SlackError("is_archived")
        if not ch.bot_is_member:
            raise SlackError("not_in_channel")
        other = self._dm_partner(ch.id)
        if other is not None and self._users[other]["is_bot"]:
            raise SlackError("cannot_dm_bot")
        if other is not None and self._users[other]["deleted"]:
            raise SlackError("user_disabled")
        text, blocks = self._content(a)
        metadata = self._metadata(a.get("metadata"))
        thread = self._thread_root(ch.id, a.get("thread_ts"))
        msg = Message(ch.id, self._next_ts(), text or "", blocks, thread, metadata=metadata)
        self._messages.append(msg)
        return {"channel": ch.id, "ts": msg.ts, "message": msg.to_api()}

    @staticmethod
    def _metadata(raw: Any) -> dict[str, Any] | None:
        """Message metadata as documented: a JSON object with ``event_type`` and ``event_payload``."""
        if raw is None:
            return None
        meta = _json_arg(raw, "invalid_metadata_format")
        if not isinstance(meta, dict) or not isinstance(meta.get("event_payload"), dict):
            raise SlackError("invalid_metadata_format")
        event_type = meta.get("event_type")
        if not isinstance(event_type, str) or not re.match(MARKER_TYPE, event_type):
            raise SlackError("invalid_metadata_schema")
        return {"event_type": event_type, "event_payload": meta["event_payload"]}

    async def _post_ephemeral(self, a: dict[str, Any]) -> dict[str, Any]:
        ch = self._channel(a.get("channel"))
        user = a.get("user")
        if not user or user not in self._users:
            raise SlackError("user_not_found")
        if user not in ch.members:
            raise SlackError("user_not_in_channel")
        text, blocks = self._content(a)
        thread = self._thread_root(ch.id, a.get("thread_ts"))
        msg = Message(ch.id, self._next_ts(), text or "", blocks, thread, ephemeral_to=user)
        self._messages.append(msg)
        return {"message_ts": msg.ts}

    async def _chat_update(self, a: dict[str, Any]) -> dict[str, Any]:
        ch = self._channel(a.get("channel"))
        msg = self._find(ch.id, a.get("ts"))
        text, blocks = self._content(a)
        msg.edits.append((msg.text, msg.blocks))
        if text is not None:
            msg.text = text
        if blocks is not None:  # Slack keeps old blocks unless new ones (maybe []) are sent
            msg.blocks = blocks
        return {"channel": ch.id, "ts": msg.ts, "text": msg.text, "message": msg.to_api()}

    async def _permalink(self, a: dict[str, Any]) -> dict[str, Any]:
        ch = self._channel(a.get("channel"))
        msg = self._find(ch.id, a.get("message_ts"))
        link = f"https://{TEAM_DOMAIN}.slack.com/archives/{ch.id}/p{msg.ts.replace('.', '')}"
        if msg.thread_ts and msg.thread_ts != msg.ts:
            link += f"?thread_ts={msg.thread_ts}&cid={ch.id}"
        return {"channel": ch.id, "permalink": link}

    # ------------------------------------------------------------ response_url

    async def _response_url(self, request: web.Request) -> web.Response:
        """Apply respond()/response_url posts to the model, as members would see them."""
        url_id = request.match_info["url_id"]
        target = self._response_urls.get(url_id)
        if target is None or target["uses"] >= 5:  # Slack: up to 5 uses within 30 minutes
            return web.Response(status=404, text="expired_url", content_type="text/plain")
        try:
            body = json.loads(await request.text())
        except ValueError:
            return web.Response(status=400, text="invalid_payload", content_type="text/plain")
        target["uses"] += 1
        self.responses.append(ResponsePost(url_id, body, time.time()))
        ch, ts = target["channel"], target["message_ts"]
        if ts and (_truthy(body.get("delete_original")) or _truthy(body.get("replace_original"))):
            for m in self._messages:
                if m.channel == ch and m.ts == ts:
                    if _truthy(body.get("delete_original")):
                        m.deleted = True
                    else:
                        m.edits.append((m.text, m.blocks))
                        m.text, m.blocks = body.get("text", ""), body.get("blocks")
            return web.Response(text="ok", content_type="text/plain")
        private = body.get("response_type", "ephemeral") != "in_channel"
        msg = Message(ch, self._next_ts(), body.get("text", ""), body.get("blocks"),
                      body.get("thread_ts"), ephemeral_to=target["user"] if private else None)
        self._messages.append(msg)
        return web.Response(text="ok", content_type="text/plain")
