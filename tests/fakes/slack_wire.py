"""What every part of the Slack fake shares: the workspace's ids and Slack's error answer.

Slack answers a refused Web API call with ``{"ok": false, "error": code}``; the
``SlackError`` raised inside the fake is turned into that body. Arguments arrive as
form fields (JSON strings) or as a JSON body (objects), which ``_json_arg`` evens out.
"""

from __future__ import annotations

import json
from typing import Any

TEAM_ID = "T0FAKE0001"
TEAM_DOMAIN = "fake-workspace"
APP_ID = "A0FAKEAPP1"
BOT_USER_ID = "U0BOT00001"
BOT_ID = "B0BOT00001"


class SlackError(Exception):
    """A Slack ``{"ok": false, "error": code}`` answer (HTTP 200 unless status is set)."""

    def __init__(self, error: str, messages: list[str] | None = None, status: int = 200):
        super().__init__(error)
        self.error, self.messages, self.status = error, messages, status

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {"ok": False, "error": self.error}
        if self.messages:
            out["response_metadata"] = {"messages": self.messages}
        return out


def _bad(error: str, msg: str, pointer: str) -> SlackError:
    return SlackError(error, [f"[ERROR] {msg} [json-pointer:{pointer}]"])


def _json_arg(v: Any, error: str) -> Any:
    """Form bodies carry blocks/views as JSON strings; JSON bodies carry them as objects."""
    if isinstance(v, str):
        try:
            return json.loads(v)
        except ValueError:
            raise SlackError(error) from None
    return v
