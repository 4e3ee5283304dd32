"""A person meeting a refused bot token before slack-bolt does: they get our answer, not bolt's.

slack-bolt checks the bot token (auth.test) before the first request it handles. When Slack
refuses it (revoked, the app reinstalled since the bot started), bolt answers the person with
its own English text ("We apologize, but for some unknown reason, your installation with this
app is no longer available ...") and a Dutch team reads English. `TokenCheck.before_authorize`
runs before bolt's check (slack-bolt's `before_authorize` hook): until one request found the
token working, it checks the token itself, through the bot's client. When that fails the
person gets what every other failure gets (bot/platforms/kit/failures.py), in their team's
language, the token is marked refused (/healthz says `token refused`, the log says it once),
and bolt's check is not reached. A later request finding it working clears that again.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncRespond
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError

from bot.platforms.kit.answers import log_failure
from bot.platforms.kit.failures import form_failed
from bot.platforms.kit.texts import say
from bot.platforms.slack.client import SlackPlatform
from bot.platforms.slack.render import modal_errors, read_values

log = logging.getLogger("ritualbot.slack")

# what a person sends and waits on an answer for (events are no one's wait; bolt's own
# answer to those reaches nobody)
PERSON_WAITS = frozenset({"block_actions", "view_submission", "shortcut", "message_action", "interactive_message"})
Language = Callable[[str, str | None], Awaitable[str]]  # (user, channel) -> their team's language


class TokenCheck:
    """Checks the bot token for the first requests a person waits on, before slack-bolt does."""

    def __init__(self, platform: SlackPlatform, language: Language, fallback: str) -> None:
        """`language(user, channel)`: the language to answer in; `fallback` when that fails too."""
        self.platform = platform
        self.language = language
        self.fallback = fallback
        self.worked = False  # once a request found it working, bolt has checked it too and keeps that

    async def before_authorize(self, body: dict[str, Any], respond: AsyncRespond | None,
                               next: Callable[[], Awaitable[None]]) -> BoltResponse | None:
        """A bolt middleware (bolt passes its arguments by name): our answer when the token fails."""
        if self.worked or not (body.get("command") or body.get("type") in PERSON_WAITS):
            await next()
            return None
        try:
            await self.platform.client.auth_test()
        except Exception as exc:  # Slack refused the token, or could not be asked: nothing can be done
            if isinstance(exc, SlackApiError):
                self.platform.note_token(exc)  # a refused token: /healthz and one log line
            if not self.platform.token_refused:
                log_failure(log, exc, "slack: could not check the bot token for a request")
            return await self._answer(body, respond)
        self.platform.note_token(None)  # a token refused before works now: /healthz well again, said once
        self.worked = True
        await next()
        return None

    async def _answer(self, body: dict[str, Any], respond: AsyncRespond | None) -> BoltResponse:
        """What the person sees: a command's ephemeral answer, a click's through its response_url,
        a form's error under its first field (the form stays open with their text)."""
        user = str(body.get("user_id") or (body.get("user") or {}).get("id") or "")
        view = body.get("view") or {}
        channel = (body.get("channel_id") or (body.get("channel") or {}).get("id")
                   or (body.get("container") or {}).get("channel_id") or self.platform.view_channels.get(view.get("id", "")))
        try:
            language = await self.language(user, channel)
        except Exception:  # the database too: the install's language, still ours
            log.warning("slack: the language of a person answered about the token is not known; using %s",
                        self.fallback)
            language = self.fallback
        if body.get("command"):
            return _json({"response_type": "ephemeral", "text": say("error.generic", language)})
        if body.get("type") == "view_submission":
            values = read_values((view.get("state") or {}).get("values") or {})
            return _json({"response_action": "errors", "errors": modal_errors(view, form_failed(values, language))})
        if respond is not None:
            try:
                await respond(text=say("error.generic", language), response_type="ephemeral", replace_original=False)
            except Exception as exc:
                log_failure(log, exc, "slack: could not answer a person through the response_url")
        return BoltResponse(status=200, body="")


def _json(answer: dict[str, Any]) -> BoltResponse:
    return BoltResponse(status=200, body=json.dumps(answer), headers={"content-type": "application/json"})
