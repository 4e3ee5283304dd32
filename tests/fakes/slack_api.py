"""A local, real-HTTP fake of the Slack Web API and Socket Mode for tests.

Why: the Slack adapter must be tested through the real slack_sdk / slack-bolt code
paths (retry handlers, socket reconnects, files_upload_v2), which a mock of the SDK
would skip. The fake listens on 127.0.0.1, checks tokens and required arguments the
way Slack does, keeps a tiny model of what the team SAW, and can inject faults.

    async with FakeSlack() as slack:
        client = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url)

``FakeSlack`` is put together from one mixin per job: the workspace model
(``slack_workspace``), the request path with faults and limits (``slack_transport``),
and one module per Web API family (``slack_chat``, ``slack_conversations``,
``slack_users``, ``slack_views``, ``slack_files``). Every name tests import stays
importable from here.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict, deque
from collections.abc import Callable
from typing import Any

from aiohttp import web

from .slack_chat import ChatMethods
from .slack_conversations import ConversationsMethods
from .slack_files import FilesMethods
from .slack_model import _ALNUM as _ALNUM
from .slack_model import ALL_SCOPES, UPLOAD, Call, Message, ResponsePost, _Channel, _Fault
from .slack_model import MARKER_TYPE as MARKER_TYPE
from .slack_model import MAX_TEXT as MAX_TEXT
from .slack_model import NEEDS as NEEDS
from .slack_model import _MissingScope as _MissingScope
from .slack_model import _rand_id as _rand_id
from .slack_model import _truthy as _truthy
from .slack_socket import (
    APP_ID,
    BOT_ID,
    BOT_USER_ID,
    TEAM_ID,
    SlackError,
    SocketModeHub,
    app_home_opened_event,
    block_actions_payload,
    event_callback,
    interactive_body,
    sign_request,
    slash_command_body,
    slash_command_payload,
    validate_blocks,
    view_object,
    view_submission_payload,
    wait_until,
)
from .slack_socket import TEAM_DOMAIN as TEAM_DOMAIN
from .slack_socket import _bad as _bad
from .slack_socket import _json_arg as _json_arg
from .slack_socket import new_trigger_id as new_trigger_id
from .slack_socket import validate_view as validate_view
from .slack_users import UsersMethods
from .slack_views import ViewsMethods

__all__ = [
    "FakeSlack", "Call", "Message", "ResponsePost", "SlackError", "UPLOAD",
    "sign_request", "slash_command_body", "slash_command_payload", "block_actions_payload",
    "view_submission_payload", "interactive_body", "app_home_opened_event", "event_callback",
    "validate_blocks", "view_object", "wait_until", "TEAM_ID", "APP_ID", "BOT_USER_ID", "BOT_ID",
]  # fmt: skip


class FakeSlack(ChatMethods, ConversationsMethods, UsersMethods, ViewsMethods, FilesMethods):
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

    # ------------------------------------------------------------ Socket Mode

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

    async def _connections_open(self, a: dict[str, Any]) -> dict[str, Any]:
        ticket = self.socket.issue_ticket()
        ws_base = self.base_url.replace("http://", "ws://")
        return {"url": f"{ws_base}/socket?ticket={ticket}&app_id={APP_ID}"}
