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
  with a per-channel lock, and a semaphore bounds how many posts run at once when
  hundreds of teams fire in the same minute. A post refused with 429 gives its slot
  back while it waits, and tries again after `Retry-After` (nothing landed).
- Interactions have a lane of their own (`bot.lanes`): opening a form, the locale lookup
  before it and private replies never wait for slots that the schedule's posts hold, so
  a click during a fan-out still opens its form within Slack's 3 s.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections import OrderedDict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from aiohttp import ClientConnectorError
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.messages import Form, ImageFile, Message, MessageRef, parse_user_ref
from bot.metrics import Metrics
from bot.platform import Marked, NotDelivered, Person, PlatformTrouble
from bot.platforms.ids import checked_user
from bot.platforms.kit.answers import log_failure
from bot.platforms.kit.users import UserCache, locale_or_none
from bot.platforms.slack.pacer import Pacer
from bot.platforms.slack.render import SlackLimitError, SlackMessage, render_form, render_message
from bot.platforms.slack.retry import (
    RATE_LIMIT_RETRIES,
    TROUBLE,
    describe,
    error_code,
    raise_if_unreachable,
    raise_trouble,
    refused_before_acting,
    retry_after,
)

log = logging.getLogger("ritualbot.slack")

USER_CACHE_SECONDS = 3600.0
_SLACK_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
REMEMBERED = 5000  # triggers, views and event ids kept in memory


def remember(store: OrderedDict[str, Any], key: str, value: Any) -> None:
    """Keep `key` in a bounded, oldest-first map."""
    store[key] = value
    store.move_to_end(key)
    while len(store) > REMEMBERED:
        store.popitem(last=False)


MARKER_EVENT = "ritualbot_firing"  # metadata event type of a firing's posts


