"""The three URLs Mattermost calls: the slash command, button clicks, dialog submissions.

Each request is checked before the core sees it (the command token, or our signature on
the button context / dialog state) and turned into a typed request. The core may answer
the user more than once, and later than Mattermost waits: the first private answer goes
into the HTTP response when it fits there, every other one the kit's way (an ephemeral
post, else a DM: bot/platforms/kit/private_reply.py). Refusals and failures are the kit's
texts, in the person's language when their id is known and checked, else the install's
(bot/platforms/kit/texts.py). The bot is reached only through its port (bot/ports.py).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import replace
from datetime import timedelta
from typing import Any

from aiohttp import web

from bot.i18n import translate
from bot.lanes import INTERACTIONS, in_lane
from bot.messages import Message, MessageRef
from bot.once import delivery, values_digest
from bot.platform import REPLAY_WINDOW, ActionRequest, CommandRequest, Delivery, FormSubmission, Reply
from bot.platforms.ids import valid_channel_id, valid_user_id
from bot.platforms.kit import private_reply as ways
from bot.platforms.kit.failures import apologising, form_failed
from bot.platforms.kit.texts import say
from bot.platforms.kit.users import locale_or_none
from bot.platforms.kit.window import MATTERMOST_WINDOW, Background, within
from bot.platforms.mattermost import render
from bot.platforms.mattermost.platform import MattermostPlatform
from bot.platforms.mattermost.signing import DIALOG_TTL, DialogTarget, Expired, Forged
from bot.platforms.mattermost.tokens import CommandTokens
from bot.ports import BotPort
from bot.texts import TEXTS

log = logging.getLogger("ritualbot.mattermost")


def _by_trigger(kind: str, user: str, trigger: Any) -> Delivery | None:
    """A command or click carries a trigger id of its own: a replayed request repeats it."""
    return delivery("mattermost", kind, user, str(trigger)) if trigger else None


def dialog_delivery(user: str, callback_id: Any, state: Any, submitted: dict[str, Any],
                    target: DialogTarget) -> Delivery:
    """A dialog submission: the same opened dialog with the same values is one contribution for
    as long as its state's signature is accepted. The key (kept in the database for that day)
    is made of the state's random nonce, which the database never holds: from the person, the
    form and the time, which it does (the signing secret too, without RITUALBOT_SECRET), anyone
    reading it could rebuild the key of each member and find who sent an anonymous answer.
    A state signed before nonces (at most a day old) keeps its old key."""
    window = timedelta(seconds=DIALOG_TTL) + REPLAY_WINDOW
    if target.nonce:
        return delivery("mattermost", "dialog", target.nonce, values_digest(submitted), window=window)
    return delivery("mattermost", "dialog", user, str(callback_id), str(state), values_digest(submitted),
                    window=window)


def interactive(handler: Callable[[web.Request], Awaitable[web.Response]]
                ) -> Callable[[web.Request], Awaitable[web.Response]]:
    """`handler`, and every task it starts, in the interactions' lane (`bot.lanes`)."""
    async def in_interactions(request: web.Request) -> web.Response:
        with in_lane(INTERACTIONS):
            return await handler(request)

    return in_interactions


class ResponseSlot:
    """The HTTP response of one request; the first fitting reply goes in it, once."""

    def __init__(self, fits: Callable[[Message], bool]) -> None:
        self.fits = fits
        self.first: Message | None = None
        self.open = True
        self.filled = asyncio.Event()

    def take(self, message: Message) -> bool:
        if not self.open or self.first is not None or not self.fits(message):
            return False
        self.first = message
        self.filled.set()
        return True


