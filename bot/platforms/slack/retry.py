"""Slack Web API calls: slack_sdk's client with our retry rules, and what Slack's refusals mean.

The delivery rules (which calls are retried, and why a post never is once it may have
landed) are in bot/platforms/slack/client.py's docstring. In: slack_sdk requests and
errors; out: a client, seconds to wait, and `PlatformTrouble` / `Unreachable` for
answers that need a person.
"""

from __future__ import annotations

import logging
import random

import aiohttp
from aiohttp import ClientConnectorError
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient

from bot.metrics import Metrics
from bot.platform import PlatformTrouble, Unreachable

MAY_LAND_TWICE = ("chat.postMessage", "chat.postEphemeral", "files.completeUploadExternal")
PACED_BY_US = ("chat.postMessage",)  # their 429s are waited out by `SlackPlatform`, outside any slot
RATE_LIMIT_RETRIES = 30  # a 429 means nothing landed: waiting it out is always safe
OTHER_RETRIES = 3


def _method(request: HttpRequest) -> str:
    return request.url.rstrip("/").rsplit("/", 1)[-1]


def _may_land_twice(request: HttpRequest) -> bool:
    return _method(request) in MAY_LAND_TWICE


class _RateLimitRetry(AsyncRateLimitErrorRetryHandler):
    """429s waited out inside the SDK call, except for posts (see `SlackPlatform._send_post`)."""

    def __init__(self, metrics: Metrics, max_retry_count: int) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.metrics = metrics

    async def _can_retry_async(self, *, state: RetryState, request: HttpRequest,
                               response: HttpResponse | None = None, error: Exception | None = None) -> bool:
        refused = response is not None and response.status_code == 429
        if refused:
            self.metrics.refused("slack")
        if _method(request) in PACED_BY_US:
            return False
        if refused:
            self.metrics.retried("slack", "429")
        return refused


class _ServerErrorRetry(AsyncServerErrorRetryHandler):
    """5xx retries; for posts only a 503, which says the request was not taken."""

    def __init__(self, metrics: Metrics, max_retry_count: int) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.metrics = metrics

    async def _can_retry_async(self, *, state: RetryState, request: HttpRequest,
                               response: HttpResponse | None = None, error: Exception | None = None) -> bool:
        if _may_land_twice(request) and (response is None or response.status_code != 503):
            return False
        again = await super()._can_retry_async(state=state, request=request, response=response, error=error)
        if again and response is not None:
            self.metrics.retried("slack", str(response.status_code))
        return again


class _ConnectionErrorRetry(AsyncConnectionErrorRetryHandler):
    """Connection retries; for posts only when the connection was never opened."""

    def __init__(self, metrics: Metrics, max_retry_count: int) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.metrics = metrics

    async def _can_retry_async(self, *, state: RetryState, request: HttpRequest,
                               response: HttpResponse | None = None, error: Exception | None = None) -> bool:
        if _may_land_twice(request):
            again = isinstance(error, ClientConnectorError)
        else:
            again = await super()._can_retry_async(state=state, request=request, response=response, error=error)
        if again:
            self.metrics.retried("slack", "connection")
        return again


def retry_handlers(metrics: Metrics | None = None) -> list[AsyncRetryHandler]:
    metrics = metrics or Metrics()
    return [_RateLimitRetry(metrics, RATE_LIMIT_RETRIES),
            _ServerErrorRetry(metrics, OTHER_RETRIES),
            _ConnectionErrorRetry(metrics, OTHER_RETRIES)]


# The logger the client is given. slack_sdk writes out every request and response (the whole
# message: what people wrote) for its debug log whenever its logger's own level is not above
# debug, and a library logger's level is unset (0) unless someone sets it; ritualbot never shows
# those lines (`bot/logsetup.py`: the chat libraries stay at warning, even with -v). Formatting
# them was about 4 % of the bot's CPU in a 10,000-team fan-out (issue 9). A logger under
# `slack_sdk`, so `QuietLibraries` still applies to whatever it logs.
SDK_LOG = "slack_sdk.web.ritualbot"


def sdk_logger() -> logging.Logger:
    """The slack_sdk client's logger: warnings and errors only."""
    logger = logging.getLogger(SDK_LOG)
    logger.setLevel(logging.WARNING)
    return logger


def make_client(token: str, base_url: str, timeout: int = 30, metrics: Metrics | None = None,
                connections: int | None = None) -> AsyncWebClient:
    """slack_sdk's client with our retry rules and a logger that writes no request down
    (`sdk_logger`). With `connections` (call it inside the running
    event loop), its requests share one aiohttp session of at most that many kept-alive
    connections; without, slack_sdk opens a new session, and connection, per request."""
    session = None
    if connections is not None:
        session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=connections),
                                        timeout=aiohttp.ClientTimeout(total=timeout))  # slack_sdk's own is unused then
    return AsyncWebClient(token=token, base_url=base_url, timeout=timeout, retry_handlers=retry_handlers(metrics),
                          session=session, logger=sdk_logger())


def retry_after(exc: SlackApiError) -> float:
    """Seconds Slack asked us to wait (`Retry-After`, default 1), plus up to a second of jitter
    so that many refused posts do not come back in one burst."""
    headers = getattr(exc.response, "headers", None) or {}
    hinted = next((value for key, value in headers.items() if str(key).lower() == "retry-after"), None)
    if isinstance(hinted, list):
        hinted = hinted[0] if hinted else None
    try:
        seconds = float(hinted) if hinted is not None else 1.0
    except ValueError:
        seconds = 1.0
    return max(0.0, seconds) + random.random()


def refused_before_acting(exc: Exception) -> bool:
    """429 and 503 (after the retries), or a connection never opened: Slack did nothing."""
    if isinstance(exc, ClientConnectorError):
        return True
    status = getattr(getattr(exc, "response", None), "status_code", None)
    return status in (429, 503)

TROUBLE = {"not_in_channel": "not_in_channel", "channel_not_found": "channel_gone", "is_archived": "channel_archived",
           "missing_scope": "missing_scope", "invalid_auth": "bad_token", "not_authed": "bad_token",
           "account_inactive": "bad_token", "token_revoked": "bad_token", "token_expired": "bad_token"}


def raise_trouble(exc: Exception, where: str) -> None:
    """Turn Slack's answers that need a person (not in channel, archived, scope, token) into PlatformTrouble."""
    if not isinstance(exc, SlackApiError):
        return
    error = str(exc.response.get("error") or "")
    if error in TROUBLE:
        raise PlatformTrouble(TROUBLE[error], where, str(exc.response.get("needed") or error)) from exc


def describe(exc: Exception) -> str:
    status = getattr(getattr(exc, "response", None), "status_code", None)
    return f"HTTP {status}" if status else type(exc).__name__


UNREACHABLE = ("user_disabled", "user_not_found", "user_not_visible", "cannot_dm_bot")


def error_code(exc: SlackApiError) -> str:
    return str((exc.response.data or {}).get("error", "")) if exc.response is not None else ""


def raise_if_unreachable(user_id: str, exc: SlackApiError) -> None:
    """A refusal because of who the DM is for becomes `Unreachable` (issue 12)."""
    if error_code(exc) in UNREACHABLE:
        raise Unreachable(user_id, error_code(exc)) from exc

