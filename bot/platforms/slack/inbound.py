"""Slack payloads in, typed requests out: commands, clicks, modal submissions, App Home.

Every way back to the person is private, in the kit's order (bot/platforms/kit/
private_reply.py): the interaction's response_url first, then an ephemeral in the
channel, then a DM. What the adapter says when something fails is the kit's too, in the
person's language (bot/platforms/kit/texts.py). The bot is reached only through its port
(bot/ports.py).
"""

from __future__ import annotations

import asyncio
import json
import logging
import urllib.parse
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncRespond

from bot.config import AppConfig
from bot.contribution import leaves_no_trace
from bot.messages import MessageRef
from bot.once import delivery, values_digest
from bot.platform import ActionRequest, CommandRequest, Delivery, FormResult, FormSubmission, Reply
from bot.platforms.kit import private_reply as ways
from bot.platforms.kit.failures import apologising, form_failed
from bot.platforms.kit.texts import said
from bot.platforms.kit.window import SLACK_WINDOW, Background, in_window
from bot.platforms.late_refusal import late_refusal
from bot.platforms.slack.client import SlackPlatform, remember
from bot.platforms.slack.home import HOME_PREFIX, home_view
from bot.platforms.slack.render import SlackMessage, read_values, text_inputs
from bot.ports import BotPort

log = logging.getLogger("ritualbot.slack")


def _by_trigger(body: dict[str, Any]) -> Delivery | None:
    """A command or click: Slack gives each one its own trigger id, so a replayed request repeats it."""
    trigger = body.get("trigger_id")
    return delivery("slack", str(body.get("type") or "command"), str(trigger)) if trigger else None


def submission_delivery(body: dict[str, Any], values: dict[str, Any]) -> Delivery:
    """A modal submission: the same view with the same values is one contribution, whether the
    person pressed the button again after a slow answer or the request was replayed."""
    view = body["view"]
    return delivery("slack", "view", str(body["user"]["id"]), str(view.get("id", "")), str(view.get("hash", "")),
                    values_digest(values))


