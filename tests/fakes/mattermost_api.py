"""A local fake Mattermost API v4 server (real HTTP/HTTPS + websocket on 127.0.0.1).

Why a fake and not mocks: the bot talks to Mattermost through mattermostdriver
(requests + websockets), so tests should exercise real sockets, real headers and
the server's real quirks (exact ``application/json`` content type, JSON error
bodies, plain-text 429 bodies, rate-limit headers, stringified ``data.post``).
Shapes follow /work/shared/specs/mattermost-v4 and the server source where the
spec is silent.  Deliberate deviations are listed in ``FakeMattermost``'s doc.

``FakeMattermost`` is put together from one mixin per job: the model
(``mattermost_model``), the request path with faults and limits (``mattermost_http``),
the REST endpoints by family (``mattermost_posts``, ``mattermost_channels``,
``mattermost_users``, ``mattermost_files``) and what the server pushes to the bot
(``mattermost_ws``). Every name tests import stays importable from here.
"""

from __future__ import annotations

import asyncio
import os
import ssl
import tempfile
from collections.abc import Callable
from typing import Any

from aiohttp import web

from .mattermost_channels import ChannelsHandlers
from .mattermost_files import FilesHandlers
from .mattermost_http import MattermostHttp, RecordedRequest, _Rule
from .mattermost_kit import API
from .mattermost_posts import PostsHandlers
from .mattermost_users import UsersHandlers
from .mattermost_ws import RECORD as RECORD
from .mattermost_ws import USER as USER
from .mattermost_ws import ApiError as ApiError
from .mattermost_ws import (
    IntegrationPushMixin,
    IntegrationResponse,
    WebsocketHub,
    new_id,
    now_ms,
    validate_dialog,
)
from .mattermost_ws import bad_body as bad_body
from .mattermost_ws import forbidden as forbidden
from .mattermost_ws import json_response as json_response

__all__ = ["FakeMattermost", "IntegrationResponse", "RecordedRequest", "validate_dialog"]


class FakeMattermost(IntegrationPushMixin, MattermostHttp, PostsHandlers, ChannelsHandlers, UsersHandlers,
                     FilesHandlers):
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
