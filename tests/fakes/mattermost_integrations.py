"""What the Mattermost fake sends to the bot's integration endpoints, and what it does
with the answers.

Tests build the requests the server sends (``slash_command_form``,
``action_callback_body``, ``dialog_submission_body``) and POST them with
``send_slash_command``, ``send_action`` and ``send_dialog_submission``. Like the
server, a command's answer (or a POST to its response URL) becomes a post or an
ephemeral message, and a button's ``update`` / ``ephemeral_text`` is applied.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp import web

from .mattermost_kit import RECORD, ApiError, new_id

RETAINED_PROPS = ("from_webhook", "override_username", "override_icon_url")


@dataclass
class IntegrationResponse:
    """What the bot's integration endpoint answered to a Mattermost-originated request."""

    status: int
    text: str
    json: Any = None


class IntegrationCallsMixin:
    """Slash commands, button clicks, dialog submissions and response URLs; mixed into
    FakeMattermost, relying on its model (users, channels, posts)."""

    url: str
    users: dict[str, dict[str, Any]]
    channels: dict[str, dict[str, Any]]
    all_posts: dict[str, dict[str, Any]]
    ephemeral_posts: list[dict[str, Any]]
    _response_urls: dict[str, tuple[str, str]]
    _store_post: Callable[[dict[str, Any], str], dict[str, Any]]
    _edited: Callable[[dict[str, Any], dict[str, Any]], Coroutine[Any, Any, dict[str, Any]]]
    _emit_posted: Callable[[dict[str, Any]], Awaitable[None]]
    new_trigger_id: Callable[[str], str]

    async def _command_response_url(self, request: web.Request) -> web.Response:
        target = self._response_urls.get(request.match_info["hook_id"])
        body = request[RECORD].body
        if target is None or not isinstance(body, dict):
            raise ApiError(400, "web.command_webhook.invalid.app_error", "Invalid webhook.")
        await self._apply_command_response(body, *target)
        return web.Response(text="ok", headers={"Content-Type": "text/plain"})

    async def _apply_command_response(self, body: dict[str, Any], channel_id: str,
                                      user_id: str) -> None:
        props = dict(body.get("props") or {})
        if body.get("attachments"):
            props["attachments"] = body["attachments"]
        if not body.get("text") and not props:
            return
        if body.get("response_type") == "in_channel":
            post = self._store_post({"channel_id": channel_id, "message": body.get("text", ""),
                                     "props": {**props, "from_webhook": "true"}}, user_id)
            await self._emit_posted(post)
        else:  # Mattermost's default response_type is ephemeral
            self.ephemeral_posts.append({"channel_id": channel_id, "to_user_id": user_id,
                                         "message": body.get("text", ""), "props": props,
                                         "type": "system_ephemeral"})

    # -- requests Mattermost sends to integrations ----------------------------------
    def slash_command_form(self, token: str, *, command: str = "/ritual", text: str = "",
                           user_id: str, user_name: str | None = None, channel_id: str,
                           team_id: str = "", trigger_id: str | None = None,
                           response_url: str | None = None, channel_name: str | None = None,
                           team_domain: str = "team") -> dict[str, str]:
        """Form fields of the outgoing slash-command POST (app/command.go)."""
        if response_url is None:
            hook = new_id()
            self._response_urls[hook] = (channel_id, user_id)
            response_url = f"{self.url}/hooks/commands/{hook}"
        return {"channel_id": channel_id,
                "channel_name": channel_name or self.channels.get(channel_id, {}).get("name", ""),
                "command": command, "response_url": response_url, "team_domain": team_domain,
                "team_id": team_id, "text": text, "token": token,
                "trigger_id": trigger_id or self.new_trigger_id(user_id), "user_id": user_id,
                "user_name": user_name or self.users.get(user_id, {}).get("username", "")}

    def action_callback_body(self, *, user_id: str, user_name: str | None = None, channel_id: str,
                             post_id: str, team_id: str = "", trigger_id: str | None = None,
                             context: dict[str, Any] | None = None, action_type: str = "",
                             team_domain: str = "team") -> dict[str, Any]:
        """JSON the server POSTs to a button's integration URL (PostActionIntegrationRequest)."""
        body: dict[str, Any] = {
            "user_id": user_id,
            "user_name": user_name or self.users.get(user_id, {}).get("username", ""),
            "channel_id": channel_id,
            "channel_name": self.channels.get(channel_id, {}).get("name", ""),
            "team_id": team_id, "team_domain": team_domain, "post_id": post_id,
            "trigger_id": trigger_id or self.new_trigger_id(user_id), "type": action_type,
            "data_source": ""}
        if context:
            body["context"] = context
        return body

    def dialog_submission_body(self, *, callback_id: str, state: str, user_id: str, channel_id: str,
                               team_id: str, submission: dict[str, Any] | None,
                               cancelled: bool = False) -> dict[str, Any]:
        """JSON the server POSTs to a dialog's url (SubmitDialogRequest; url stripped)."""
        return {"type": "dialog_submission", "callback_id": callback_id, "state": state,
                "user_id": user_id, "channel_id": channel_id, "team_id": team_id,
                "submission": None if cancelled else submission, "cancelled": cancelled}

    async def send_slash_command(self, url: str, form: dict[str, str], *,
                                 apply_response: bool = True) -> IntegrationResponse:
        headers = {"Accept": "application/json", "Authorization": f"Token {form['token']}"}
        resp = await self._outbound(url, data=form, headers=headers)
        if apply_response and resp.status == 200 and isinstance(resp.json, dict):
            await self._apply_command_response(resp.json, form["channel_id"], form["user_id"])
        return resp

    async def send_action(self, url: str, body: dict[str, Any], *,
                          apply_response: bool = True) -> IntegrationResponse:
        """POST a button click; like the server, apply ``update`` / ``ephemeral_text``."""
        resp = await self._outbound(url, json_body=body)
        if apply_response and resp.status == 200 and isinstance(resp.json, dict):
            update, post = resp.json.get("update"), self.all_posts.get(body["post_id"])
            if isinstance(update, dict) and post is not None:
                kept = {k: v for k, v in post["props"].items() if k in RETAINED_PROPS}
                await self._edited(post, {"message": update.get("message", ""),
                                          "props": {**(update.get("props") or {}), **kept}})
            if resp.json.get("ephemeral_text"):
                self.ephemeral_posts.append({"channel_id": body["channel_id"],
                                             "to_user_id": body["user_id"],
                                             "message": resp.json["ephemeral_text"],
                                             "type": "system_ephemeral", "props": {}})
        return resp

    async def send_dialog_submission(self, url: str, body: dict[str, Any]) -> IntegrationResponse:
        return await self._outbound(url, json_body=body)

    async def _outbound(self, url: str, *, data: dict[str, str] | None = None,
                        json_body: Any = None, headers: dict[str, str] | None = None
                        ) -> IntegrationResponse:
        timeout = aiohttp.ClientTimeout(total=30)  # OutgoingIntegrationRequestsTimeout default
        async with aiohttp.ClientSession(timeout=timeout) as session:
            async with session.post(url, data=data, json=json_body, headers=headers) as resp:
                text = await resp.text()
                try:
                    parsed = json.loads(text) if text else None
                except ValueError:
                    parsed = None
                return IntegrationResponse(resp.status, text, parsed)
