"""Mattermost adapter: connector, settings from the environment, direct messages to the bot.

The pieces live in small modules of this package: `connection` (driver, retries, websocket),
`platform` (the ChatPlatform), `routes` (slash command, buttons, dialogs), `render` and
`signing`. This module wires them and reads
direct messages from the websocket: a DM to the bot is a command line (`help`, `status`),
answered in the DM, once, even across reconnects and replicas.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bot.config import AppConfig, ConfigError
from bot.lanes import INTERACTIONS, in_lane
from bot.messages import Message
from bot.metrics import Metrics
from bot.platform import CommandRequest
from bot.platforms.kit.failures import apologising
from bot.platforms.kit.users import locale_or_none
from bot.platforms.mattermost import history
from bot.platforms.mattermost.connection import MattermostConnection, RetryPolicy
from bot.platforms.mattermost.platform import MattermostPlatform
from bot.platforms.mattermost.routes import IntegrationRoutes
from bot.platforms.mattermost.signing import Signer, signing_secret
from bot.ports import BotPort
from bot.store import Store

log = logging.getLogger("ritualbot.mattermost")
SEEN_LIMIT = 2000
INTERACTION_CALLS = 8  # calls at once for commands, clicks, dialogs and private replies
CATCH_UP_MARGIN_MS = 5_000


@dataclass(frozen=True)
class MattermostSettings:
    """Everything the adapter reads from the environment (secrets never live in config.toml).

    `command_tokens`: one per Mattermost team, because each team's `/ritual` slash command
    gets a token of its own; a request with any of them is accepted.
    """

    url: str
    token: str
    command_tokens: tuple[str, ...]
    public_url: str
    command: str = "ritual"
    ca_file: str | None = None
    max_concurrency: int = 8
    language: str = "nl"  # the install's (config.toml `language`), for requests from nobody known yet


def command_tokens(env: Mapping[str, str]) -> tuple[str, ...]:
    """`MATTERMOST_COMMAND_TOKEN` (one team) and `MATTERMOST_COMMAND_TOKENS` (several, separated
    by commas or spaces), together, without duplicates."""
    raw = [env.get("MATTERMOST_COMMAND_TOKEN", "")] + env.get("MATTERMOST_COMMAND_TOKENS", "").replace(",", " ").split()
    return tuple(dict.fromkeys(t.strip() for t in raw if t.strip()))


def settings_from_env(env: Mapping[str, str], config: AppConfig) -> MattermostSettings | None:
    """The settings, None when Mattermost is not configured, or a ConfigError saying what is missing."""
    url, token = env.get("MATTERMOST_URL", "").strip(), env.get("MATTERMOST_TOKEN", "").strip()
    if not url and not token:
        return None
    problems = []
    tokens = command_tokens(env)
    for name, value in (("MATTERMOST_URL", url), ("MATTERMOST_TOKEN", token),
                        ("MATTERMOST_COMMAND_TOKEN", ",".join(tokens)),
                        ("BOT_PUBLIC_URL", env.get("BOT_PUBLIC_URL", "").strip())):
        if not value:
            also = " (or MATTERMOST_COMMAND_TOKENS, one per Mattermost team)" if name == "MATTERMOST_COMMAND_TOKEN" else ""
            problems.append(f"environment: {name}{also} is not set; the Mattermost adapter needs it "
                            "(see the README, section Install in Mattermost)")
    public = env.get("BOT_PUBLIC_URL", "").strip()
    if public and not public.startswith(("http://", "https://")):
        problems.append(f"environment: BOT_PUBLIC_URL must be an http(s) URL Mattermost can reach, got {public!r}")
    concurrency = env.get("MATTERMOST_MAX_CONCURRENCY", "8").strip()
    if not concurrency.isdigit() or not 1 <= int(concurrency) <= 256:
        problems.append(f"environment: MATTERMOST_MAX_CONCURRENCY must be 1..256, got {concurrency!r}")
    if problems:
        raise ConfigError(problems)
    if any(":" not in t for t in tokens) and sum(1 for team in config.teams if team.platform == "mattermost") > 1:
        log.warning("MATTERMOST_COMMAND_TOKENS: a token without its team is accepted for every Mattermost team; "
                    "write each as team-name:token so one team's token cannot act in another")
    return MattermostSettings(url=url, token=token, command_tokens=tokens,
                              public_url=public.rstrip("/"), command=config.command,
                              ca_file=env.get("MATTERMOST_CA_FILE", "").strip() or None,
                              max_concurrency=int(concurrency), language=config.language)


async def connector_from_env(env: Mapping[str, str], config: AppConfig, store: Store,
                             metrics: Metrics | None = None) -> MattermostConnector | None:
    """The Mattermost connector, or None when it is not configured; it reports to `metrics`."""
    settings = settings_from_env(env, config)
    if settings is None:
        return None
    return MattermostConnector(settings, Signer(await signing_secret(env, store)), store, metrics=metrics)


class MattermostConnector:
    """Starts and stops the adapter; the runner mounts `routes()` on the bot's HTTP server."""

    def __init__(self, settings: MattermostSettings, signer: Signer, store: Store, *,
                 retry: RetryPolicy | None = None, ws_backoff_base: float = 0.5,
                 reply_window: float = 2.5, metrics: Metrics | None = None) -> None:
        self.settings = settings
        self.store = store
        metrics = metrics or Metrics()
        self.connection = MattermostConnection(settings.url, settings.token, ca_file=settings.ca_file,
                                               retry=retry, ws_backoff_base=ws_backoff_base,
                                               connections=settings.max_concurrency,
                                               interaction_connections=INTERACTION_CALLS, metrics=metrics)
        self.platform = MattermostPlatform(self.connection, signer, settings.public_url,
                                           max_concurrency=settings.max_concurrency,
                                           interaction_concurrency=INTERACTION_CALLS, metrics=metrics)
        self.http = IntegrationRoutes(self.platform, settings.command_tokens, window=reply_window,
                                      language=settings.language, command=settings.command)
        self.instance = secrets.token_hex(8)
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._dm_channels_seen: set[str] = set()
        self._last_event_ms = 0
        self._hellos = 0
        self._listener: asyncio.Task[None] | None = None

    async def health(self) -> str:
        if self.connection.token_refused:
            return "token refused"  # as at start-up (`bot/runner.py`): every post fails until a new token
        socket = self.connection.websocket
        return "connected" if socket is not None and socket.authenticated else "connecting"

    def routes(self) -> list[web.RouteDef]:
        return self.http.routes()

    async def start(self, bot: BotPort) -> None:
        """Check the token, then listen for direct messages in the background."""
        me = await self.connection.login()
        log.info("connected to Mattermost as @%s", me.get("username"))
        self.http.bot = bot
        self.http.spawn(self.platform.direct.learn())  # which channels are DMs: one call, before any fan-out
        # A DM sent after start but before the first event we see (the socket dropped at once)
        # is caught up from here.
        self._last_event_ms = max(self._last_event_ms, int(time.time() * 1000))
        self._listener = asyncio.create_task(self._listen(), name="mattermost-websocket")

    async def _listen(self) -> None:
        try:
            await self.connection.listen(self._on_event)
        except Exception:
            log.exception("the Mattermost websocket stopped for good; direct messages are not read")

    async def stop(self) -> None:
        """No new work, no reconnects; in-flight answers get a moment to finish."""
        await self.connection.close()
        if self._listener is not None:
            with contextlib.suppress(asyncio.CancelledError, asyncio.TimeoutError):
                await asyncio.wait_for(self._listener, 5)
        await self.http.background.drain(10)
        self.http.bot = None

    # direct messages ------------------------------------------------------------------------------

    async def _on_event(self, event: dict[str, Any]) -> None:
        name = event.get("event")
        if name == "hello":
            self._hellos += 1
            if self._hellos > 1 and self._last_event_ms:
                self.http.spawn(self._catch_up(self._last_event_ms - CATCH_UP_MARGIN_MS))
            return
        # Any event shows the socket was up until now: a later outage is caught up from here.
        self._last_event_ms = max(self._last_event_ms, int(time.time() * 1000) - CATCH_UP_MARGIN_MS)
        if name != "posted":
            return
        data = event.get("data") or {}
        post = data.get("post")
        if data.get("channel_type") != "D" or not isinstance(post, dict):
            return
        self._last_event_ms = max(self._last_event_ms, int(post.get("create_at") or 0))
        self._take(post)

    def _take(self, post: dict[str, Any]) -> None:
        """Answer a user's DM in the background, unless it is ours, a system post or already handled."""
        if post.get("user_id") == self.platform.bot_user_id or post.get("type") or not post.get("id"):
            return
        if (post.get("props") or {}).get("from_bot") or post["id"] in self._seen:
            return
        self._seen[post["id"]] = None
        while len(self._seen) > SEEN_LIMIT:
            self._seen.popitem(last=False)
        self._dm_channels_seen.add(post["channel_id"])
        self.platform.remember_dm(post["channel_id"], post["user_id"])
        with in_lane(INTERACTIONS):  # a person waits for the answer
            self.http.spawn(self._dm_command(post))

    async def _dm_channels_since(self, since_ms: int) -> list[str]:
        """The bot's DM channels with a post since `since_ms`, new ones included (server 6.1+);
        only the ones this process has seen when the server cannot list them."""
        bot = self.platform.bot_user_id
        try:
            found = await self.platform.call(lambda d: d.client.get(f"/users/{bot}/channels"))
        except Exception:
            log.warning("could not list the bot's channels; catching up on known DM channels only", exc_info=True)
            return sorted(self._dm_channels_seen)
        recent = {c["id"] for c in found if c.get("type") == "D" and int(c.get("last_post_at") or 0) >= since_ms}
        return sorted(recent | self._dm_channels_seen)

    async def _catch_up(self, since_ms: int) -> None:
        """After a reconnect: DMs that arrived while the websocket was down, also in DM
        channels this process never saw before."""
        for channel in await self._dm_channels_since(since_ms):
            try:
                listing = await history.read_since(self.platform.call, channel, since_ms)
            except Exception:
                log.warning("could not catch up on a DM channel after reconnecting", exc_info=True)
                continue
            posts = sorted((listing.get("posts") or {}).values(), key=lambda p: p.get("create_at", 0))
            for post in posts:
                if not post.get("root_id") and not post.get("delete_at"):
                    self._take(post)

    async def _claim(self, post_id: str, user_id: str) -> bool:
        """One replica answers a DM: the first to record the post id in the shared database.

        The key names the user, so `/ritual mydata` and `forget` find it (bot/store/personal.py).
        """
        key = f"mattermost:dm:{user_id}:{post_id}"
        return await self.store.setting_or_create(key, lambda: self.instance) == self.instance

    async def _dm_command(self, post: dict[str, Any]) -> None:
        bot = self.http.bot
        if bot is None or not await self._claim(post["id"], post["user_id"]):
            return
        user, channel = post["user_id"], post["channel_id"]
        line = str(post.get("message") or "").strip()
        prefix = "/" + self.settings.command
        if line.lower().startswith(prefix):
            line = line[len(prefix):].strip()

        async def reply(message: Message) -> None:
            await self.platform.post_in(channel, message, user=user)

        locale = await locale_or_none(self.platform.user_locale, user, platform="mattermost")
        started = time.monotonic()

        async def dispatch(line: str) -> None:
            line = await self.platform.resolve_mentions(line)
            await bot.handle_command(CommandRequest(
                platform="mattermost", user_id=user, channel_id=channel, text=line, reply=reply, locale=locale))

        await apologising(dispatch(line), reply, lambda: bot.language_of("mattermost", user, locale),
                          platform="mattermost")
        log.debug("answered a DM command in %.2fs", time.monotonic() - started)
