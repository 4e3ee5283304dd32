"""A local fake Mattermost API v4 server (real HTTP/HTTPS + websocket on 127.0.0.1).

Why a fake and not mocks: the bot talks to Mattermost through mattermostdriver
(requests + websockets), so tests should exercise real sockets, real headers and
the server's real quirks (exact ``application/json`` content type, JSON error
bodies, plain-text 429 bodies, rate-limit headers, stringified ``data.post``).
Shapes follow /work/shared/specs/mattermost-v4 and the server source where the
spec is silent.  Deliberate deviations are listed in ``FakeMattermost``'s doc.
"""

from __future__ import annotations

import asyncio
import json
import os
import ssl
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from .mattermost_ws import (
    RECORD,
    USER,
    ApiError,
    IntegrationPushMixin,
    IntegrationResponse,
    WebsocketHub,
    bad_body,
    forbidden,
    json_response,
    new_id,
    now_ms,
    validate_dialog,
)

__all__ = ["FakeMattermost", "IntegrationResponse", "RecordedRequest", "validate_dialog"]

API = "/api/v4"


@dataclass
class RecordedRequest:
    """One HTTP request as the fake received it, for assertions."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any = None
    status: int = 0
    user_id: str | None = None
    at: float = field(default_factory=time.time)
    peer: str = ""  # the client's host:port: one per TCP connection


@dataclass
class _Rule:
    method: str
    prefix: str
    times: int
    status: int = 500
    retry_after: float = 1
    seconds: float = 0.0
    after_processing: bool = False

    def matches(self, method: str, path: str) -> bool:
        return self.times > 0 and self.method in (method, "*") and path.startswith(self.prefix)


class FakeMattermost(IntegrationPushMixin):
    """In-process Mattermost v4 server: ``async with FakeMattermost(tls=False) as mm``.

    Deviations from the real server, on purpose: trigger ids are single use and expire
    after ``trigger_ttl`` (3 s; the server only checks age, against
    OutgoingIntegrationRequestsTimeout); an invalid dialog gives 400 when
    ``strict_dialogs`` (the server only logs a warning and the webapp may refuse to
    render it); ``max_dialog_elements`` optionally enforces the old documented cap of 5.
    """

    def __init__(self, tls: bool = False, *, bot_username: str = "ritualbot",
                 bot_is_admin: bool = False, trigger_ttl: float = 3.0,
                 strict_dialogs: bool = True, max_dialog_elements: int | None = None,
                 hello_before_ok: bool = False, rate_limit: int = 10) -> None:
        self.tls, self.trigger_ttl, self.strict_dialogs = tls, trigger_ttl, strict_dialogs
        self.max_dialog_elements, self.rate_limit = max_dialog_elements, rate_limit
        self.since_limit = 1000  # posts a `since` listing returns at most (tests lower it)
        self.users: dict[str, dict[str, Any]] = {}
        self.channels: dict[str, dict[str, Any]] = {}
        self.teams: dict[str, dict[str, Any]] = {}
        self.members: dict[str, list[str]] = {}
        self.all_posts: dict[str, dict[str, Any]] = {}
        self.ephemeral_posts: list[dict[str, Any]] = []
        self.files: dict[str, dict[str, Any]] = {}
        self.file_contents: dict[str, bytes] = {}
        self.dialogs: list[dict[str, Any]] = []
        self.dialog_warnings: list[str] = []
        self.requests: list[RecordedRequest] = []
        self._tokens: dict[str, str] = {}
        self._triggers: dict[str, tuple[str, float]] = {}
        self._response_urls: dict[str, tuple[str, str]] = {}
        self._faults: list[_Rule] = []
        self._delays: list[_Rule] = []
        # Where posts' create_at comes from: the wall clock, or a test's clock (a test whose bot
        # runs on a fake clock and reads a channel back by time)
        self.clock_ms: Callable[[], int] = now_ms
        self._latency = 0.0
        self._in_flight: asyncio.Semaphore | None = None
        self._window: tuple[int, int] = (0, 0)
        self.hub = WebsocketHub(self, hello_before_ok=hello_before_ok)
        self.bot_user_id, self.bot_token = new_id(), new_id()
        self.add_user(self.bot_user_id, bot_username, locale="en", is_system_admin=bot_is_admin,
                      is_bot=True, token=self.bot_token)
        self._runner: web.AppRunner | None = None
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self.port = 0
        self.ca_path: str | None = None

    # -- lifecycle ---------------------------------------------------------------
    async def __aenter__(self) -> FakeMattermost:
        app = web.Application(middlewares=[self._middleware], client_max_size=100 * 1024 * 1024)
        r = app.router
        r.add_get(f"{API}/websocket", self.hub.handle)
        r.add_get(f"{API}/users/username/{{name}}", self._get_user_by_name)
        r.add_post(f"{API}/users/ids", self._get_users_by_ids)
        r.add_get(f"{API}/users/{{user_id}}", self._get_user)
        r.add_delete(f"{API}/users/{{user_id}}", self._deactivate_user)
        r.add_post(f"{API}/posts", self._create_post)
        r.add_post(f"{API}/posts/ephemeral", self._create_ephemeral)
        r.add_get(f"{API}/posts/{{post_id}}", self._get_post)
        r.add_get(f"{API}/posts/{{post_id}}/thread", self._get_thread)
        r.add_put(f"{API}/posts/{{post_id}}", self._update_post)
        r.add_put(f"{API}/posts/{{post_id}}/patch", self._patch_post)
        r.add_delete(f"{API}/posts/{{post_id}}", self._delete_post)
        r.add_get(f"{API}/teams/{{team_id}}", self._get_team)
        r.add_post(f"{API}/channels/direct", self._create_direct)
        r.add_get(f"{API}/channels/{{channel_id}}", self._get_channel)
        r.add_get(f"{API}/channels/{{channel_id}}/members", self._get_members)
        r.add_get(f"{API}/channels/{{channel_id}}/members/{{user_id}}", self._get_member)
        r.add_get(f"{API}/users/{{user_id}}/channels", self._get_my_channels)
        r.add_get(f"{API}/channels/{{channel_id}}/posts", self._get_channel_posts)
        r.add_post(f"{API}/actions/dialogs/open", self._open_dialog)
        r.add_post(f"{API}/files", self._upload_file)
        r.add_post("/hooks/commands/{hook_id}", self._command_response_url)
        ssl_ctx = None
        if self.tls:
            import trustme  # test-only dependency

            ca = trustme.CA()
            self._tmp = tempfile.TemporaryDirectory()
            self.ca_path = os.path.join(self._tmp.name, "fake-mattermost-ca.pem")
            ca.cert_pem.write_to_path(self.ca_path)
            ssl_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            ca.issue_cert("127.0.0.1", "localhost").configure_cert(ssl_ctx)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0, ssl_context=ssl_ctx)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.hub.drop(abrupt=True)
        if self._runner is not None:
            await self._runner.cleanup()
        if self._tmp is not None:
            self._tmp.cleanup()

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    def client_ssl_context(self) -> ssl.SSLContext | None:
        """A client context trusting the fake's CA (None without TLS)."""
        return ssl.create_default_context(cafile=self.ca_path) if self.ca_path else None

    # -- seeding -----------------------------------------------------------------
    def add_user(self, id: str, username: str, *, locale: str = "nl", is_system_admin: bool = False,
                 is_bot: bool = False, token: str | None = None, **extra: Any) -> dict[str, Any]:
        roles = "system_admin system_user" if is_system_admin else "system_user"
        user = {"id": id, "username": username, "first_name": "", "last_name": "", "nickname": "",
                "email": f"{username}@example.test", "locale": locale, "roles": roles,
                "is_bot": is_bot, "create_at": now_ms(), "update_at": now_ms(), "delete_at": 0,
                "auth_service": "", "position": "", "props": {},
                "timezone": {"useAutomaticTimezone": "true",
                             "automaticTimezone": "Europe/Amsterdam",
                             "manualTimezone": ""}, **extra}
        self.users[id] = user
        if token:
            self._tokens[token] = id
        return user

    def deactivate_user(self, user_id: str) -> None:
        """A system admin deactivates an account (`DELETE /users/{id}`): `delete_at` is set,
        the account stays a channel member, and the server refuses posts in a DM with it."""
        self.users[user_id]["delete_at"] = now_ms()

    def add_channel(self, id: str, team_id: str = "", members: list[str] | None = None, *,
                    type: str = "O", name: str | None = None,
                    display_name: str | None = None) -> dict[str, Any]:
        chan = {"id": id, "create_at": now_ms(), "update_at": now_ms(), "delete_at": 0,
                "team_id": team_id, "type": type, "display_name": display_name or name or id,
                "name": name or id, "header": "", "purpose": "", "last_post_at": 0,
                "total_msg_count": 0, "creator_id": "", "group_constrained": None}
        self.channels[id] = chan
        self.members[id] = list(dict.fromkeys(members or []))
        if team_id and team_id not in self.teams:
            self.add_team(team_id, team_id)
        return chan

    def add_team(self, id: str, name: str) -> dict[str, Any]:
        """A team; `name` is the one in its URL (a slash command's `team_domain`)."""
        team = {"id": id, "name": name, "display_name": name, "type": "O", "delete_at": 0,
                "create_at": now_ms(), "update_at": now_ms()}
        self.teams[id] = team
        return team

    def add_direct_channel(self, user_a: str, user_b: str) -> dict[str, Any]:
        """The D channel between two users; same id every time (as the server dedupes)."""
        a, b = sorted((user_a, user_b))
        cid = new_id(f"dm:{a}:{b}")
        existing = self.channels.get(cid)
        return existing or self.add_channel(cid, "", [a, b], type="D", name=f"{a}__{b}")

    # -- inspection --------------------------------------------------------------
    def posts(self, channel_id: str) -> list[dict[str, Any]]:
        """Current (edited, undeleted) posts in a channel, oldest first: what people saw."""
        return [p for p in self.all_posts.values()
                if p["channel_id"] == channel_id and not p["delete_at"]]

    def thread(self, root_id: str) -> list[dict[str, Any]]:
        return [p for p in self.all_posts.values()
                if (p["id"] == root_id or p["root_id"] == root_id) and not p["delete_at"]]

    def calls_to(self, method: str, path: str, *, prefix: bool = False) -> list[RecordedRequest]:
        return [r for r in self.requests if r.method == method.upper()
                and (r.path.startswith(path) if prefix else r.path == path)]

    def user_for_token(self, token: str) -> str | None:
        return self._tokens.get(token)

    def user_for_auth_header(self, header: str | None) -> str | None:
        if header and header.lower().startswith("bearer "):
            return self._tokens.get(header[7:].strip())
        return None

    def archive_channel(self, channel_id: str) -> None:
        """Archive a channel (Mattermost keeps it, with ``delete_at`` set; posting is refused)."""
        self.channels[channel_id]["delete_at"] = now_ms()

    def is_member(self, channel_id: str, user_id: str) -> bool:
        return user_id in self.members.get(channel_id, [])

    # -- fault injection ---------------------------------------------------------
    def fail_next(self, method: str, path_prefix: str, status: int = 500, *, times: int = 1,
                  retry_after: float = 1, after_processing: bool = False) -> None:
        """Answer the next ``times`` matching requests with ``status``.

        By default the request is *not* processed (what 429/503 mean); with
        ``after_processing`` the handler runs first and its answer is replaced —
        the dangerous case where a client sees an error for work that happened.
        """
        self._faults.append(_Rule(method.upper(), path_prefix, times, status, retry_after,
                                  after_processing=after_processing))

    def clear_faults(self) -> None:
        """Forget the faults ``fail_next`` still has queued."""
        self._faults.clear()

    def delay(self, method: str, path_prefix: str, seconds: float, *, times: int = 1) -> None:
        self._delays.append(_Rule(method.upper(), path_prefix, times, seconds=seconds))

    def serve_like(self, latency: float, in_flight: int | None = None) -> None:
        """Every REST call answers after ``latency`` seconds, at most ``in_flight`` at once
        (the rest wait their turn, as behind a busy server): for benchmarks."""
        self._latency = latency
        self._in_flight = asyncio.Semaphore(in_flight) if in_flight else None

    async def close_idle_connections(self) -> None:
        """Close every kept-alive connection, as a server or proxy does after an idle timeout."""
        server = self._runner.server if self._runner is not None else None
        for handler in list(server.connections if server is not None else []):
            handler.force_close()
        await asyncio.sleep(0.1)

    def connections(self) -> set[str]:
        """The client ends (``host:port``) of every TCP connection REST requests came on."""
        return {r.peer for r in self.requests if r.peer}

    # -- middleware ----------------------------------------------------------------
    @web.middleware
    async def _middleware(self, request: web.Request,
                          handler: Callable[..., Any]) -> web.StreamResponse:
        if request.path == f"{API}/websocket":
            return await handler(request)
        peer = request.transport.get_extra_info("peername") if request.transport else None
        rec = RecordedRequest(request.method, request.path, dict(request.query),
                              dict(request.headers), peer=f"{peer[0]}:{peer[1]}" if peer else "")
        self.requests.append(rec)
        if self._in_flight is not None:
            async with self._in_flight:
                return await self._serve(request, handler, rec)
        return await self._serve(request, handler, rec)

    async def _serve(self, request: web.Request, handler: Callable[..., Any],
                     rec: RecordedRequest) -> web.StreamResponse:
        if self._latency:
            await asyncio.sleep(self._latency)
        if not request.content_type.startswith("multipart/"):
            raw = await request.read()
            try:
                rec.body = json.loads(raw) if raw else None
            except ValueError:
                rec.body = raw.decode(errors="replace")
        request[RECORD] = rec
        for rule in self._delays:
            if rule.matches(request.method, request.path):
                rule.times -= 1
                await asyncio.sleep(rule.seconds)
                break
        fault = next((f for f in self._faults if f.matches(request.method, request.path)), None)
        if fault:
            fault.times -= 1
        resp: web.StreamResponse
        if fault and not fault.after_processing:
            resp = self._fault_response(fault)
        else:
            try:
                if not request.path.startswith("/hooks/"):
                    rec.user_id = request[USER] = self._authenticate(request)
                resp = await handler(request)
            except ApiError as e:
                resp = json_response(e.body(), e.status)
            except web.HTTPNotFound:
                resp = json_response(ApiError(404, "api.context.404.app_error",
                                              "Sorry, we could not find the page.").body(), 404)
            except web.HTTPMethodNotAllowed:
                resp = json_response(ApiError(405, "api.context.405.app_error",
                                              "Method not allowed.").body(), 405)
            if fault:
                resp = self._fault_response(fault)
        self._rate_headers(resp, fault)
        rec.status = resp.status
        return resp

    def _authenticate(self, request: web.Request) -> str:
        user = self.user_for_auth_header(request.headers.get("Authorization"))
        if user is None:
            raise ApiError(401, "api.context.session_expired.app_error",
                           "Invalid or expired session, please login again.", "token invalid")
        return user

    def _fault_response(self, fault: _Rule) -> web.Response:
        if fault.status == 429:  # the throttled middleware answers in plain text
            return web.Response(text="limit exceeded\n", status=429,
                                headers={"Retry-After": str(int(fault.retry_after)),
                                         "X-Content-Type-Options": "nosniff"})
        resp = json_response(ApiError(fault.status, "api.fake.injected_error",
                                      f"Injected {fault.status}.").body(), fault.status)
        if fault.status == 503:
            resp.headers["Retry-After"] = str(int(fault.retry_after))
        return resp

    def _rate_headers(self, resp: web.StreamResponse, fault: _Rule | None) -> None:
        second = int(time.time())
        used = self._window[1] + 1 if self._window[0] == second else 1
        self._window = (second, used)
        limited = fault is not None and fault.status == 429
        resp.headers["X-Ratelimit-Limit"] = str(self.rate_limit)
        remaining = 0 if limited else max(0, self.rate_limit - used)
        resp.headers["X-Ratelimit-Remaining"] = str(remaining)
        resp.headers["X-Ratelimit-Reset"] = str(int(fault.retry_after)) if limited else "1"
        resp.headers["X-Request-Id"] = new_id()
        resp.headers["X-Version-Id"] = "10.5.0.12345.fakehash.false"

    # -- helpers -------------------------------------------------------------------
    def _is_admin(self, user_id: str) -> bool:
        return "system_admin" in self.users.get(user_id, {}).get("roles", "")

    def _require_member(self, channel_id: str, user_id: str, perm: str) -> dict[str, Any]:
        chan = self.channels.get(channel_id)
        if chan is None or not (self.is_member(channel_id, user_id) or self._is_admin(user_id)):
            raise forbidden(perm)  # the server does not reveal whether the channel exists
        return chan

    @staticmethod
    def _body(request: web.Request, kind: type, name: str) -> Any:
        body = request[RECORD].body
        if not isinstance(body, kind):
            raise bad_body(name)
        return body

    def _post_or_404(self, post_id: str) -> dict[str, Any]:
        post = self.all_posts.get(post_id)
        if post is None or post["delete_at"]:
            raise ApiError(404, "app.post.get.app_error", "Unable to get the post.")
        return post

    def _store_post(self, data: dict[str, Any], user_id: str) -> dict[str, Any]:
        root_id = data.get("root_id") or ""
        if root_id:
            root = self.all_posts.get(root_id)
            if root is None or root["channel_id"] != data["channel_id"] or root["root_id"]:
                raise ApiError(400, "api.post.create_post.root_id.app_error",
                               "Invalid RootId parameter.")
        props = data.get("props") or {}
        if not isinstance(props, dict) or not isinstance(props.get("attachments", []), list):
            raise ApiError(400, "model.post.is_valid.props.app_error", "Invalid props.")
        if len(data.get("message") or "") > 16383:
            raise ApiError(400, "model.post.is_valid.msg.app_error", "Invalid Message.")
        for att in props.get("attachments", []):
            for action in (att or {}).get("actions") or []:
                action.setdefault("id", new_id()[:20])  # the server generates action ids
        file_ids = [f for f in data.get("file_ids") or [] if f in self.files  # others dropped
                    and self.files[f]["channel_id"] == data["channel_id"]
                    and not self.files[f]["post_id"]]
        ts = self.clock_ms()
        post = {"id": new_id(), "create_at": ts, "update_at": ts, "edit_at": 0, "delete_at": 0,
                "is_pinned": False, "user_id": user_id, "channel_id": data["channel_id"],
                "root_id": root_id, "original_id": "", "message": data.get("message") or "",
                "type": data.get("type") or "", "props": props, "hashtags": "",
                "file_ids": file_ids, "pending_post_id": data.get("pending_post_id") or "",
                "reply_count": 0, "last_reply_at": 0, "participants": None, "metadata": {}}
        for f in file_ids:
            self.files[f]["post_id"] = post["id"]
        self.all_posts[post["id"]] = post
        if root_id:
            self.all_posts[root_id]["reply_count"] += 1
            self.all_posts[root_id]["last_reply_at"] = ts
        chan = self.channels[post["channel_id"]]
        chan["last_post_at"], chan["total_msg_count"] = ts, chan["total_msg_count"] + 1
        return post

    async def _edited(self, post: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
        if "message" in changes and changes["message"] != post["message"]:
            post["edit_at"] = now_ms()
        for key in ("message", "props", "file_ids", "is_pinned"):
            if key in changes:
                post[key] = changes[key]
        post["update_at"] = now_ms()
        await self.hub.broadcast("post_edited", {"post": json.dumps(post)},
                                 channel_id=post["channel_id"])
        return post

    # -- handlers: users -----------------------------------------------------------
    async def _get_user(self, request: web.Request) -> web.Response:
        uid = request.match_info["user_id"]
        uid = request[USER] if uid == "me" else uid
        if uid not in self.users:
            raise ApiError(404, "app.user.missing_account.const", "Unable to find the user.")
        return json_response(self.users[uid])

    async def _deactivate_user(self, request: web.Request) -> web.Response:
        uid = request.match_info["user_id"]
        if not self._is_admin(request[USER]):
            raise forbidden("edit_other_users")
        if uid not in self.users:
            raise ApiError(404, "app.user.missing_account.const", "Unable to find the user.")
        self.deactivate_user(uid)
        return json_response({"status": "OK"})

    async def _get_users_by_ids(self, request: web.Request) -> web.Response:
        ids = self._body(request, list, "user_ids")
        if not ids or not all(isinstance(i, str) for i in ids):
            raise bad_body("user_ids")
        return json_response([self.users[i] for i in dict.fromkeys(ids) if i in self.users])

    async def _get_user_by_name(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        for user in self.users.values():
            if user["username"] == name:
                return json_response(user)
        raise ApiError(404, "app.user.get_by_username.app_error",
                       "Unable to find an existing account matching your username.")

    # -- handlers: posts -----------------------------------------------------------
    async def _create_post(self, request: web.Request) -> web.Response:
        data = self._body(request, dict, "post")
        if not isinstance(data.get("channel_id"), str) or not data["channel_id"]:
            raise bad_body("channel_id")
        channel = self._require_member(data["channel_id"], request[USER], "create_post")
        if channel.get("type") == "D":
            others = [u for u in str(channel.get("name", "")).split("__") if u != request[USER]]
            if any(self.users.get(u, {}).get("delete_at") for u in others):
                raise ApiError(403, "api.post.create_post.can_not_post_to_deactivated_user.error",
                               "Can not post to a deactivated user.")
        if channel["delete_at"]:
            raise ApiError(400, "api.post.create_post.can_not_post_to_deleted.error",
                           "Can not post to deleted channel.")
        post = self._store_post(data, request[USER])
        await self._emit_posted(post)
        return json_response(post, 201)

    async def _create_ephemeral(self, request: web.Request) -> web.Response:
        uid = request[USER]
        if not self._is_admin(uid):  # create_post_ephemeral: system admins only by default
            raise forbidden("create_post_ephemeral")
        data = self._body(request, dict, "ephemeral_post")
        post = data.get("post")
        if not data.get("user_id") or not isinstance(post, dict) or not post.get("channel_id"):
            raise bad_body("ephemeral_post")
        ts = now_ms()
        eph = {"id": new_id(), "create_at": ts, "update_at": ts, "edit_at": 0, "delete_at": 0,
               "user_id": uid, "channel_id": post["channel_id"], "root_id": post.get("root_id", ""),
               "message": post.get("message", ""), "type": "system_ephemeral",
               "props": post.get("props") or {}, "to_user_id": data["user_id"]}
        self.ephemeral_posts.append(eph)
        await self.hub.broadcast("ephemeral_message", {"post": json.dumps(eph)},
                                 user_id=data["user_id"])
        return json_response(eph, 201)

    async def _get_post(self, request: web.Request) -> web.Response:
        post = self._post_or_404(request.match_info["post_id"])
        self._require_member(post["channel_id"], request[USER], "read_channel")
        return json_response(post)

    async def _get_thread(self, request: web.Request) -> web.Response:
        post = self._post_or_404(request.match_info["post_id"])
        self._require_member(post["channel_id"], request[USER], "read_channel")
        posts = self.thread(post["root_id"] or post["id"])
        return json_response({"order": [p["id"] for p in posts],
                              "posts": {p["id"]: p for p in posts},
                              "next_post_id": "", "prev_post_id": "", "has_next": False})

    def _editable(self, request: web.Request) -> dict[str, Any]:
        post = self._post_or_404(request.match_info["post_id"])
        if post["user_id"] != request[USER] and not self._is_admin(request[USER]):
            raise forbidden("edit_others_posts")
        return post

    async def _update_post(self, request: web.Request) -> web.Response:
        data = self._body(request, dict, "post")
        if data.get("id") != request.match_info["post_id"]:
            raise bad_body("id")
        post = self._editable(request)
        changes = {"message": data.get("message", ""), "props": data.get("props") or {},
                   "file_ids": data.get("file_ids") or post["file_ids"],
                   "is_pinned": bool(data.get("is_pinned"))}
        return json_response(await self._edited(post, changes))

    async def _patch_post(self, request: web.Request) -> web.Response:
        data = self._body(request, dict, "patch")
        post = self._editable(request)
        return json_response(await self._edited(post, data))

    async def _delete_post(self, request: web.Request) -> web.Response:
        post = self._editable(request)
        post["delete_at"] = now_ms()
        await self.hub.broadcast("post_deleted", {"post": json.dumps(post)},
                                 channel_id=post["channel_id"])
        return json_response({"status": "OK"})

    # -- handlers: channels ----------------------------------------------------------
    async def _create_direct(self, request: web.Request) -> web.Response:
        ids = self._body(request, list, "user_ids")
        if len(ids) != 2 or not all(isinstance(i, str) and i for i in ids):
            raise bad_body("user_ids")
        uid = request[USER]
        if uid not in ids and not self._is_admin(uid):
            raise forbidden("manage_system")
        for i in ids:
            if i not in self.users:
                raise ApiError(400, "api.channel.create_direct_channel.invalid_user.app_error",
                               "Invalid user ID for direct channel creation.")
        return json_response(self.add_direct_channel(ids[0], ids[1]), 201)

    async def _get_team(self, request: web.Request) -> web.Response:
        """Like the server: a team is visible to its members (here: whoever is in one of its
        channels) and to system admins."""
        tid, uid = request.match_info["team_id"], request[USER]
        if tid not in self.teams:
            raise ApiError(404, "app.team.get.find.app_error", "We couldn't find the existing team.")
        in_team = any(c["team_id"] == tid and self.is_member(cid, uid) for cid, c in self.channels.items())
        if not in_team and not self._is_admin(uid):
            raise forbidden("view_team")
        return json_response(self.teams[tid])

    async def _get_channel(self, request: web.Request) -> web.Response:
        return json_response(self._require_member(request.match_info["channel_id"],
                                                  request[USER], "read_channel"))

    async def _get_channel_posts(self, request: web.Request) -> web.Response:
        """Newest first; ``since`` (ms) returns what was created or edited after it, unpaged, at
        most ``since_limit`` posts (1000, as the v4 reference says); pages of at most 200."""
        cid = request.match_info["channel_id"]
        self._require_member(cid, request[USER], "read_channel")
        posts = sorted(self.posts(cid), key=lambda p: p["create_at"], reverse=True)
        if "since" in request.query:  # at most since_limit posts, the newest by create time (the API's cap)
            since = int(request.query["since"])
            posts = [p for p in posts if max(p["create_at"], p["update_at"]) > since][:self.since_limit]
        else:
            page, per_page = int(request.query.get("page", 0)), min(int(request.query.get("per_page", 60)), 200)
            posts = posts[page * per_page:(page + 1) * per_page]
        return json_response({"order": [p["id"] for p in posts], "posts": {p["id"]: p for p in posts},
                              "next_post_id": "", "prev_post_id": "", "has_next": False})

    async def _get_member(self, request: web.Request) -> web.Response:
        cid, uid = request.match_info["channel_id"], request.match_info["user_id"]
        self._require_member(cid, request[USER], "read_channel")
        if not self.is_member(cid, uid):
            raise ApiError(404, "app.channel.get_member.missing.app_error", "No channel member found for that user ID and channel ID.")
        return json_response({"channel_id": cid, "user_id": uid, "roles": "channel_user", "last_viewed_at": 0,
                              "msg_count": 0, "mention_count": 0, "last_update_at": now_ms()})

    async def _get_my_channels(self, request: web.Request) -> web.Response:
        """Every channel of every team the user is in, DMs included (server 6.1+)."""
        uid = request.match_info["user_id"]
        uid = request[USER] if uid == "me" else uid
        if uid != request[USER] and not self._is_admin(request[USER]):
            raise forbidden("edit_other_users")
        deleted = str(request.query.get("include_deleted", "false")).lower() == "true"
        return json_response([c for cid, c in self.channels.items()
                              if self.is_member(cid, uid) and (deleted or not c["delete_at"])])

    async def _get_members(self, request: web.Request) -> web.Response:
        cid = request.match_info["channel_id"]
        self._require_member(cid, request[USER], "read_channel")
        try:
            page = int(request.query.get("page", 0))
            per_page = int(request.query.get("per_page", 60))
        except ValueError as e:
            raise ApiError(400, "api.context.invalid_url_param.app_error",
                           "Invalid or missing page/per_page parameter in request URL.") from e
        if page < 0 or per_page < 0:
            raise ApiError(400, "api.context.invalid_url_param.app_error", "Invalid paging.")
        per_page = min(per_page, 200)  # the server silently caps per_page at 200
        chunk = self.members[cid][page * per_page:(page + 1) * per_page]
        return json_response([{"channel_id": cid, "user_id": u, "roles": "channel_user",
                               "last_viewed_at": 0, "msg_count": 0, "mention_count": 0,
                               "notify_props": {"desktop": "default", "mark_unread": "all"},
                               "last_update_at": now_ms(), "scheme_user": True,
                               "scheme_admin": False} for u in chunk])

    # -- handlers: files ---------------------------------------------------------------
    async def _upload_file(self, request: web.Request) -> web.Response:
        if not request.content_type.startswith("multipart/"):
            raise ApiError(400, "api.file.upload_file.incorrect_content_type.app_error",
                           "Unable to upload file(s). Unsupported Content-Type.")
        channel_id, uploads = request.query.get("channel_id", ""), []
        async for part in await request.multipart():
            if part.name == "channel_id":
                channel_id = (await part.text()).strip()  # type: ignore[union-attr]
            elif part.name == "files":
                uploads.append((part.filename or "file", await part.read()))  # type: ignore[union-attr]
        request[RECORD].body = {"channel_id": channel_id, "files": [n for n, _ in uploads]}
        if not channel_id:
            raise bad_body("channel_id")
        if not uploads:
            raise ApiError(400, "api.file.upload_file.no_files.app_error", "No files uploaded.")
        self._require_member(channel_id, request[USER], "upload_file")
        infos = []
        for name, content in uploads:
            fid, ext = new_id(), name.rsplit(".", 1)[-1].lower() if "." in name else ""
            info = {"id": fid, "user_id": request[USER], "channel_id": channel_id,
                    "post_id": "", "create_at": now_ms(), "update_at": now_ms(), "delete_at": 0,
                    "name": name, "extension": ext, "size": len(content),
                    "mime_type": "text/plain" if ext in ("txt", "md", "csv")
                    else "application/octet-stream",
                    "width": 0, "height": 0, "has_preview_image": False, "mini_preview": None}
            self.files[fid], self.file_contents[fid] = info, content
            infos.append(info)
        return json_response({"file_infos": infos, "client_ids": []}, 201)
