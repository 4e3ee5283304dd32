"""The records of the Slack fake: what it was asked, what members saw, which scopes count.

``Call`` is one Web API request and its answer, ``Message`` a message as members see
it, ``ResponsePost`` a POST to a response_url. ``NEEDS`` maps each Web API method to
the bot scopes that allow it; a call without one is answered ``missing_scope``.
"""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass, field
from typing import Any

from .slack_wire import APP_ID, BOT_ID, BOT_USER_ID, TEAM_ID, SlackError

UPLOAD = "upload"  # pseudo method name of the files.getUploadURLExternal upload URL
MAX_TEXT = 40_000
_ALNUM = string.ascii_uppercase + string.digits


@dataclass
class Call:
    """One HTTP request the fake received, and what it answered."""

    method: str
    args: dict[str, Any]
    headers: dict[str, str]
    time: float
    status: int = 0
    response: dict[str, Any] | None = None
    peer: str = ""  # the client's host:port: one per TCP connection

    @property
    def ok(self) -> bool:
        return self.status == 200 and bool(self.response and self.response.get("ok"))


@dataclass
class Message:
    """A message as members see it; ``edits`` keeps the earlier (text, blocks) versions."""

    channel: str
    ts: str
    text: str = ""
    blocks: list[dict[str, Any]] | None = None
    thread_ts: str | None = None
    files: list[dict[str, Any]] = field(default_factory=list)
    ephemeral_to: str | None = None
    edits: list[tuple[str, list | None]] = field(default_factory=list)
    deleted: bool = False
    user: str = BOT_USER_ID
    metadata: dict[str, Any] | None = None  # chat.postMessage's ``metadata`` (event_type + event_payload)

    def to_api(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "message", "text": self.text, "user": self.user,
                               "bot_id": BOT_ID, "app_id": APP_ID, "team": TEAM_ID,
                               "ts": self.ts}  # fmt: skip
        if self.blocks is not None:
            out["blocks"] = self.blocks
        if self.thread_ts:
            out["thread_ts"] = self.thread_ts
        if self.files:
            out["files"] = self.files
        if self.edits:
            out["edited"] = {"user": self.user, "ts": self.ts}
        return out

    def to_history(self, include_metadata: bool) -> dict[str, Any]:
        """As conversations.history lists it: metadata only when asked for."""
        out = self.to_api()
        if include_metadata and self.metadata is not None:
            out["metadata"] = self.metadata
        return out


@dataclass
class ResponsePost:
    """A POST the app made to a response_url the fake issued."""

    url_id: str
    body: dict[str, Any]
    time: float


@dataclass
class _Channel:
    id: str
    members: list[str]
    name: str
    is_private: bool = False
    is_im: bool = False
    bot_is_member: bool = True
    is_archived: bool = False


@dataclass
class _Fault:
    status: int
    retry_after: int
    times: int
    error: str


# Bot scopes each method needs (any one of them); what a missing one answers is documented
# per method as ``missing_scope`` with ``needed`` and ``provided``.
NEEDS: dict[str, tuple[str, ...]] = {
    "chat.postMessage": ("chat:write",), "chat.postEphemeral": ("chat:write",), "chat.update": ("chat:write",),
    "conversations.open": ("im:write",), "users.info": ("users:read",),
    "conversations.members": ("channels:read", "groups:read"), "conversations.info": ("channels:read", "groups:read"),
    "conversations.history": ("channels:history", "groups:history", "im:history"),
    "conversations.replies": ("channels:history", "groups:history", "im:history"),
    "files.getUploadURLExternal": ("files:write",), "files.completeUploadExternal": ("files:write",),
}  # fmt: skip
ALL_SCOPES = frozenset(s for needs in NEEDS.values() for s in needs) | {"commands"}
MARKER_TYPE = r"^[a-z0-9_]+$"


class _MissingScope(SlackError):
    def __init__(self, needed: str, provided: str) -> None:
        super().__init__("missing_scope")
        self.needed, self.provided = needed, provided

    def body(self) -> dict[str, Any]:
        return {**super().body(), "needed": self.needed, "provided": self.provided}


def _rand_id(prefix: str, n: int = 10) -> str:
    return prefix + "".join(secrets.choice(_ALNUM) for _ in range(n))


def _truthy(v: Any) -> bool:
    return v is True or str(v).lower() in ("1", "true")
