"""The three URLs Mattermost calls: the slash command, button clicks, dialog submissions.

Each request is checked before the core sees it (the command token, or our signature on
the button context / dialog state) and turned into a typed request. The core may answer
the user more than once, and later than Mattermost waits: the first private answer goes
into the HTTP response when it fits there, every other one as an ephemeral post or a DM.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from datetime import timedelta
from typing import Any

from aiohttp import web

from bot.i18n import pick_language, translate
from bot.lanes import INTERACTIONS, in_lane
from bot.messages import Message, MessageRef
from bot.once import delivery, values_digest
from bot.platform import REPLAY_WINDOW, ActionRequest, CommandRequest, Delivery, Dispatcher, FormSubmission, Reply
from bot.platforms import mattermost_render as render
from bot.platforms.ids import valid_channel_id, valid_user_id
from bot.platforms.mattermost_platform import MattermostPlatform
from bot.platforms.mattermost_signing import DIALOG_TTL, Expired, Forged
from bot.texts import TEXTS

log = logging.getLogger("ritualbot.mattermost")

FAILED = {"nl": "Er ging iets mis. Probeer het later nog eens.", "en": "Something went wrong. Please try again later."}
BAD_IDS = "user_id and channel_id must be Mattermost ids (26 lower-case letters and digits)"
FORGED = {"nl": "Dit verzoek kwam niet van ritualbot voor jou; er is niets veranderd.",
          "en": "This request was not made by ritualbot for you; nothing was changed."}


def _by_trigger(kind: str, user: str, trigger: Any) -> Delivery | None:
    """A command or click carries a trigger id of its own: a replayed request repeats it."""
    return delivery("mattermost", kind, user, str(trigger)) if trigger else None


def dialog_delivery(user: str, callback_id: Any, state: Any, submitted: dict[str, Any]) -> Delivery:
    """A dialog submission: its signed callback and state with the same values, from the same
    person, is one contribution for as long as the state's signature is accepted."""
    return delivery("mattermost", "dialog", user, str(callback_id), str(state), values_digest(submitted),
                    window=timedelta(seconds=DIALOG_TTL) + REPLAY_WINDOW)


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

    def __init__(self, platform: MattermostPlatform, command_tokens: Sequence[str], *, window: float = 2.5) -> None:
        self.platform = platform
        self._tokens = [t.encode() for t in command_tokens]
        self.window = window
        self.dispatcher: Dispatcher | None = None
        self.tasks: set[asyncio.Task[Any]] = set()

    def routes(self) -> list[web.RouteDef]:
        """The three endpoints; a person waits on each, so they run in the interactions' lane."""
        return [web.post("/mattermost/command", interactive(self.command)),
                web.post("/mattermost/actions", interactive(self.action)),
                web.post("/mattermost/dialogs", interactive(self.dialog))]

    def spawn(self, work: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Run work that may outlive the HTTP request; `stop()` waits for it."""
        task = asyncio.create_task(work)
        self.tasks.add(task)
        task.add_done_callback(self._finished)
        return task

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self.tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("mattermost interaction failed", exc_info=task.exception())

    def _ready(self) -> Dispatcher:
        if self.dispatcher is None:
            raise web.HTTPServiceUnavailable(text="ritualbot is starting")
        return self.dispatcher

    async def _locale(self, user_id: str) -> str | None:
        try:
            return await self.platform.user_locale(user_id)
        except Exception:  # a missing locale only changes the language of the answer
            log.warning("could not read the locale of a user", exc_info=True)
            return None

    def _private(self, slot: ResponseSlot, channel: str | None, user_id: str) -> Callable[[Message], Awaitable[None]]:
        async def reply(message: Message) -> None:
            if slot.take(message):
                return
            if channel:
                await self.platform.post_ephemeral(channel, user_id, message)
            else:
                await self.platform.send_dm(user_id, message)

        return reply

    def _traceless(self, channel: str | None, user_id: str) -> Reply | None:
        """An ephemeral post or nothing: never a DM (for confirming anonymous contributions)."""
        if not channel:
            return None

        async def reply(message: Message) -> None:
            if not await self.platform.ephemeral_only(channel, user_id, message):
                log.debug("a private confirmation could not be shown without a trace: left out")

        return reply

    async def _answer(self, slot: ResponseSlot, work: Coroutine[Any, Any, Any], locale: str | None) -> Message | None:
        """Wait for the first reply, the end of the work or the window; whichever comes first."""
        task = self.spawn(work)
        waiter = asyncio.ensure_future(slot.filled.wait())
        try:
            await asyncio.wait({task, waiter}, timeout=self.window, return_when=asyncio.FIRST_COMPLETED)
        finally:
            waiter.cancel()
            slot.open = False
        if slot.first is None and task.done() and not task.cancelled() and task.exception() is not None:
            return Message(paragraphs=((FAILED[pick_language(locale, default="nl")],),))
        return slot.first

    # the slash command ---------------------------------------------------------------------------

    def _token_ok(self, request: web.Request, form: Any) -> bool:
        header = request.headers.get("Authorization", "")
        given = str(form.get("token") or (header[6:].strip() if header.startswith("Token ") else ""))
        # Compare with every team's token (no early exit), so timing tells nothing about which matched.
        matches = [hmac.compare_digest(given.encode(), token) for token in self._tokens]
        return bool(given) and any(matches)

    async def command(self, request: web.Request) -> web.Response:
        form = await request.post()
        if not self._token_ok(request, form):
            log.warning("slash command with a wrong or missing token refused")
            return web.json_response({"error": "invalid command token"}, status=401)
        dispatcher = self._ready()
        user, channel = str(form.get("user_id", "")), str(form.get("channel_id", ""))
        if not user or not channel:
            return web.json_response({"error": "user_id and channel_id are required"}, status=400)
        if not (valid_user_id("mattermost", user) and valid_channel_id("mattermost", channel)):
            return web.json_response({"error": BAD_IDS}, status=400)
        locale = await self._locale(user)
        slot = ResponseSlot(lambda m: True)
        line = await self.platform.resolve_mentions(str(form.get("text", "")))
        req = CommandRequest(platform="mattermost", user_id=user, channel_id=channel,
                             text=line, reply=self._private(slot, channel, user),
                             trigger_id=str(form.get("trigger_id") or "") or None, locale=locale,
                             delivery=_by_trigger("command", user, form.get("trigger_id")))
        first = await self._answer(slot, dispatcher.handle_command(req), locale)
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
        except (ValueError, UnicodeDecodeError):
            raise web.HTTPBadRequest(text="expected a JSON body") from None
        if not isinstance(body, dict):
            raise web.HTTPBadRequest(text="expected a JSON object")
        return body

    async def action(self, request: web.Request) -> web.Response:
        body = await self._json(request)
        user, channel = str(body.get("user_id", "")), str(body.get("channel_id", ""))
        if not (valid_user_id("mattermost", user) and valid_channel_id("mattermost", channel)):
            return web.json_response({"error": BAD_IDS}, status=400)
        try:
            target = self.platform.signer.check_button(body.get("context"), channel=channel, user=user)
        except Expired:
            locale = await self._locale(user)
            return web.json_response({"ephemeral_text": translate(TEXTS, "action.stale", pick_language(locale, default="nl"))})
        except Forged as exc:
            log.warning("button callback refused: %s", exc)
            forged = FORGED[pick_language(await self._locale(user), default="nl")] if user else FORGED["en"]
            return web.json_response({"error": forged, "reason": str(exc)}, status=403)
        dispatcher = self._ready()
        locale = await self._locale(user)
        slot = ResponseSlot(lambda m: not m.buttons)  # ephemeral_text cannot carry buttons
        post_id = str(body.get("post_id") or "")
        req = ActionRequest(platform="mattermost", user_id=user, channel_id=channel, action=target.action,
                            value=target.value, reply=self._private(slot, channel, user),
                            message=MessageRef(channel=channel, id=post_id) if post_id else None, trigger_id=str(body.get("trigger_id") or "") or None,
                            locale=locale, traceless=self._traceless(channel, user),
                            delivery=_by_trigger("action", user, body.get("trigger_id")))
        first = await self._answer(slot, dispatcher.handle_action(req), locale)
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
            return web.json_response({"error": BAD_IDS}, status=400)
        try:
            target = self.platform.signer.check_dialog(body.get("callback_id"), body.get("state"), user=user)
        except Expired:
            locale = await self._locale(user)
            first = next(iter(body.get("submission") or {}), "form")
            return web.json_response({"errors": {first: translate(TEXTS, "form.expired", pick_language(locale, default="nl"))}})
        except Forged as exc:
            log.warning("dialog submission refused: %s", exc)
            forged = FORGED[pick_language(await self._locale(user), default="nl")] if user else FORGED["en"]
            return web.json_response({"error": forged, "reason": str(exc)}, status=403)
        if body.get("cancelled"):
            return web.json_response({})
        dispatcher = self._ready()
        channel = str(body.get("channel_id") or "") or None
        raw = body.get("submission")
        submitted: dict[str, Any] = raw if isinstance(raw, dict) else {}
        slot = ResponseSlot(lambda m: False)  # a dialog response carries only errors
        req = FormSubmission(platform="mattermost", user_id=user, form_id=target.form_id, state=target.state,
                             values=render.submission_values(submitted), reply=self._private(slot, channel, user),
                             channel_id=channel, locale=await self._locale(user),
                             traceless=self._traceless(channel, user),
                             delivery=dialog_delivery(user, body.get("callback_id"), body.get("state"), submitted))
        # The submission waits for the result (per-field errors) but survives the request being dropped.
        result = await asyncio.shield(self.spawn(dispatcher.handle_form(req)))
        if result.ok:
            return web.json_response({})
        return web.json_response(render.dialog_errors(result.errors, submitted))