class SlackPlatform:
    """`ChatPlatform` over slack_sdk's AsyncWebClient."""

    name = "slack"

    def __init__(self, client: AsyncWebClient, *, post_interval: float = 1.0, max_concurrent: int = 16,
                 metrics: Metrics | None = None) -> None:
        self.client = client
        self.metrics = metrics or Metrics()
        self.pacer = Pacer(post_interval, max_concurrent, metrics=self.metrics)
        self._post_seconds = self.metrics.post_seconds.labels(platform="slack")
        self._dm_channels: dict[str, str] = {}
        self.users = UserCache(USER_CACHE_SECONDS)
        self.bot_user_id: str | None = None
        self.trigger_channels: OrderedDict[str, str] = OrderedDict()
        self.view_channels: OrderedDict[str, str] = OrderedDict()
        # Slack refused the bot token on the last post (revoked, app reinstalled): /healthz says
        # so (the connector's `health`), and the log once, not once per team
        self.token_refused = False

    def note_token(self, exc: SlackApiError | None) -> None:
        """After a post (or a check of the token for a request, bot/platforms/slack/token_check.py):
        a refused token (`invalid_auth`, `token_revoked`, ...) marks the token refused; a post
        Slack took marks it working. Other refusals say nothing about it."""
        refused = exc is not None and TROUBLE.get(error_code(exc)) == "bad_token"
        if exc is not None and not refused:
            return
        if refused and not self.token_refused:
            log.warning("slack: Slack refused the bot token (%s): nothing is posted until SLACK_BOT_TOKEN holds "
                        "a working token (reinstall the app, copy its Bot User OAuth Token) and the bot restarts",
                        error_code(exc) if exc is not None else "")
        elif not refused and self.token_refused:
            log.warning("slack: Slack takes the bot token again")
        self.token_refused = refused

    async def close(self) -> None:
        """Close the client's kept-alive connections (later calls open their own)."""
        if self.client.session is not None and not self.client.session.closed:
            await self.client.session.close()

    # posting ------------------------------------------------------------------------------

    async def _send_post(self, **args: Any) -> Any:
        """chat.postMessage in a slot of the task's lane; a 429 gives the slot back while it waits."""
        for attempt in range(RATE_LIMIT_RETRIES + 1):
            async with self.pacer.call():
                started = time.perf_counter()
                try:
                    resp = await self.client.chat_postMessage(**args)
                    self.note_token(None)
                    return resp
                except SlackApiError as exc:
                    self.note_token(exc)
                    if exc.response.status_code != 429 or attempt == RATE_LIMIT_RETRIES:
                        raise
                    wait = retry_after(exc)
                finally:  # `Metrics.posting`, inline: a slow refusal is a slow post too
                    self._post_seconds.observe(time.perf_counter() - started)
            self.metrics.retried("slack", "429")
            await asyncio.sleep(wait)
        raise AssertionError("unreachable: the last attempt returns or raises")

    async def _post_chunks(self, channel: str, chunks: list[SlackMessage], thread_ts: str | None,
                           marker: str | None = None, number: int | None = None) -> MessageRef:
        first: MessageRef | None = None
        # The firing's marker travels as message metadata (invisible to people), so a replica
        # taking over a dead one's firing can find the post in the channel's history.
        payload: dict[str, Any] = {"marker": marker} if number is None else {"marker": marker, "n": number}
        metadata = None if marker is None else {"event_type": MARKER_EVENT, "event_payload": payload}
        for chunk in chunks:
            async with self.pacer.channel(channel):
                try:
                    resp = await self._send_post(channel=channel, text=chunk.text, blocks=chunk.blocks,
                                                 thread_ts=thread_ts, unfurl_links=False, unfurl_media=False,
                                                 metadata=metadata)
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
        return await self._post_chunks(channel, render_message(message), thread_ts, message.marker, message.number)

    async def dm_channel(self, user_id: str) -> str:
        checked_user(self.name, user_id)
        if user_id not in self._dm_channels:
            async with self.pacer.call():
                try:
                    resp = await self.client.conversations_open(users=user_id)
                except SlackApiError as exc:
                    raise_if_unreachable(user_id, exc)
                    raise_trouble(exc, "@" + user_id)
                    raise
            self._dm_channels[user_id] = resp["channel"]["id"]
        return self._dm_channels[user_id]

    async def send_dm(self, user_id: str, message: Message) -> MessageRef:
        try:
            return await self._post_chunks(await self.dm_channel(user_id), render_message(message), None,
                                           message.marker, message.number)
        except SlackApiError as exc:
            raise_if_unreachable(user_id, exc)
            raise

    async def post_ephemeral(self, channel: str, user_id: str, message: Message) -> None:
        for chunk in render_message(message):
            await self.ephemeral_piece(channel, user_id, chunk)

    # the kit's private ways (bot/platforms/kit/private_reply.py): pieces are Slack's chunks ------

    pieces = staticmethod(render_message)

    async def ephemeral_piece(self, channel: str, user_id: str, piece: SlackMessage) -> bool:
        """chat.postEphemeral; Slack's refusals (not in channel, ...) raise."""
        async with self.pacer.call():
            await self.client.chat_postEphemeral(channel=channel, user=user_id, text=piece.text, blocks=piece.blocks)
        return True

    async def dm_piece(self, user_id: str, piece: SlackMessage) -> None:
        await self._post_chunks(await self.dm_channel(user_id), [piece], None)

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
        async with self.pacer.channel(channel), self.pacer.call():
            await self.client.files_upload_v2(channel=channel, file=image.data, filename=image.filename,
                                              title=image.title, initial_comment=comment, alt_txt=image.title)

    # people ---------------------------------------------------------------------------------

    async def user_info(self, user_id: str) -> dict[str, Any]:
        """users.info with the locale, cached for an hour (locale and timezone rarely change)."""
        checked_user(self.name, user_id)

        async def load() -> dict[str, Any]:
            async with self.pacer.call():
                resp = await self.client.users_info(user=user_id, include_locale=True)
            info: dict[str, Any] = resp["user"]
            return info

        return await self.users.fetch(user_id, load)

    async def active_humans(self, user_ids: Sequence[str]) -> set[str]:
        """users.info per person (Slack has no batch lookup): not `deleted`, not a bot or app,
        and known (`user_not_found` is not active). Asked fresh and kept apart from the
        locale cache: the core caches this answer itself (`bot/people.py`)."""
        active = set()
        for user_id in dict.fromkeys(user_ids):
            try:
                async with self.pacer.call():
                    resp = await self.client.users_info(user=user_id)
                info: dict[str, Any] = resp["user"]
            except SlackApiError as exc:
                if error_code(exc) in ("user_not_found", "user_not_visible"):
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

    async def find_person(self, ref: str) -> Person:
        """`<@U123|name>` (Slack's escaped mention), a member id, or `@name`/`name` (its user name or
        display name, looked up in users.list); deactivated accounts and bots are not people here."""
        raw = ref.strip()
        user = parse_user_ref(raw)
        if user is None:
            return Person(None, "not_found")
        if raw.startswith("@") or not _SLACK_ID.match(user):
            user = await self._user_named(user)
            if user is None:
                return Person(None, "not_found")
        try:
            info = await self.user_info(user)
        except SlackApiError as exc:
            if exc.response.get("error") in ("user_not_found", "users_not_found"):
                return Person(None, "not_found")
            raise
        if info.get("deleted"):
            return Person(user, "inactive")
        if info.get("is_bot") or info.get("is_app_user"):
            return Person(user, "bot")
        return Person(user)

    async def _user_named(self, name: str) -> str | None:
        """The member whose user name or display name is `name` (case-insensitive), via users.list."""
        wanted = name.lower()
        cursor = None
        while True:
            async with self.pacer.call():
                resp = await self.client.users_list(limit=200, cursor=cursor)
            for member in resp.get("members") or []:
                profile = member.get("profile") or {}
                names = {str(member.get("name", "")), str(profile.get("display_name", ""))}
                if wanted in {n.lower() for n in names if n}:
                    return str(member["id"])
            cursor = (resp.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return None

    async def user_locale(self, user_id: str) -> str | None:
        """The person's locale, None when unknown or unreadable (it must never stop an answer)."""
        return await locale_or_none(self._user_locale, user_id, platform=self.name)

    async def _user_locale(self, user_id: str) -> str | None:
        locale = (await self.user_info(user_id)).get("locale")
        return str(locale) if locale else None

    async def user_timezone(self, user_id: str) -> str | None:
        try:
            return (await self.user_info(user_id)).get("tz")
        except Exception as exc:
            log_failure(log, exc, "no timezone for a user")
            return None

    async def find_marked(self, marker: str, since: datetime, *, channel: str | None = None,
                          user: str | None = None) -> Marked:
        """Our first message with this marker in the channel's history since `since`.

        Needs the right to read that history (channels:history / groups:history; DMs would
        need im:history, which the bot does not ask for): without it, None. The history
        comes newest first, so the last match seen is the firing's first message.
        """
        try:
            where = channel if user is None else await self.dm_channel(user)
            assert where is not None
            cursor = None
            found: MessageRef | None = None
            while True:
                async with self.pacer.call():
                    resp = await self.client.conversations_history(
                        channel=where, oldest=f"{since.timestamp():.6f}", include_all_metadata=True, limit=200,
                        cursor=cursor)
                for message in resp.get("messages") or []:
                    meta = message.get("metadata") or {}
                    if (meta.get("event_type") == MARKER_EVENT and (meta.get("event_payload") or {}).get("marker") == marker
                            and (self.bot_user_id is None or message.get("user") in (None, self.bot_user_id))):
                        found = MessageRef(channel=where, id=str(message["ts"]))
                cursor = (resp.get("response_metadata") or {}).get("next_cursor")
                if not cursor:
                    return found or False
        except (SlackApiError, PlatformTrouble, ClientConnectorError) as exc:
            log.warning("cannot read the history to check a firing (%s)", getattr(exc, "response", {}).get("error")
                        if isinstance(exc, SlackApiError) else type(exc).__name__)
            return None

    async def find_firing(self, marker: str, since: datetime, *, channel: str | None = None,
                          user: str | None = None, thread: MessageRef | None = None) -> dict[int, MessageRef] | None:
        """The firing's messages in the channel's history (conversations.history, top level
        only) or in `thread` (conversations.replies), by number; a message split in chunks
        counts as its first chunk, the one `post` returns. Needs the history scopes, as
        `find_marked`."""
        root = None if thread is None else (thread.thread_id or thread.id)
        found: dict[int, MessageRef] = {}
        try:
            where = channel if user is None else await self.dm_channel(user)
            assert where is not None
            cursor = None
            while True:
                args: dict[str, Any] = {"channel": where, "oldest": f"{since.timestamp():.6f}",
                                        "include_all_metadata": True, "limit": 200, "cursor": cursor}
                async with self.pacer.call():
                    resp = await (self.client.conversations_history(**args) if root is None
                                  else self.client.conversations_replies(ts=root, **args))
                for message in resp.get("messages") or []:
                    meta = message.get("metadata") or {}
                    payload = meta.get("event_payload") or {}
                    if (meta.get("event_type") != MARKER_EVENT or payload.get("marker") != marker or message.get("ts") == root
                            or (self.bot_user_id is not None and message.get("user") not in (None, self.bot_user_id))):
                        continue
                    number = payload.get("n")
                    number = number if isinstance(number, int) else 0  # 0: an older version's, without a number
                    ref = MessageRef(channel=where, id=str(message["ts"]), thread_id=root)
                    if number not in found or float(ref.id) < float(found[number].id):
                        found[number] = ref
                cursor = (resp.get("response_metadata") or {}).get("next_cursor")
                if not cursor:
                    return found
        except (SlackApiError, PlatformTrouble, ClientConnectorError) as exc:
            log.warning("cannot read the history to look for a firing's messages (%s)",
                        getattr(exc, "response", {}).get("error") if isinstance(exc, SlackApiError) else type(exc).__name__)
            return None
