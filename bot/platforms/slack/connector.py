"""The Slack connector: slack-bolt's AsyncApp over Socket Mode or HTTP, feeding the core.

Raw Slack payloads become `CommandRequest`, `ActionRequest` and `FormSubmission` here
and nowhere else. Slack wants an answer within three seconds, so commands and clicks
are acknowledged first and dispatched after; a modal submission is dispatched before
its answer, because the core's validation errors must show in the modal itself.

Environment:
- `SLACK_BOT_TOKEN` (required; without it this adapter is off)
- `SLACK_APP_TOKEN`: Socket Mode; without it, HTTP mode on `POST /slack/events`
- `SLACK_SIGNING_SECRET`: required in HTTP mode; forged or stale requests get 401
- `SLACK_API_URL`: the Web API base URL (default Slack's own)
"""

from __future__ import annotations

import logging
import re
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp, AsyncRespond
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_bolt.response import BoltResponse
from slack_sdk.signature import SignatureVerifier

from bot.config import AppConfig, ConfigError
from bot.lanes import INTERACTIONS, in_lane
from bot.metrics import Metrics
from bot.once import delivery
from bot.platforms.slack.client import SlackPlatform, remember
from bot.platforms.slack.home import HOME_PREFIX
from bot.platforms.slack.inbound import Inbound, slack_payload
from bot.platforms.slack.pacer import INTERACTION_SLOTS
from bot.platforms.slack.render import modal_errors
from bot.platforms.slack.retry import make_client
from bot.platforms.slack.token_check import TokenCheck
from bot.ports import BotPort
from bot.store import DatabaseBusy, Store
from bot.store.waits import brief_waits

log = logging.getLogger("ritualbot.slack")

DEFAULT_API_URL = "https://slack.com/api/"
EVENTS_PATH = "/slack/events"