class IntegrationRoutes:
    """aiohttp handlers for `/mattermost/command`, `/mattermost/actions`, `/mattermost/dialogs`."""

    def __init__(self, platform: MattermostPlatform, command_tokens: Sequence[str], *,
                 window: float = MATTERMOST_WINDOW, language: str = "nl", command: str = "ritual") -> None:
        self.platform = platform
        self.tokens = CommandTokens(command_tokens, platform)
        self.window = window
        self.language = language  # the install's (config.toml `language`), for requests from nobody known
        self.slash_command = command
        self.bot: BotPort | None = None
        self.background = Background("mattermost")

    def routes(self) -> list[web.RouteDef]:
        """The three endpoints; a person waits on each, so they run in the interactions' lane."""
        return [web.post("/mattermost/command", interactive(self.command)),
                web.post("/mattermost/actions", interactive(self.action)),
                web.post("/mattermost/dialogs", interactive(self.dialog))]

    def spawn(self, work: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Run work that may outlive the HTTP request; `stop()` waits for it."""
        return self.background.spawn(work)

    def _ready(self) -> BotPort:
        if self.bot is None:
            raise web.HTTPServiceUnavailable(text=say("request.starting", self.language))
        return self.bot

    async def _locale(self, user_id: str) -> str | None:
        return await locale_or_none(self.platform.user_locale, user_id, platform="mattermost")

    async def _language(self, user_id: str, locale: str | None, channel: str | None = None) -> str:
        """The person's language (`BotPort.language_of`); the install's while the bot is starting."""
        if self.bot is None:
            return self.language
        return await self.bot.language_of("mattermost", user_id, locale, channel_id=channel)

    def _refused(self, key: str, status: int, **values: object) -> web.Response:
        """A request refused before anyone was identified: the install's language."""
        return web.json_response({"error": say(key, self.language, **values)}, status=status)

    def _private(self, slot: ResponseSlot, channel: str | None, user_id: str) -> Reply:
        async def into_response(message: Message) -> bool:
            return slot.take(message)

        return ways.private_reply(self.platform, channel, user_id, first=into_response)

    def _traceless(self, channel: str | None, user_id: str, slot: ResponseSlot | None = None) -> Reply | None:
        """The request's own answer (`slot`; without buttons, which it cannot carry), else an
        ephemeral post, else nothing: never a DM (anonymous contributions, asking for help)."""
        later = ways.traceless_reply(self.platform, channel, user_id)
        if slot is None:
            return later

        async def reply(message: Message) -> None:
            if not slot.take(replace(message, buttons=())) and later is not None:
                await later(message)

        return reply

    async def _answer(self, slot: ResponseSlot, work: Coroutine[Any, Any, Any], reply: Reply, user: str,
                      locale: str | None, channel: str) -> Message | None:
        """Wait for the first reply, the end of the work or the window, whichever comes first; a
        failure is apologised for through `reply` (into the response while the window is open)."""
        language = lambda: self._language(user, locale, channel)  # noqa: E731 - asked only on a failure
        task = self.spawn(apologising(work, reply, language, platform="mattermost"))
        try:
            await within(self.window, task, answered=slot.filled)
        finally:
            slot.open = False
        return slot.first

    # the slash command ---------------------------------------------------------------------------

    def _token_team(self, request: web.Request, form: Any) -> str | None:
        """The Mattermost team the request's token is bound to ("" for a token given without
        one), or None when no token matches."""
        header = request.headers.get("Authorization", "")
        given = str(form.get("token") or (header[6:].strip() if header.startswith("Token ") else ""))
        return self.tokens.team_of(given)

    async def _bound_elsewhere(self, bot: BotPort, team: str, form: Any, channel: str, user: str) -> bool:
        """True when a token bound to `team` (`team-name:token` or `team-id:token` in
        MATTERMOST_COMMAND_TOKENS) would act outside that Mattermost team: a request claiming
        another team, a channel of another team, or (from a DM or group channel) a ritualbot
        team whose channel is elsewhere. Whoever saw one team's slash-command token must not
        act in another team (bot/platforms/mattermost/tokens.py)."""
        if not team:
            return False
        if team not in (str(form.get("team_id", "")), str(form.get("team_domain", ""))):
            return True
        try:
            if not await self.tokens.in_team(team, channel, dm_too=True):
                return True
            acting = bot.command_team("mattermost", channel, user)
            home = bot.team_channel("mattermost", acting) if acting is not None else None
            return home is not None and not await self.tokens.in_team(team, home, dm_too=False)
        except Exception:  # the server cannot tell which team: refuse rather than guess
            log.warning("slash command: a channel's team could not be looked up; refused", exc_info=True)
            return True

    async def command(self, request: web.Request) -> web.Response:
        try:
            form = await request.post()
        except (ValueError, UnicodeDecodeError):  # not UTF-8, or no form: nothing to read a token from
            return self._refused("request.not_form", 400)
        team = self._token_team(request, form)
        if team is None:
            log.warning("slash command with a wrong or missing token refused")
            return self._refused("request.bad_token", 401, command=self.slash_command)
        bot = self._ready()
        user, channel = str(form.get("user_id", "")), str(form.get("channel_id", ""))
        if not user or not channel:
            return self._refused("request.no_ids", 400)
        if not (valid_user_id("mattermost", user) and valid_channel_id("mattermost", channel)):
            return self._refused("request.bad_ids", 400)
        if await self._bound_elsewhere(bot, team, form, channel, user):
            log.warning("slash command with another team's token refused")
            return self._refused("request.other_team", 401, command=self.slash_command)
        locale = await self._locale(user)
        slot = ResponseSlot(lambda m: True)
        reply = self._private(slot, channel, user)

        async def dispatch() -> None:  # resolving @names asks the server: inside the window, apologised for
            line = await self.platform.resolve_mentions(str(form.get("text", "")))
            await bot.handle_command(CommandRequest(
                platform="mattermost", user_id=user, channel_id=channel, text=line, reply=reply,
                trigger_id=str(form.get("trigger_id") or "") or None, locale=locale,
                delivery=_by_trigger("command", user, form.get("trigger_id"))))

        first = await self._answer(slot, dispatch(), reply, user, locale, channel)
        if first is None:
            return web.json_response({})
        body = await self.platform.body(first, channel=channel, user=user)
        if len(body["message"]) > render.POST_LIMIT:  # too long for one response: split over private posts
            await self.platform.post_ephemeral(channel, user, first)
            return web.json_response({})
        return web.json_response({"response_type": "ephemeral", "text": body["message"],
                                  **({"attachments": body["props"]["attachments"]} if body["props"] else {})})

    # buttons -------------------------------------------------------------------------------------

    async def _json(self, request: web.Request) -> dict[str, Any]:
        try:
            body = await request.json()
        except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: nested deeper than Python reads
            body = None
        if not isinstance(body, dict):
            raise web.HTTPBadRequest(text=say("request.not_json", self.language))
        return body

    async def _forged(self, user: str, channel: str | None) -> web.Response:
        """A callback we did not sign for this person: refused in their language, and only that.
        Why it was refused (which check failed) is for the log, not for whoever sent it."""
        language = await self._language(user, await self._locale(user), channel) if user else self.language
        return web.json_response({"error": say("request.forged", language)}, status=403)

    async def action(self, request: web.Request) -> web.Response:
        body = await self._json(request)
        user, channel = str(body.get("user_id", "")), str(body.get("channel_id", ""))
        if not (valid_user_id("mattermost", user) and valid_channel_id("mattermost", channel)):
            return self._refused("request.bad_ids", 400)
        try:
            target = self.platform.signer.check_button(body.get("context"), channel=channel, user=user)
        except Expired:
            language = await self._language(user, await self._locale(user), channel)
            return web.json_response({"ephemeral_text": translate(TEXTS, "action.stale", language)})
        except Forged as exc:
            log.warning("button callback refused: %s", exc)
            return await self._forged(user, channel)
        bot = self._ready()
        locale = await self._locale(user)
        slot = ResponseSlot(lambda m: not m.buttons)  # ephemeral_text cannot carry buttons
        post_id = str(body.get("post_id") or "")
        reply = self._private(slot, channel, user)
        req = ActionRequest(platform="mattermost", user_id=user, channel_id=channel, action=target.action,
                            value=target.value, reply=reply,
                            message=MessageRef(channel=channel, id=post_id) if post_id else None,
                            trigger_id=str(body.get("trigger_id") or "") or None,
                            locale=locale, traceless=self._traceless(channel, user, slot),
                            delivery=_by_trigger("action", user, body.get("trigger_id")))
        first = await self._answer(slot, bot.handle_action(req), reply, user, locale, channel)
        if first is None:
            return web.json_response({})
        usernames = await self.platform.usernames(render.mentioned(first))
        answer = render.message_text(first, usernames)
        if len(answer) > render.POST_LIMIT:  # too long for one response: split over private posts
            await self.platform.post_ephemeral(channel, user, first)
            return web.json_response({})
        return web.json_response({"ephemeral_text": answer})

    # dialogs -------------------------------------------------------------------------------------

    async def dialog(self, request: web.Request) -> web.Response:
        body = await self._json(request)
        user, channel_id = str(body.get("user_id", "")), str(body.get("channel_id") or "")
        if not valid_user_id("mattermost", user) or (channel_id and not valid_channel_id("mattermost", channel_id)):
            return self._refused("request.bad_ids", 400)
        channel = channel_id or None
        try:
            target = self.platform.signer.check_dialog(body.get("callback_id"), body.get("state"), user=user)
        except Expired:
            language = await self._language(user, await self._locale(user), channel)
            first = next(iter(body.get("submission") or {}), "form")
            return web.json_response({"errors": {first: translate(TEXTS, "form.expired", language)}})
        except Forged as exc:
            log.warning("dialog submission refused: %s", exc)
            return await self._forged(user, channel)
        if body.get("cancelled"):
            return web.json_response({})
        bot = self._ready()
        raw = body.get("submission")
        submitted: dict[str, Any] = raw if isinstance(raw, dict) else {}
        slot = ResponseSlot(lambda m: False)  # a dialog response carries only errors
        locale = await self._locale(user)
        req = FormSubmission(platform="mattermost", user_id=user, form_id=target.form_id, state=target.state,
                             values=render.submission_values(submitted), reply=self._private(slot, channel, user),
                             channel_id=channel, locale=locale, traceless=self._traceless(channel, user),
                             delivery=dialog_delivery(user, body.get("callback_id"), body.get("state"), submitted,
                                                             target))
        # The submission waits for the result (per-field errors) but survives the request being dropped.
        task = self.spawn(bot.handle_form(req))
        try:
            result = await asyncio.shield(task)
        except Exception:  # logged by the background; the dialog stays open with the person's text
            return web.json_response({"errors": form_failed(submitted, await self._language(user, locale, channel))})
        if result.ok:
            return web.json_response({})
        return web.json_response(render.dialog_errors(result.errors, submitted))

