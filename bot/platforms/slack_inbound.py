"""Slack payloads in, typed requests out: commands, clicks, modal submissions, App Home.

Every way back to the person is private: the interaction's response_url first, then an
ephemeral in the channel, then a DM. A reply never raises, so a failure to say "thank
you" can never make a form look failed after the answer was already posted.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncRespond

from bot.app import RitualBot
from bot.config import AppConfig
from bot.i18n import pick_language, translate
from bot.messages import Message, MessageRef, text
from bot.once import delivery, values_digest
from bot.platform import (
    ActionRequest,
    CommandRequest,
    Delivery,
    Dispatcher,
    FormResult,
    FormSubmission,
    Reply,
)
from bot.platforms.late_refusal import late_refusal
from bot.platforms.slack_client import SlackPlatform, remember
from bot.platforms.slack_home import HOME_PREFIX, home_view, summarise
from bot.platforms.slack_render import SlackMessage, read_values, render_message, text_inputs
from bot.platforms.slack_texts import TEXTS

log = logging.getLogger("ritualbot.slack")

FORM_BUDGET = 2.5  # seconds the core may take on a submission before Slack's 3 s run out


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

    def __init__(self, platform: SlackPlatform, config: AppConfig, dispatcher: Callable[[], Dispatcher]) -> None:
        self.platform = platform
        self.config = config
        self.dispatcher = dispatcher
        self.home_users: set[str] = set()
        self._tasks: set[asyncio.Task[Any]] = set()

    def say(self, key: str, locale: str | None, **values: object) -> Message:
        return text(translate(TEXTS, key, pick_language(locale, default=self.config.language), **values))

    async def _safely(self, work: Awaitable[Any], reply: Reply, locale: str | None) -> None:
        try:
            await work
        except Exception:
            log.exception("slack: handling an interaction failed")
            await reply(self.say("error.generic", locale))

    # commands and clicks --------------------------------------------------------------------

    async def command(self, body: dict[str, Any], respond: AsyncRespond | None) -> None:
        user, channel, trigger = body["user_id"], body["channel_id"], body.get("trigger_id")
        if trigger:
            remember(self.platform.trigger_channels, trigger, channel)
        locale = await self.platform.user_locale(user)
        reply = self.respond_reply(respond, channel, user)
        request = CommandRequest(platform="slack", user_id=user, channel_id=channel, text=body.get("text") or "",
                                 reply=reply, trigger_id=trigger, locale=locale, delivery=_by_trigger(body))
        await self._safely(self.dispatcher().handle_command(request), reply, locale)

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
        await self._safely(self.dispatcher().handle_action(request), reply, locale)
        if user in self.home_users and request.action.startswith("core:"):
            await self.publish_home(user)  # consent may have changed

    async def home_action(self, body: dict[str, Any]) -> None:
        """App Home buttons run the core's own subcommands; answers go to the person's DM."""
        user = body["user"]["id"]
        action = body["actions"][0]
        name = action["action_id"].removeprefix(HOME_PREFIX)
        bot = self.dispatcher()
        team = bot.teams.get(action.get("value") or "") if isinstance(bot, RitualBot) else None
        locale = await self.platform.user_locale(user)
        reply = self.dm_reply(user)
        if team is None or team.platform != "slack":
            await reply(self.say("error.generic", locale))
            return
        request = CommandRequest(platform="slack", user_id=user, channel_id=team.channel, text=name, reply=reply,
                                 trigger_id=body.get("trigger_id"), locale=locale, delivery=_by_trigger(body))
        await self._safely(bot.handle_command(request), reply, locale)
        await self.publish_home(user)

    # modal submissions ------------------------------------------------------------------------

    async def submit(self, body: dict[str, Any]) -> dict[str, str]:
        """The core's per-field errors (empty: accepted). Must return within Slack's 3 seconds."""
        view = body["view"]
        user = body["user"]["id"]
        values = read_values((view.get("state") or {}).get("values") or {})
        channel = self.platform.view_channels.get(view.get("id", ""))

        async def run() -> FormResult:
            locale = await self.platform.user_locale(user)
            return await self.dispatcher().handle_form(FormSubmission(
                platform="slack", user_id=user, form_id=view.get("callback_id", ""),
                state=view.get("private_metadata", ""), values=values, reply=self.private_reply(channel, user),
                channel_id=channel, locale=locale, traceless=self.traceless_reply(channel, user),
                delivery=submission_delivery(body, values)))

        task = asyncio.ensure_future(run())
        done, _ = await asyncio.wait({task}, timeout=FORM_BUDGET)
        if not done:  # the modal closes now; a late refusal reaches the person by DM, with their text
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            self._keep(self._after_late_submission(task, user, text_inputs(view, values)))
            return {}
        locale = await self.platform.user_locale(user)
        try:
            result = task.result()
        except Exception:
            log.exception("slack: a form submission failed")
            first = next(iter(values), "form")
            return {first: translate(TEXTS, "form.failed", pick_language(locale, default=self.config.language))}
        if result.ok:
            self.platform.view_channels.pop(view.get("id", ""), None)
        return dict(result.errors)

    def _keep(self, work: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _after_late_submission(self, task: asyncio.Future[FormResult], user: str,
                                     written: dict[str, tuple[str, str]]) -> None:
        """DM a refusal that came after the modal closed; flagged client data is not echoed."""
        try:
            result = await task
            errors = dict(result.errors)
        except Exception:
            log.exception("slack: a slow form submission failed")
            errors = {"form": translate(TEXTS, "form.failed", self.config.language)}
        if errors:
            locale = await self.platform.user_locale(user)
            language = pick_language(locale, default=self.config.language)
            values = {name: value for name, (_, value) in written.items()}
            labels = {name: label for name, (label, _) in written.items()}
            await self.dm_reply(user)(late_refusal(errors, values, labels, language))

    # App Home -----------------------------------------------------------------------------------

    async def publish_home(self, user: str) -> None:
        bot = self.dispatcher()
        if not isinstance(bot, RitualBot):
            return
        self.home_users.add(user)
        locale = await self.platform.user_locale(user)
        team_ids = await self._teams_of(bot, user)
        summaries = await summarise(bot, user, team_ids, locale)
        language = pick_language(locale, default=self.config.language)
        async with self.platform.pacer.call():
            await self.platform.client.views_publish(user_id=user, view=home_view(summaries, language, self.config.command))

    async def _teams_of(self, bot: RitualBot, user: str) -> list[str]:
        found = []
        for team in bot.teams.values():
            if team.platform != "slack":
                continue
            if user in team.admins or user in team.leaders:
                found.append(team.id)
            elif team.configured_members is not None:
                if user in team.configured_members:
                    found.append(team.id)
            else:
                try:
                    if user in await self.platform.channel_members(team.channel):
                        found.append(team.id)
                except Exception:
                    log.warning("slack: members of %s unknown", team.channel, exc_info=True)
        return found

    # ways back to the person ----------------------------------------------------------------------

    def respond_reply(self, respond: AsyncRespond | None, channel: str | None, user: str,
                      *, replace_first: bool = False) -> Reply:
        """Through the interaction's response_url; per piece, an ephemeral or DM if that fails."""
        first = [replace_first]

        async def reply(message: Message) -> None:
            for chunk in render_message(message):
                replace, first[0] = first[0], False
                try:
                    if respond is None:
                        raise LookupError("no response_url")
                    resp = await respond(text=chunk.text, blocks=chunk.blocks, response_type="ephemeral",
                                         replace_original=replace)
                    if resp.status_code != 200:
                        raise LookupError(f"response_url answered {resp.status_code}")
                except Exception as exc:
                    log.info("slack: response_url unusable (%s), answering another way", exc)
                    await self._private_chunk(channel, user, chunk)

        return reply

    def private_reply(self, channel: str | None, user: str) -> Reply:
        """An ephemeral in `channel` when possible, else a DM."""
        async def reply(message: Message) -> None:
            for chunk in render_message(message):
                await self._private_chunk(channel, user, chunk)

        return reply

    def traceless_reply(self, channel: str | None, user: str) -> Reply | None:
        """An ephemeral in `channel`, or nothing: never a DM (for confirming anonymous contributions).

        None when the form's channel is unknown (after a restart, or on another replica).
        """
        if not channel:
            return None

        async def reply(message: Message) -> None:
            for chunk in render_message(message):
                try:
                    await self.platform.ephemeral_chunk(channel, user, chunk)
                except Exception as exc:  # noqa: BLE001 - left out rather than sent where it stays
                    log.info("slack: a private confirmation could not be shown (%s): left out", type(exc).__name__)
                    return

        return reply

    def dm_reply(self, user: str) -> Reply:
        return self.private_reply(None, user)

    async def _private_chunk(self, channel: str | None, user: str, chunk: SlackMessage) -> None:
        if channel:
            try:
                await self.platform.ephemeral_chunk(channel, user, chunk)
                return
            except Exception as exc:
                log.info("slack: no ephemeral possible in %s (%s), sending a DM", channel, exc)
        try:
            await self.platform.dm_chunk(user, chunk)
        except Exception:
            log.exception("slack: could not answer a user privately")
