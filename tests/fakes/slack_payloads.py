"""Payloads Slack sends to an app, and the signature it puts on them in HTTP mode.

Socket Mode and signed HTTP POSTs to a Request URL carry the same payloads, so tests
build them here: slash commands, button clicks (``block_actions``), view submissions
and Events API callbacks. Shapes follow Slack's docs (slash command and interactivity
payload references, the Events API wrapper schema in /work/shared/specs).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from typing import Any
from urllib.parse import urlencode

from .slack_blocks import view_object
from .slack_wire import APP_ID, BOT_USER_ID, TEAM_DOMAIN, TEAM_ID

# ---------------------------------------------------------------- signing (HTTP mode)


def sign_request(
    signing_secret: str,
    body: str | bytes,
    timestamp: int | None = None,
    content_type: str | None = None,
) -> dict[str, str]:
    """Headers Slack adds to every HTTP request: v0 HMAC-SHA256 of ``v0:{ts}:{body}``."""
    ts = int(time.time()) if timestamp is None else int(timestamp)
    raw = body.encode() if isinstance(body, str) else body
    digest = hmac.new(signing_secret.encode(), b"v0:%d:" % ts + raw, hashlib.sha256).hexdigest()
    headers = {"X-Slack-Request-Timestamp": str(ts), "X-Slack-Signature": f"v0={digest}"}
    if content_type:
        headers["Content-Type"] = content_type
    return headers


def new_trigger_id() -> str:
    """A trigger id in Slack's ``12345.98765.abcd2358fdea`` style."""
    return f"{secrets.randbelow(10**13)}.{secrets.randbelow(10**13)}.{secrets.token_hex(16)}"


# ---------------------------------------------------------------- payload builders


def slash_command_payload(
    *,
    command: str = "/ritual",
    text: str = "",
    user_id: str = "U0USER0001",
    user_name: str = "user",
    channel_id: str = "C0CHAN00001",
    channel_name: str = "general",
    team_id: str = TEAM_ID,
    trigger_id: str | None = None,
    response_url: str = "https://hooks.slack.com/commands/T0FAKE0001/1/x",
) -> dict[str, str]:
    """Slash command fields; Socket Mode sends this dict, HTTP mode form-encodes it."""
    return {
        "token": "fake-verification-token",
        "team_id": team_id,
        "team_domain": TEAM_DOMAIN,
        "channel_id": channel_id,
        "channel_name": channel_name,
        "user_id": user_id,
        "user_name": user_name,
        "command": command,
        "text": text,
        "api_app_id": APP_ID,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id or new_trigger_id(),
    }


def slash_command_body(**kwargs: Any) -> str:
    """The form-encoded HTTP body of a slash command (same args as slash_command_payload)."""
    return urlencode(slash_command_payload(**kwargs))


def _user(user_id: str, team_id: str) -> dict[str, str]:
    return {"id": user_id, "username": user_id.lower(), "name": user_id.lower(), "team_id": team_id}


def block_actions_payload(
    *,
    action_id: str,
    value: str | None = None,
    block_id: str = "actions",
    action_type: str = "button",
    user_id: str = "U0USER0001",
    channel_id: str | None = "C0CHAN00001",
    message: dict[str, Any] | None = None,
    view: dict[str, Any] | None = None,
    trigger_id: str | None = None,
    response_url: str | None = "https://hooks.slack.com/actions/T0FAKE0001/1/x",
    team_id: str = TEAM_ID,
) -> dict[str, Any]:
    """A ``block_actions`` interaction: a button/select in a message (or in a view if given)."""
    action: dict[str, Any] = {
        "type": action_type,
        "action_id": action_id,
        "block_id": block_id,
        "action_ts": f"{time.time():.6f}",
    }
    if action_type == "button":
        action["text"] = {"type": "plain_text", "text": action_id, "emoji": True}
    if value is not None:
        action["value"] = value
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": _user(user_id, team_id),
        "api_app_id": APP_ID,
        "token": "fake-verification-token",
        "trigger_id": trigger_id or new_trigger_id(),
        "team": {"id": team_id, "domain": TEAM_DOMAIN},
        "enterprise": None,
        "is_enterprise_install": False,
        "actions": [action],
        "state": {"values": {}},
    }
    if view is not None:
        payload["container"] = {"type": "view", "view_id": view.get("id", "")}
        payload["view"] = view
    else:
        msg = message or {"type": "message", "ts": f"{time.time():.6f}", "text": ""}
        payload["container"] = {
            "type": "message",
            "message_ts": msg["ts"],
            "channel_id": channel_id,
            "is_ephemeral": False,
        }
        payload["channel"] = {"id": channel_id, "name": "general"}
        payload["message"] = msg
        payload["response_url"] = response_url
    return payload


def view_submission_payload(
    *,
    callback_id: str,
    values: dict[str, dict[str, Any]] | None = None,
    user_id: str = "U0USER0001",
    view_id: str = "V0VIEW00001",
    private_metadata: str = "",
    title: str = "Ritual",
    trigger_id: str | None = None,
    team_id: str = TEAM_ID,
) -> dict[str, Any]:
    """A ``view_submission``; plain strings in ``values[block][action]`` become text inputs."""
    state: dict[str, dict[str, Any]] = {}
    for block_id, actions in (values or {}).items():
        state[block_id] = {
            aid: v if isinstance(v, dict) else {"type": "plain_text_input", "value": v}
            for aid, v in actions.items()
        }
    return {
        "type": "view_submission",
        "team": {"id": team_id, "domain": TEAM_DOMAIN},
        "user": _user(user_id, team_id),
        "api_app_id": APP_ID,
        "token": "fake-verification-token",
        "trigger_id": trigger_id or new_trigger_id(),
        "view": view_object(
            {
                "type": "modal",
                "callback_id": callback_id,
                "private_metadata": private_metadata,
                "title": {"type": "plain_text", "text": title, "emoji": True},
                "state": {"values": state},
            },
            view_id,
            team_id,
        ),
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": None,
    }


def interactive_body(payload: dict[str, Any]) -> str:
    """HTTP mode sends interactions form-encoded as a single ``payload`` JSON field."""
    return urlencode({"payload": json.dumps(payload)})


def app_home_opened_event(
    *, user_id: str, channel_id: str = "D0DMCHAN001", tab: str = "home", view: dict | None = None
) -> dict[str, Any]:
    """The inner ``app_home_opened`` event (wrap it with event_callback)."""
    event: dict[str, Any] = {
        "type": "app_home_opened",
        "user": user_id,
        "channel": channel_id,
        "tab": tab,
        "event_ts": f"{time.time():.6f}",
    }
    if view is not None:
        event["view"] = view
    return event


def event_callback(
    event: dict[str, Any], *, team_id: str = TEAM_ID, event_id: str | None = None
) -> dict[str, Any]:
    """The Events API wrapper (required keys per slack_common_event_wrapper_schema.json)."""
    return {
        "token": "fake-verification-token",
        "team_id": team_id,
        "api_app_id": APP_ID,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or "Ev" + secrets.token_hex(5).upper(),
        "event_time": int(time.time()),
        "authed_users": [BOT_USER_ID],
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": team_id,
                "user_id": BOT_USER_ID,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
    }