class Inbound:
    """Turns bolt's payload dicts into the core's requests and routes the answers."""

    def __init__(self, platform: SlackPlatform, config: AppConfig, bot: Callable[[], BotPort]) -> None:
        self.platform = platform
        self.config = config
        self.bot = bot
        self.home_users: set[str] = set()
        self.background = Background("slack")

    async def language(self, user: str, locale: str | None, channel: str | None = None) -> str:
        return await self.bot().language_of("slack", user, locale, channel_id=channel)

    async def _safely(self, work: Awaitable[Any], reply: Reply, user: str, locale: str | None,
                      channel: str | None) -> None:
        await apologising(work, reply, lambda: self.language(user, locale, channel), platform="slack")

    # commands and clicks --------------------------------------------------------------------

    async def command(self, body: dict[str, Any], respond: AsyncRespond | None) -> None:
        user, channel, trigger = body["user_id"], body["channel_id"], body.get("trigger_id")
        if trigger:
            remember(self.platform.trigger_channels, trigger, channel)
        locale = await self.platform.user_locale(user)
        reply = self.respond_reply(respond, channel, user)
        request = CommandRequest(platform="slack", user_id=user, channel_id=channel, text=body.get("text") or "",
                                 reply=reply, trigger_id=trigger, locale=locale, delivery=_by_trigger(body))
        await self._safely(self.bot().handle_command(request), reply, user, locale, channel)

    async def action(self, body: dict[str, Any], respond: AsyncRespond | None) -> None:
        user = body["user"]["id"]
        action = body["actions"][0]
        container = body.get("container") or {}
        channel = (body.get("channel") or {}).get("id") or container.get("channel_id")
        ephemeral = bool(container.get("is_ephemeral"))
        message = body.get("message") or {}
        ts = container.get("message_ts") or message.get("ts")
        root = message.get("thread_ts")
        ref = None
        if channel and ts and not ephemeral:  # ephemerals cannot be updated with chat.update
            ref = MessageRef(channel=channel, id=ts, thread_id=root if root and root != ts else None)
        trigger = body.get("trigger_id")
        if trigger and channel:
            remember(self.platform.trigger_channels, trigger, channel)
        locale = await self.platform.user_locale(user)
        # On an ephemeral (a consent notice, a "sure?") the first answer replaces it: no second click.
        reply = self.respond_reply(respond if body.get("response_url") else None, channel, user,
                                   replace_first=ephemeral)
        request = ActionRequest(platform="slack", user_id=user, channel_id=channel or "",
                                action=action.get("action_id", ""), value=action.get("value") or "",
                                reply=reply, message=ref, trigger_id=trigger, locale=locale,
                                delivery=_by_trigger(body))
        await self._safely(self.bot().handle_action(request), reply, user, locale, channel)
        if user in self.home_users and request.action.startswith("core:"):
            await self.publish_home(user)  # consent may have changed

    async def home_action(self, body: dict[str, Any]) -> None:
        """App Home buttons run the core's own subcommands; answers go to the person's DM."""
        user = body["user"]["id"]
        action = body["actions"][0]
        name = action["action_id"].removeprefix(HOME_PREFIX)
        channel = self.bot().team_channel("slack", action.get("value") or "")
        locale = await self.platform.user_locale(user)
        reply = ways.dm_reply(self.platform, user)
        if channel is None:
            await reply(said("error.generic", await self.language(user, locale)))
            return
        trigger = body.get("trigger_id")
        if trigger:  # a form opened from here posts its confirmation as if typed in the team's channel
            remember(self.platform.trigger_channels, trigger, channel)
        request = CommandRequest(platform="slack", user_id=user, channel_id=channel, text=name, reply=reply,
                                 trigger_id=trigger, locale=locale, delivery=_by_trigger(body))
        await self._safely(self.bot().handle_command(request), reply, user, locale, channel)
        await self.publish_home(user)

    # modal submissions ------------------------------------------------------------------------

    async def submit(self, body: dict[str, Any]) -> dict[str, str]:
        """The core's per-field errors (empty: accepted). Returns within Slack's window; a refusal
        that comes later reaches the person privately, with what they wrote (bot/platforms/late_refusal.py)."""
        view = body["view"]
        user = body["user"]["id"]
        values = read_values((view.get("state") or {}).get("values") or {})
        channel = self.platform.view_channels.get(view.get("id", ""))

        async def run() -> FormResult:
            locale = await self.platform.user_locale(user)
            return await self.bot().handle_form(FormSubmission(
                platform="slack", user_id=user, form_id=view.get("callback_id", ""),
                state=view.get("private_metadata", ""), values=values, reply=self.private_reply(channel, user),
                channel_id=channel, locale=locale, traceless=self.traceless_reply(channel, user),
                delivery=submission_delivery(body, values)))

        async def late(task: asyncio.Task[FormResult]) -> None:
            await self._after_late_submission(task, user, channel, text_inputs(view, values),
                                              anonymous=leaves_no_trace(view.get("private_metadata") or "", values))

        task = await in_window(self.background, SLACK_WINDOW, run(), late)
        if task is None:  # the modal closes now
            return {}
        if task.cancelled() or task.exception() is not None:
            return form_failed(values, await self.language(user, await self.platform.user_locale(user), channel))
        result = task.result()
        if result.ok:
            self.platform.view_channels.pop(view.get("id", ""), None)
        return dict(result.errors)

    async def _after_late_submission(self, task: asyncio.Task[FormResult], user: str, channel: str | None,
                                     written: dict[str, tuple[str, str]], *, anonymous: bool) -> None:
        """Say privately that the form was refused after the modal closed, with what the person
        wrote (flagged client data not echoed): by DM, or for an answer meant to be anonymous
        (`leaves_no_trace`) only where nothing is stored (an ephemeral, or not at all): a DM is
        kept, and one with the text would tie the person to what they send once the form is fixed."""
        language = await self.language(user, await self.platform.user_locale(user), channel)
        if task.cancelled() or task.exception() is not None:
            errors = form_failed({}, language)
        else:
            errors = dict(task.result().errors)
        if not errors:
            return
        values = {name: value for name, (_, value) in written.items()}
        labels = {name: label for name, (label, _) in written.items()}
        reply = self.traceless_reply(channel, user) if anonymous else ways.dm_reply(self.platform, user)
        if reply is None:
            log.info("slack: a late refusal of an anonymous answer could not be shown without a trace: left out")
            return
        await reply(late_refusal(errors, values, labels, language))

    # App Home -----------------------------------------------------------------------------------

    async def publish_home(self, user: str) -> None:
        self.home_users.add(user)
        locale = await self.platform.user_locale(user)
        summaries = await self.bot().overview("slack", user, locale)
        language = await self.language(user, locale)
        async with self.platform.pacer.call():
            await self.platform.client.views_publish(user_id=user, view=home_view(summaries, language, self.config.command))

    # ways back to the person (bot/platforms/kit/private_reply.py) -----------------------------------

    def respond_reply(self, respond: AsyncRespond | None, channel: str | None, user: str,
                      *, replace_first: bool = False) -> Reply:
        """Through the interaction's response_url; per piece, an ephemeral or DM if that fails."""
        replace = [replace_first]

        async def through_response_url(chunk: SlackMessage) -> bool:
            replacing, replace[0] = replace[0], False
            if respond is None:
                return False
            resp = await respond(text=chunk.text, blocks=chunk.blocks, response_type="ephemeral",
                                 replace_original=replacing)
            if resp.status_code != 200:
                raise LookupError(f"response_url answered {resp.status_code}")
            return True

        return ways.private_reply(self.platform, channel, user, first=through_response_url)

    def private_reply(self, channel: str | None, user: str) -> Reply:
        """An ephemeral in `channel` when possible, else a DM."""
        return ways.private_reply(self.platform, channel, user)

    def traceless_reply(self, channel: str | None, user: str) -> Reply | None:
        """An ephemeral in `channel`, or nothing: never a DM (for confirming anonymous contributions)."""
        return ways.traceless_reply(self.platform, channel, user)


def slack_payload(body: str, content_type: str) -> bool:
    """Whether an HTTP body is shaped like what Slack sends: a JSON object (events), or a
    form whose `payload`, when there is one, is a JSON object (buttons, modals); slash
    commands are forms without `payload`, and name who typed them (`user_id`: slack-bolt
    logs an error and never answers a command without one)."""
    try:
        if content_type == "application/json" or body.startswith("{"):  # as slack-bolt tells them apart
            return isinstance(json.loads(body), dict)
        form = urllib.parse.parse_qs(body)
        payload = form.get("payload")
        if payload is None:
            return "command" not in form or bool(form.get("user_id", [""])[0].strip())
        return isinstance(json.loads(payload[0]), dict)
    except (ValueError, RecursionError):  # RecursionError: JSON nested deeper than Python reads
        return False
