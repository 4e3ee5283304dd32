"""The Slack `ChatPlatform`: posting, DMs, modals, members and locales over the Web API.

Delivery rules, because people share mistakes and dilemmas through this bot:
- Rejected requests are retried with backoff: HTTP 429 (Slack refused it, nothing
  landed; we wait `Retry-After`), HTTP 503 (the service did not take the request) and a
  connection that could not even be opened.
- A request that may have landed is never retried when repeating it would post again:
  chat.postMessage, chat.postEphemeral and files.completeUploadExternal are not retried
  on a 500/502/504, a timeout or a connection dropped mid-request. Such a post fails loudly
  (the engine marks the firing failed; a form shows the error and keeps the text)
  instead of appearing twice. Idempotent calls (users.info, conversations.*, chat.update,
  views.*) are retried on those errors too.
- Posts to one channel are paced at about one per second (Slack's documented limit)
  with a per-channel lock, and a semaphore bounds how many calls run at once when
  hundreds of teams fire in the same minute.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

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

from bot.messages import Form, ImageFile, Message, MessageRef
from bot.platform import NotDelivered, PlatformTrouble, Unreachable
from bot.platforms.ids import checked_user
from bot.platforms.slack_render import SlackLimitError, SlackMessage, render_form, render_message

log = logging.getLogger("ritualbot.slack")

MAY_LAND_TWICE = ("chat.postMessage", "chat.postEphemeral", "files.completeUploadExternal")
RATE_LIMIT_RETRIES = 30  # a 429 means nothing landed: waiting it out is always safe
OTHER_RETRIES = 3
USER_CACHE_SECONDS = 3600.0
REMEMBERED = 5000  # triggers, views and event ids kept in memory


def remember(store: OrderedDict[str, Any], key: str, value: Any) -> None:
    """Keep `key` in a bounded, oldest-first map."""
    store[key] = value
    store.move_to_end(key)
    while len(store) > REMEMBERED:
        store.popitem(last=False)


def _may_land_twice(request: HttpRequest) -> bool:
    return request.url.rstrip("/").rsplit("/", 1)[-1] in MAY_LAND_TWICE


class _ServerErrorRetry(AsyncServerErrorRetryHandler):
    """5xx retries; for posts only a 503, which says the request was not taken."""

    async def _can_retry_async(self, *, state: RetryState, request: HttpRequest,
                               response: HttpResponse | None = None, error: Exception | None = None) -> bool:
        if _may_land_twice(request) and (response is None or response.status_code != 503):
            return False
        return await super()._can_retry_async(state=state, request=request, response=response, error=error)


class _ConnectionErrorRetry(AsyncConnectionErrorRetryHandler):
    """Connection retries; for posts only when the connection was never opened."""

    async def _can_retry_async(self, *, state: RetryState, request: HttpRequest,
                               response: HttpResponse | None = None, error: Exception | None = None) -> bool:
        if _may_land_twice(request):
            return isinstance(error, ClientConnectorError)
        return await super()._can_retry_async(state=state, request=request, response=response, error=error)


def retry_handlers() -> list[AsyncRetryHandler]:
    return [AsyncRateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
            _ServerErrorRetry(max_retry_count=OTHER_RETRIES),
            _ConnectionErrorRetry(max_retry_count=OTHER_RETRIES)]


def make_client(token: str, base_url: str, timeout: int = 30) -> AsyncWebClient:
    return AsyncWebClient(token=token, base_url=base_url, timeout=timeout, retry_handlers=retry_handlers())


def refused_before_acting(exc: Exception) -> bool:
    """429 and 503 (after the retries), or a connection never opened: Slack did nothing."""
    if isinstance(exc, ClientConnectorError):
        return True
    status = getattr(getattr(exc, "response", None), "status_code", None)
    return status in (429, 503)


MARKER_EVENT = "ritualbot_firing"  # metadata event type of a firing's posts
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


def _error(exc: SlackApiError) -> str:
    return str((exc.response.data or {}).get("error", "")) if exc.response is not None else ""


def _raise_if_unreachable(user_id: str, exc: SlackApiError) -> None:
    """A refusal because of who the DM is for becomes `Unreachable` (issue 12)."""
    if _error(exc) in UNREACHABLE:
        raise Unreachable(user_id, _error(exc)) from exc


class Pacer:
    """At most one post per `interval` per channel, and at most `limit` calls at once."""

    def __init__(self, interval: float, limit: int) -> None:
        self.interval = interval
        self._slots = asyncio.Semaphore(limit)
        self._locks: dict[str, asyncio.Lock] = {}
        self._last: dict[str, float] = {}

    @asynccontextmanager
    async def channel(self, channel: str) -> AsyncIterator[None]:
        lock = self._locks.setdefault(channel, asyncio.Lock())
        async with lock:
            wait = self._last.get(channel, -1e9) + self.interval - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            try:
                async with self._slots:
                    yield
            finally:
                self._last[channel] = time.monotonic()

    @asynccontextmanager
    async def call(self) -> AsyncIterator[None]:
        async with self._slots:
            yield


class SlackPlatform:
    """`ChatPlatform` over slack_sdk's AsyncWebClient."""

    name = "slack"

    def __init__(self, client: AsyncWebClient, *, post_interval: float = 1.0, max_concurrent: int = 16) -> None:
        self.client = client
        self.pacer = Pacer(post_interval, max_concurrent)
        self._dm_channels: dict[str, str] = {}
        self._users: dict[str, tuple[float, dict[str, Any]]] = {}
        self.bot_user_id: str | None = None
        self.trigger_channels: OrderedDict[str, str] = OrderedDict()
        self.view_channels: OrderedDict[str, str] = OrderedDict()

    # posting ------------------------------------------------------------------------------

    async def _post_chunks(self, channel: str, chunks: list[SlackMessage], thread_ts: str | None,
                           marker: str | None = None) -> MessageRef:
        first: MessageRef | None = None
        # The firing's marker travels as message metadata (invisible to people), so a replica
        # taking over a dead one's firing can find the post in the channel's history.
        metadata = None if marker is None else {"event_type": MARKER_EVENT, "event_payload": {"marker": marker}}
        for chunk in chunks:
            async with self.pacer.channel(channel):
                try:
                    resp = await self.client.chat_postMessage(channel=channel, text=chunk.text, blocks=chunk.blocks,
                                                              thread_ts=thread_ts, unfurl_links=False,
                                                              unfurl_media=False, metadata=metadata)
                except (SlackApiError, ClientConnectorError) as exc:
                    if first is None and refused_before_acting(exc):
                        raise NotDelivered(f"Slack did not take the post ({describe(exc)})") from exc
                    if first is None:
                        raise_trouble(exc, channel)
                    raise
            if first is None:
                first = MessageRef(channel=resp["channel"], id=resp["ts"], thread_id=thread_ts)
        assert first is not None
        return first

    async def post(self, channel: str, message: Message, *, thread: MessageRef | None = None) -> MessageRef:
        thread_ts = None if thread is None else (thread.thread_id or thread.id)
        return await self._post_chunks(channel, render_message(message), thread_ts, message.marker)

    async def dm_channel(self, user_id: str) -> str:
        checked_user(self.name, user_id)
        if user_id not in self._dm_channels:
            async with self.pacer.call():
                try:
                    resp = await self.client.conversations_open(users=user_id)
                except SlackApiError as exc:
                    _raise_if_unreachable(user_id, exc)
                    raise_trouble(exc, "@" + user_id)
                    raise
            self._dm_channels[user_id] = resp["channel"]["id"]
        return self._dm_channels[user_id]

    async def send_dm(self, user_id: str, message: Message) -> MessageRef:
        try:
            return await self._post_chunks(await self.dm_channel(user_id), render_message(message), None,
                                           message.marker)
        except SlackApiError as exc:
            _raise_if_unreachable(user_id, exc)
            raise

    async def post_ephemeral(self, channel: str, user_id: str, message: Message) -> None:
        for chunk in render_message(message):
            await self.ephemeral_chunk(channel, user_id, chunk)

    async def ephemeral_chunk(self, channel: str, user_id: str, chunk: SlackMessage) -> None:
        async with self.pacer.call():
            await self.client.chat_postEphemeral(channel=channel, user=user_id, text=chunk.text, blocks=chunk.blocks)

    async def dm_chunk(self, user_id: str, chunk: SlackMessage) -> None:
        await self._post_chunks(await self.dm_channel(user_id), [chunk], None)

    async def update(self, ref: MessageRef, message: Message) -> None:
        chunks = render_message(message)
        if len(chunks) > 1:
            raise SlackLimitError("the new version of this message is too long for one Slack message; "
                                  "it was not changed")
        async with self.pacer.call():
            await self.client.chat_update(channel=ref.channel, ts=ref.id, text=chunks[0].text,
                                          blocks=chunks[0].blocks)

    async def open_form(self, trigger_id: str, user_id: str, form: Form) -> None:
        async with self.pacer.call():
            resp = await self.client.views_open(trigger_id=trigger_id, view=render_form(form))
        channel = self.trigger_channels.pop(trigger_id, None)
        if channel:  # so the answer to the submission can appear where the form was opened
            remember(self.view_channels, resp["view"]["id"], channel)

    async def upload_image(self, channel: str, image: ImageFile, *, comment: str | None = None) -> None:
        async with self.pacer.channel(channel):
            await self.client.files_upload_v2(channel=channel, file=image.data, filename=image.filename,
                                              title=image.title, initial_comment=comment, alt_txt=image.title)

    # people ---------------------------------------------------------------------------------

    async def user_info(self, user_id: str) -> dict[str, Any]:
        """users.info with the locale, cached for an hour (locale and timezone rarely change)."""
        checked_user(self.name, user_id)
        cached = self._users.get(user_id)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        async with self.pacer.call():
            resp = await self.client.users_info(user=user_id, include_locale=True)
        info: dict[str, Any] = resp["user"]
        self._users[user_id] = (time.monotonic() + USER_CACHE_SECONDS, info)
        return info

    async def active_humans(self, user_ids: Sequence[str]) -> set[str]:
        """users.info per person (Slack has no batch lookup): not `deleted`, not a bot or app,
        and known (`user_not_found` is not active). Asked fresh: the core caches the answer."""
        active = set()
        for user_id in dict.fromkeys(user_ids):
            self._users.pop(user_id, None)
            try:
                info = await self.user_info(user_id)
            except SlackApiError as exc:
                if _error(exc) in ("user_not_found", "user_not_visible"):
                    continue
                raise
            if not (info.get("deleted") or info.get("is_bot") or info.get("is_app_user")):
                active.add(user_id)
        return active

    async def channel_members(self, channel: str) -> list[str]:
        """Humans in the channel: bots, apps and deactivated accounts left out."""
        members: list[str] = []
        cursor = None
        while True:
            async with self.pacer.call():
                resp = await self.client.conversations_members(channel=channel, limit=200, cursor=cursor)
            members.extend(resp["members"])
            cursor = (resp.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                break
        humans = []
        for member in members:
            if member == self.bot_user_id:
                continue
            info = await self.user_info(member)
            if not (info.get("is_bot") or info.get("is_app_user") or info.get("deleted")):
                humans.append(member)
        return humans

    async def user_locale(self, user_id: str) -> str | None:
        try:
            return (await self.user_info(user_id)).get("locale")
        except Exception:  # a locale is a nicety: never let it stop an answer
            log.warning("no locale for a user", exc_info=True)
            return None

    async def user_timezone(self, user_id: str) -> str | None:
        try:
            return (await self.user_info(user_id)).get("tz")
        except Exception:
            log.warning("no timezone for a user", exc_info=True)
            return None

    async def find_marked(self, marker: str, since: datetime, *, channel: str | None = None,
                          user: str | None = None) -> bool | None:
        """Our message with this marker in the channel's history since `since`.

        Needs the right to read that history (channels:history / groups:history; DMs would
        need im:history, which the bot does not ask for): without it, None.
        """
        try:
            where = channel if user is None else await self.dm_channel(user)
            assert where is not None
            cursor = None
            while True:
                async with self.pacer.call():
                    resp = await self.client.conversations_history(
                        channel=where, oldest=f"{since.timestamp():.6f}", include_all_metadata=True, limit=200,
                        cursor=cursor)
                for message in resp.get("messages") or []:
                    meta = message.get("metadata") or {}
                    if (meta.get("event_type") == MARKER_EVENT and (meta.get("event_payload") or {}).get("marker") == marker
                            and (self.bot_user_id is None or message.get("user") in (None, self.bot_user_id))):
                        return True
                cursor = (resp.get("response_metadata") or {}).get("next_cursor")
                if not cursor:
                    return False
        except (SlackApiError, PlatformTrouble, ClientConnectorError) as exc:
            log.warning("cannot read the history to check a firing (%s)", getattr(exc, "response", {}).get("error")
                        if isinstance(exc, SlackApiError) else type(exc).__name__)
            return None
