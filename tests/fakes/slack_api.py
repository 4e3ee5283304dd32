"""A local, real-HTTP fake of the Slack Web API and Socket Mode for tests.

Why: the Slack adapter must be tested through the real slack_sdk / slack-bolt code
paths (retry handlers, socket reconnects, files_upload_v2), which a mock of the SDK
would skip. The fake listens on 127.0.0.1, checks tokens and required arguments the
way Slack does, keeps a tiny model of what the team SAW, and can inject faults.

    async with FakeSlack() as slack:
        client = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url)
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import re
import secrets
import string
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from .slack_socket import (
    APP_ID,
    BOT_ID,
    BOT_USER_ID,
    TEAM_DOMAIN,
    TEAM_ID,
    SlackError,
    SocketModeHub,
    _bad,
    _json_arg,
    app_home_opened_event,
    block_actions_payload,
    event_callback,
    interactive_body,
    new_trigger_id,
    sign_request,
    slash_command_body,
    slash_command_payload,
    validate_blocks,
    validate_view,
    view_object,
    view_submission_payload,
    wait_until,
)

__all__ = [
    "FakeSlack", "Call", "Message", "ResponsePost", "SlackError", "UPLOAD",
    "sign_request", "slash_command_body", "slash_command_payload", "block_actions_payload",
    "view_submission_payload", "interactive_body", "app_home_opened_event", "event_callback",
    "validate_blocks", "view_object", "wait_until", "TEAM_ID", "APP_ID", "BOT_USER_ID", "BOT_ID",
]  # fmt: skip

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


class FakeSlack:
    """The fake workspace + server. Use as ``async with FakeSlack() as slack``."""

    def __init__(self, *, bot_token: str = "xoxb-test-token", app_token: str = "xapp-test-token",
                 trigger_ttl: float = 3.0) -> None:  # fmt: skip
        self.bot_token, self.app_token, self.trigger_ttl = bot_token, app_token, trigger_ttl
        self.calls: list[Call] = []
        self.responses: list[ResponsePost] = []
        self.views: dict[str, dict[str, Any]] = {}
        self.home_views: dict[str, dict[str, Any]] = {}
        self.view_users: dict[str, str] = {}  # view id -> user whose trigger opened it
        self.files: dict[str, dict[str, Any]] = {}
        self.socket = SocketModeHub()
        self._users: dict[str, dict[str, Any]] = {}
        self._channels: dict[str, _Channel] = {}
        self._messages: list[Message] = []
        self._triggers: dict[str, tuple[float, str]] = {}
        self._used_triggers: set[str] = set()
        self._response_urls: dict[str, dict[str, Any]] = {}
        self._faults: dict[str, deque[_Fault]] = defaultdict(deque)
        self._delays: dict[str, float] = {}
        # Where message timestamps come from: the wall clock, or a test's clock (a test whose
        # bot runs on a fake clock and reads the history back by time)
        self.clock: Callable[[], float] = time.time
        self._latency = 0.0
        self._in_flight: asyncio.Semaphore | None = None
        self.busy: dict[str, int] = defaultdict(int)  # calls of a method being answered now
        self.peak: dict[str, int] = defaultdict(int)  # the most ever answered at once
        self._limits: dict[str, int] = {}
        self._posted_at: dict[str, deque[float]] = defaultdict(deque)
        self._last_ts = 0.0
        self.scopes: set[str] = set(ALL_SCOPES)  # the bot token's scopes; take some away to test
        self._runner: web.AppRunner | None = None
        self.base_url = ""
        self._methods = {
            "auth.test": self._auth_test, "chat.postMessage": self._post_message,
            "chat.postEphemeral": self._post_ephemeral, "chat.update": self._chat_update,
            "chat.getPermalink": self._permalink, "conversations.open": self._conv_open,
            "conversations.members": self._conv_members, "users.info": self._users_info,
            "users.list": self._users_list,
            "views.open": self._views_open, "views.update": self._views_update,
            "views.publish": self._views_publish, "files.getUploadURLExternal": self._upload_url,
            "files.completeUploadExternal": self._complete_upload,
            "apps.connections.open": self._connections_open,
            "conversations.history": self._conv_history, "conversations.info": self._conv_info,
            "conversations.replies": self._conv_replies,
        }  # fmt: skip

    # ------------------------------------------------------------ lifecycle

    async def __aenter__(self) -> FakeSlack:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/upload/v1/{file_id}", self._upload)
        app.router.add_post("/response/{url_id}", self._response_url)
        app.router.add_get("/socket", self.socket.handle)
        self._runner = web.AppRunner(app, shutdown_timeout=1.0, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        port = self._runner.addresses[0][1]
        self.base_url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        await self.socket.close_all()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def api_url(self) -> str:
        """Pass as slack_sdk's ``base_url`` (it must end with a slash)."""
        return self.base_url + "/api/"

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

    # ------------------------------------------------------------ faults

    def fail_next(self, method: str, status: int = 429, retry_after: int = 1, times: int = 1,
                  error: str | None = None) -> None:  # fmt: skip
        """Answer the next ``times`` calls with an error; status 200 injects a Slack error."""
        default = {429: "ratelimited", 200: "fatal_error"}.get(status, "service_unavailable")
        self._faults[method].append(_Fault(status, retry_after, times, error or default))

    def clear_faults(self, method: str | None = None) -> None:
        """Forget the faults still queued by ``fail_next`` (for ``method``, or all)."""
        if method is None:
            self._faults.clear()
        else:
            self._faults.pop(method, None)

    def delay(self, method: str, seconds: float) -> None:
        """Slow answers. The call still takes effect if the client times out meanwhile."""
        self._delays[method] = seconds

    def serve_like(self, latency: float, in_flight: int | None = None) -> None:
        """Every Web API call answers after ``latency`` seconds, at most ``in_flight`` at once
        (the rest wait their turn, as behind a busy server): for benchmarks."""
        self._latency = latency
        self._in_flight = asyncio.Semaphore(in_flight) if in_flight else None

    def rate_limit(self, method: str = "chat.postMessage", per_channel_per_second: int = 1) -> None:
        """Slack's documented ~1 post/second/channel limit, answered with HTTP 429."""
        self._limits[method] = per_channel_per_second

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

    async def socket_send_envelope(self, type_: str, payload: dict[str, Any],
                                   accepts_response_payload: bool | None = None,
                                   **kw: Any) -> asyncio.Future[dict[str, Any]]:  # fmt: skip
        """Send an envelope to the connected app; await the returned future for its ack."""
        return await self.socket.send_envelope(type_, payload, accepts_response_payload, **kw)

    async def socket_disconnect(
        self, reason: str = "refresh_requested", close_after: float = 0.2
    ) -> None:
        await self.socket.disconnect(reason, close_after)

    async def socket_drop(self) -> None:
        await self.socket.drop()

    async def socket_wait_connected(self, hellos: int = 1, timeout: float = 5.0) -> None:
        await self.socket.wait_connected(hellos, timeout)

    # ------------------------------------------------------------ HTTP plumbing

    async def _read_args(self, request: web.Request) -> dict[str, Any]:
        args: dict[str, Any] = dict(request.query)
        if request.method == "POST" and request.can_read_body:
            if request.content_type == "application/json":
                try:
                    body = json.loads(await request.text())
                except ValueError:
                    raise SlackError("invalid_json") from None
                if not isinstance(body, dict):
                    raise SlackError("json_not_object")
                args.update(body)
            else:
                form = await request.post()
                args.update({k: v for k, v in form.items() if isinstance(v, str)})
        return args

    def _check_auth(self, method: str, request: web.Request, args: dict[str, Any]) -> None:
        header = request.headers.get("Authorization", "")
        token = header[7:] if header.startswith("Bearer ") else args.pop("token", "")
        wanted = self.app_token if method == "apps.connections.open" else self.bot_token
        if not token:
            raise SlackError("not_authed")
        if token != wanted:
            other = self.bot_token if wanted == self.app_token else self.app_token
            raise SlackError("not_allowed_token_type" if token == other else "invalid_auth")

    def _take_fault(self, method: str) -> _Fault | None:
        queue = self._faults.get(method)
        if not queue:
            return None
        fault = queue[0]
        fault.times -= 1
        if fault.times <= 0:
            queue.popleft()
        return fault

    def _fault_response(self, call: Call, fault: _Fault) -> web.Response:
        call.status, call.response = fault.status, {"ok": False, "error": fault.error}
        headers = {"Retry-After": str(fault.retry_after)} if fault.status == 429 else None
        return web.json_response(call.response, status=fault.status, headers=headers)

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        call = Call(method, {}, dict(request.headers), time.time())
        peer = request.transport.get_extra_info("peername") if request.transport else None
        call.peer = f"{peer[0]}:{peer[1]}" if peer else ""
        self.calls.append(call)
        if method not in self._methods:
            call.status = 404
            call.response = {"ok": False, "error": "unknown_method", "req_method": method}
            return web.json_response(call.response, status=404)
        try:
            call.args = await self._read_args(request)
        except SlackError as e:
            call.status, call.response = 200, e.body()
            return web.json_response(call.response)
        self.busy[method] += 1
        self.peak[method] = max(self.peak[method], self.busy[method])
        try:
            if self._in_flight is not None:
                async with self._in_flight:
                    return await self._answer(method, call, request)
            return await self._answer(method, call, request)
        finally:
            self.busy[method] -= 1

    async def _answer(self, method: str, call: Call, request: web.Request) -> web.Response:
        if method in self._delays or self._latency:
            await asyncio.sleep(self._delays.get(method, self._latency))
        fault = self._take_fault(method)
        if fault is not None:
            return self._fault_response(call, fault)
        args = dict(call.args)
        try:
            self._check_auth(method, request, args)
            self._check_scope(method)
            limited = self._rate_limited(method, args)
            if limited is not None:
                return self._fault_response(call, limited)
            result = {"ok": True, **await self._methods[method](args)}
            call.status, call.response = 200, result
            self._note_post(method, result)
        except SlackError as e:
            call.status, call.response = e.status, e.body()
        headers = {"X-OAuth-Scopes": ",".join(sorted(self.scopes))} if method != "apps.connections.open" else None
        return web.json_response(call.response, status=call.status, headers=headers)

    def _check_scope(self, method: str) -> None:
        needs = NEEDS.get(method)
        if needs and not set(needs) & self.scopes:
            raise _MissingScope(",".join(needs), ",".join(sorted(self.scopes)))

    def _limit_key(self, method: str, channel: Any) -> str:
        cid = str(channel or "")
        return f"{method}:{self.dm_channel_id(cid) if cid[:1] in 'UW' else cid}"

    def _rate_limited(self, method: str, args: dict[str, Any]) -> _Fault | None:
        if method not in self._limits:
            return None
        window = self._posted_at[self._limit_key(method, args.get("channel"))]
        now = time.monotonic()
        while window and now - window[0] >= 1.0:
            window.popleft()
        return _Fault(429, 1, 1, "ratelimited") if len(window) >= self._limits[method] else None

    def _note_post(self, method: str, result: dict[str, Any]) -> None:
        """Only posts that landed count towards the per-channel limit."""
        if method in self._limits:
            self._posted_at[self._limit_key(method, result.get("channel"))].append(time.monotonic())

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

    # ------------------------------------------------------------ Web API methods

    async def _auth_test(self, a: dict[str, Any]) -> dict[str, Any]:
        return {"url": f"https://{TEAM_DOMAIN}.slack.com/", "team": "Fake Workspace",
                "user": "ritualbot", "team_id": TEAM_ID, "user_id": BOT_USER_ID,
                "bot_id": BOT_ID, "is_enterprise_install": False}  # fmt: skip

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

    async def _users_info(self, a: dict[str, Any]) -> dict[str, Any]:
        u = self._users.get(a.get("user") or "")
        if u is None:
            raise SlackError("user_not_found")
        offset = int(datetime.now(ZoneInfo(u["tz"])).utcoffset().total_seconds())
        user = {"id": u["id"], "team_id": TEAM_ID, "name": u["name"], "deleted": u["deleted"],
                "real_name": u["real_name"], "tz": u["tz"], "tz_label": u["tz"],
                "tz_offset": offset, "is_bot": u["is_bot"], "is_app_user": False,
                "is_admin": False, "is_owner": False, "updated": 1700000000,
                "profile": {"real_name": u["real_name"], "display_name": u["name"],
                            "real_name_normalized": u["real_name"],
                            "display_name_normalized": u["name"], "team": TEAM_ID}}  # fmt: skip
        if _truthy(a.get("include_locale")):
            user["locale"] = u["locale"]
        return {"user": user}

    async def _users_list(self, a: dict[str, Any]) -> dict[str, Any]:
        """users.list, paginated like Slack: `limit` members per page and a `next_cursor`."""
        ids = sorted(self._users)
        limit = int(a.get("limit") or 200)
        start = int(base64.b64decode(a["cursor"]).decode().split(":", 1)[1]) if a.get("cursor") else 0
        page = [(await self._users_info({"user": uid}))["user"] for uid in ids[start:start + limit]]
        more = start + limit < len(ids)
        nxt = base64.b64encode(f"offset:{start + limit}".encode()).decode() if more else ""
        return {"members": page, "response_metadata": {"next_cursor": nxt}}

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

    async def _upload_url(self, a: dict[str, Any]) -> dict[str, Any]:
        if not a.get("filename") or not str(a.get("length", "")).isdigit():
            raise _bad("invalid_arguments", "missing required field: filename/length", "/")
        fid = _rand_id("F")
        self.files[fid] = {"id": fid, "name": a["filename"], "length": int(a["length"]),
                           "alt_txt": a.get("alt_txt"), "content": None, "title": None}  # fmt: skip
        return {"upload_url": f"{self.base_url}/upload/v1/{fid}", "file_id": fid}

    async def _upload(self, request: web.Request) -> web.Response:
        fid = request.match_info["file_id"]
        call = Call(UPLOAD, {"file_id": fid}, dict(request.headers), time.time())
        self.calls.append(call)
        fault = self._take_fault(UPLOAD)
        if fault is not None:
            return self._fault_response(call, fault)
        if request.content_type == "multipart/form-data":
            form = await request.post()
            part = form.get("file") or form.get("filename")
            data = part.file.read() if hasattr(part, "file") else str(part or "").encode()
        else:
            data = await request.read()
        if fid not in self.files:
            call.status = 404
            return web.Response(status=404, text="file_not_found", content_type="text/plain")
        self.files[fid]["content"] = data
        call.status, call.args["size"] = 200, len(data)
        return web.Response(text=f"OK - {len(data)}", content_type="text/plain")

    async def _complete_upload(self, a: dict[str, Any]) -> dict[str, Any]:
        items = _json_arg(a.get("files"), "invalid_arguments")
        if not isinstance(items, list) or not items:
            raise _bad("invalid_arguments", "missing required field: files", "/")
        out = []
        for item in items:
            f = self.files.get(item.get("id", "")) if isinstance(item, dict) else None
            if f is None or f["content"] is None:
                raise SlackError("file_not_found")
            f["title"] = item.get("title") or f["name"]
            out.append({"id": f["id"], "name": f["name"], "title": f["title"],
                        "size": len(f["content"]), "user": BOT_USER_ID,
                        "created": int(time.time()), "channels": []})  # fmt: skip
        legacy = str(a.get("channels") or "").split(",")
        targets = [a["channel_id"]] if a.get("channel_id") else legacy
        for target in filter(None, targets):
            ch = self._channel(target)
            if not ch.bot_is_member:
                raise SlackError("not_in_channel")
            for f in out:
                f["channels"].append(ch.id)
            text = str(a.get("initial_comment") or "")
            thread = self._thread_root(ch.id, a.get("thread_ts"))
            self._messages.append(Message(ch.id, self._next_ts(), text, None, thread, files=out))
        return {"files": out}

    async def _connections_open(self, a: dict[str, Any]) -> dict[str, Any]:
        ticket = self.socket.issue_ticket()
        ws_base = self.base_url.replace("http://", "ws://")
        return {"url": f"{ws_base}/socket?ticket={ticket}&app_id={APP_ID}"}

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
