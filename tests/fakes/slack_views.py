"""views.* of the Slack fake, and the trigger ids and response URLs interactions carry.

Tests build a slash command or button click with a live ``trigger_id`` and
``response_url`` from this fake (``slash_command_payload``, ``block_actions_payload``);
views.open accepts a trigger once, within ``trigger_ttl`` seconds
(``exchanged_trigger_id``, ``expired_trigger_id`` otherwise), as Slack does.
views.update and views.publish check the view's ``hash`` (``hash_conflict``).
"""

from __future__ import annotations

import secrets
import time
from typing import Any

from .slack_blocks import validate_view, view_object
from .slack_model import _rand_id
from .slack_payloads import block_actions_payload, new_trigger_id, slash_command_payload
from .slack_wire import SlackError, _bad, _json_arg
from .slack_workspace import SlackWorkspace


class ViewsMethods(SlackWorkspace):
    """views.open, views.update, views.publish, and live trigger ids and response URLs."""

    base_url: str
    trigger_ttl: float
    views: dict[str, dict[str, Any]]
    home_views: dict[str, dict[str, Any]]
    view_users: dict[str, str]  # view id -> user whose trigger opened it
    _triggers: dict[str, tuple[float, str]]
    _used_triggers: set[str]
    _response_urls: dict[str, dict[str, Any]]

    # ------------------------------------------------------------ interaction helpers

    def issue_trigger_id(self, user_id: str = "U0USER0001") -> str:
        tid = new_trigger_id()
        self._triggers[tid] = (time.monotonic() + self.trigger_ttl, user_id)
        return tid

    def new_response_url(self, channel_id: str, user_id: str, message_ts: str | None = None) -> str:
        url_id = secrets.token_hex(8)
        self._response_urls[url_id] = {"channel": channel_id, "user": user_id,
                                       "message_ts": message_ts, "uses": 0}  # fmt: skip
        return f"{self.base_url}/response/{url_id}"

    def slash_command_payload(self, **kw: Any) -> dict[str, str]:
        """A slash command with a live trigger_id and response_url from this fake."""
        user = kw.setdefault("user_id", "U0USER0001")
        channel = kw.setdefault("channel_id", "C0CHAN00001")
        kw.setdefault("trigger_id", self.issue_trigger_id(user))
        kw.setdefault("response_url", self.new_response_url(channel, user))
        return slash_command_payload(**kw)

    def block_actions_payload(self, **kw: Any) -> dict[str, Any]:
        """A button click with a live trigger_id; its response_url can edit ``message``."""
        user = kw.setdefault("user_id", "U0USER0001")
        channel = kw.setdefault("channel_id", "C0CHAN00001")
        msg = kw.get("message") or {}
        kw.setdefault("trigger_id", self.issue_trigger_id(user))
        kw.setdefault("response_url", self.new_response_url(channel, user, msg.get("ts")))
        return block_actions_payload(**kw)

    # ------------------------------------------------------------ views.*

    def _view(self, raw: Any, kinds: tuple[str, ...], vid: str | None = None) -> dict[str, Any]:
        view = validate_view(_json_arg(raw, "invalid_arguments"), kinds)
        full = view_object(view, vid or _rand_id("V"))
        self.views[full["id"]] = full
        return full

    async def _views_open(self, a: dict[str, Any]) -> dict[str, Any]:
        tid = a.get("trigger_id") or a.get("interactivity_pointer")
        if not tid:
            raise _bad("invalid_arguments", "missing required field: trigger_id", "/")
        if tid in self._used_triggers:
            raise SlackError("exchanged_trigger_id")
        if tid not in self._triggers:
            raise SlackError("invalid_trigger_id")
        expires, user = self._triggers[tid]
        if time.monotonic() > expires:
            raise SlackError("expired_trigger_id")
        view = self._view(a.get("view"), ("modal",))
        self._used_triggers.add(tid)
        self.view_users[view["id"]] = user
        return {"view": view}

    async def _views_update(self, a: dict[str, Any]) -> dict[str, Any]:
        vid = a.get("view_id")
        if not vid and a.get("external_id"):
            ext = a["external_id"]
            vid = next((v["id"] for v in self.views.values() if v["external_id"] == ext), None)
        if not vid or vid not in self.views:
            raise SlackError("not_found")
        old = self.views[vid]
        if a.get("hash") and a["hash"] != old["hash"]:
            raise SlackError("hash_conflict")
        return {"view": self._view(a.get("view"), (old["type"],), vid)}

    async def _views_publish(self, a: dict[str, Any]) -> dict[str, Any]:
        user = a.get("user_id")
        if user not in self._users:
            raise SlackError("user_not_found")
        old = self.home_views.get(user)
        if a.get("hash") and old and a["hash"] != old["hash"]:
            raise SlackError("hash_conflict")
        view = self._view(a.get("view"), ("home",), old["id"] if old else None)
        self.home_views[user] = view
        return {"view": view}