class _ClientTokenIsMeant(logging.Filter):
    """slack-bolt reads SLACK_BOT_TOKEN from the environment even when it is given a client, and
    then warns at every start that it uses the client's token instead: what the bot asks of it
    (the client is the bot's own, with its retries and metrics). Only that warning is dropped."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.msg != warning_client_prioritized_and_token_skipped()


def bolt_logger() -> logging.Logger:
    """The logger slack-bolt logs to for this app (bot/logsafe.py keeps content out of it)."""
    logger = logging.getLogger("slack_bolt.ritualbot")
    if not any(isinstance(f, _ClientTokenIsMeant) for f in logger.filters):
        logger.addFilter(_ClientTokenIsMeant())
    return logger


class SlackConnector:
    """Owns the bolt app, its transport (socket or HTTP) and the `SlackPlatform`."""

    def __init__(self, platform: SlackPlatform, config: AppConfig, *, app_token: str | None = None,
                 signing_secret: str | None = None, store: Store | None = None) -> None:
        if app_token is None and not signing_secret:
            raise ConfigError(["environment: SLACK_SIGNING_SECRET is required in HTTP mode (no SLACK_APP_TOKEN set); "
                               "find it under Basic Information in your Slack app's settings"])
        self.platform = platform
        self.config = config
        self.app_token = app_token
        self.bot: BotPort | None = None
        self.seen_events: OrderedDict[str, None] = OrderedDict()
        self.store = store
        self._socket: AsyncSocketModeHandler | None = None
        self._verifier = SignatureVerifier(signing_secret) if signing_secret else None  # HTTP mode
        self.token_check = TokenCheck(platform, lambda user, channel: self.inbound.language(user, None, channel),
                                      config.language)
        self.app = AsyncApp(client=platform.client, signing_secret=signing_secret or "",
                            request_verification_enabled=app_token is None, name="ritualbot",
                            logger=bolt_logger(), before_authorize=self.token_check.before_authorize)
        self.app.middleware(self._deduplicate_events)
        self.app.command(f"/{config.command}")(self._on_command)
        self.app.action(re.compile(".*"))(self._on_action)
        self.app.view_submission(re.compile(".*"))(self._on_view_submission)
        self.app.view_closed(re.compile(".*"))(self._ack_only)
        self.app.event("app_home_opened")(self._on_home_opened)
        self.inbound = Inbound(platform, config, self._bot)

    def _bot(self) -> BotPort:
        if self.bot is None:
            raise RuntimeError("the Slack connector is not started")
        return self.bot

    @property
    def socket_mode(self) -> bool:
        return self.app_token is not None

    # lifecycle --------------------------------------------------------------------------------

    async def health(self) -> str:
        if self.platform.token_refused:
            return "token refused"  # as at start-up (`bot/runner.py`): every post fails until a new token
        if not self.socket_mode:
            return "listening"  # Slack calls /slack/events; nothing to keep open
        sock = None if self._socket is None else self._socket.client  # the websocket, not the Web API
        return "connected" if sock is not None and await sock.is_connected() else "connecting"

    async def start(self, bot: BotPort) -> None:
        self.bot = bot
        auth = await self.platform.client.auth_test()
        self.platform.bot_user_id = auth.get("user_id")
        if self.app_token is not None:
            if self._socket is not None:  # a previous try that failed half-way (start is retried)
                await self._socket.close_async()
            # Ask for the socket URL here: a refused app token then raises to the runner, which says
            # what to fix, instead of inside slack_sdk's reconnect loop (retried forever, with tracebacks).
            opened = await self.platform.client.apps_connections_open(app_token=self.app_token)
            self._socket = AsyncSocketModeHandler(
                self.app, self.app_token,
                # The library's own logger name: its debug records hold whole payloads (bot/logsafe.py).
                logger=logging.getLogger("slack_sdk.socket_mode.ritualbot"))
            self._socket.client.wss_uri = str(opened["url"])
            await self._socket.connect_async()
            log.info("slack: connected over Socket Mode as %s", auth.get("user"))
        else:
            log.info("slack: HTTP mode, Slack must reach POST %s", EVENTS_PATH)

    async def stop(self) -> None:
        if self._socket is not None:
            await self._socket.close_async()
            self._socket = None
        await self.inbound.background.drain(10)  # answers already under way get a moment to finish
        self.bot = None
        await self.platform.close()

    def routes(self) -> list[web.RouteDef]:
        """HTTP mode: events, slash commands and interactivity on one signed URL."""
        if self.socket_mode:
            return []

        async def events(request: web.Request) -> web.Response:
            # slack-bolt parses the body before it checks the signature and answers a body
            # it cannot parse with a 500 and a traceback: check the signature first, then
            # the body's shape, and refuse what is no Slack payload with 400 and one line.
            raw = await request.read()
            if not self._signed(raw, dict(request.headers)):
                return web.Response(status=401)
            try:
                body: str | None = raw.decode(request.charset or "utf-8")
            except (UnicodeDecodeError, LookupError):  # no text: aiohttp would answer 500
                body = None
            if body is None or not slack_payload(body, request.content_type):
                log.warning("slack: a signed request to %s whose body is no Slack payload was refused (400)", EVENTS_PATH)
                return web.Response(status=400)
            return await to_aiohttp_response(await self.app.async_dispatch(await to_bolt_request(request)))

        return [web.post(EVENTS_PATH, events)]

    def _signed(self, body: bytes, headers: dict[str, str]) -> bool:
        """Whether Slack signed this request within five minutes. A timestamp header that is no
        whole number is refused like a forged signature (slack_sdk raises on it: a 500 otherwise)."""
        if self._verifier is None:
            return False
        try:
            return self._verifier.is_valid_request(body, headers)
        except (ValueError, OverflowError):
            return False

    # bolt listeners (bolt injects their arguments by name) ------------------------------------

    async def _deduplicate_events(self, body: dict[str, Any], next: Callable[[], Awaitable[None]]) -> BoltResponse | None:
        """Slack retries an event it thinks we missed (`X-Slack-Retry-Num`), maybe to another
        replica: one event id is handled once, across replicas (keyed in the database)."""
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id:
            if event_id in self.seen_events or not await self._first_arrival(str(event_id)):
                log.info("slack: event %s delivered again, already handled", event_id)
                return BoltResponse(status=200, body="")
            remember(self.seen_events, event_id, None)
        await next()
        return None

    async def _first_arrival(self, event_id: str) -> bool:
        if self.store is None:
            return True
        arrival = delivery("slack", "event", event_id)
        now = datetime.now(UTC)
        try:
            with brief_waits():
                return await self.store.claim_request(arrival.key, now, now + arrival.window)
        except DatabaseBusy:  # an event (App Home) is safe to handle twice; better than not at all
            return True

    async def _ack_only(self, ack: Callable[..., Awaitable[None]]) -> None:
        await ack()

    # A person waits on each of these: their calls use the interactions' lane (bot.lanes).

    async def _on_command(self, ack: Callable[..., Awaitable[None]], body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        with in_lane(INTERACTIONS):
            await self.inbound.command(body, respond)

    async def _on_action(self, ack: Callable[..., Awaitable[None]], body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        action = body["actions"][0]
        with in_lane(INTERACTIONS):
            if str(action.get("action_id", "")).startswith(HOME_PREFIX):
                await self.inbound.home_action(body)
            else:
                await self.inbound.action(body, respond)

    async def _on_view_submission(self, ack: Callable[..., Awaitable[None]], body: dict[str, Any]) -> None:
        view = body["view"]
        with in_lane(INTERACTIONS):
            result = await self.inbound.submit(body)
        if result:
            await ack(response_action="errors", errors=modal_errors(view, result))
        else:
            await ack()

    async def _on_home_opened(self, event: dict[str, Any]) -> None:
        if event.get("tab") == "home":
            with in_lane(INTERACTIONS):
                await self.inbound.publish_home(event["user"])


async def connector_from_env(env: Mapping[str, str], config: AppConfig, store: Store,
                             metrics: Metrics | None = None) -> SlackConnector | None:
    """The Slack connector, or None when `SLACK_BOT_TOKEN` is not set; it reports to `metrics`."""
    token = env.get("SLACK_BOT_TOKEN", "").strip()
    if not token:
        return None
    api_url = env.get("SLACK_API_URL", "").strip() or DEFAULT_API_URL
    if not api_url.endswith("/"):
        api_url += "/"
    metrics = metrics or Metrics()
    connections = config.max_concurrent_posts + INTERACTION_SLOTS + 4  # every slot, plus bolt's own calls
    platform = SlackPlatform(make_client(token, api_url, metrics=metrics, connections=connections),
                             max_concurrent=config.max_concurrent_posts,
                             metrics=metrics)
    return SlackConnector(platform, config, app_token=env.get("SLACK_APP_TOKEN", "").strip() or None,
                          signing_secret=env.get("SLACK_SIGNING_SECRET", "").strip() or None, store=store)

