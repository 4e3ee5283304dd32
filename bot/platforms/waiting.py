"""What Slack and Mattermost are answered while `ritualbot run` waits for its database (bot/gate.py).

Nothing can be done for anyone yet, so a request is checked as far as it can be without the
database and then told so: a Slack request must carry Slack's signature (else 401), a
Mattermost slash command its token (else 401, as later). A person who waits is told, in their
team's language (the channel's team in config.toml, else the install's), that ritualbot is
still starting:
- Slack slash command: 200 with an ephemeral text (Slack shows only its own error on a 503);
- Slack events and clicks: 503, so Slack retries the event (its Events API retries for some
  minutes) and shows its own "did not respond" for a click; Slack's `url_verification` is
  answered, so the request URL can be saved while the database is still down;
- Mattermost command, buttons, dialogs: 503 with the text, as `IntegrationRoutes._ready`
  answers while the Mattermost connection is still being made (a button or dialog carries
  a signature only the database's secret can check, so it is not trusted with more).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, cast
from urllib.parse import parse_qs

from aiohttp import web

from bot.config import AppConfig
from bot.platforms.kit.texts import say

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def team_language(config: AppConfig, platform: str, channel: str) -> str:
    """The language of the team whose channel is `channel` on `platform`, else the install's."""
    for team in config.teams:
        if team.platform == platform and team.channel == channel:
            return team.language or config.language
    return config.language


def waiting_routes(env: Mapping[str, str], config: AppConfig) -> dict[str, Handler]:
    """path → answer, for each platform configured in `env` that Slack or Mattermost calls."""
    platforms = {t.platform for t in config.teams}
    routes: dict[str, Handler] = {}
    if "slack" in platforms and env.get("SLACK_BOT_TOKEN", "").strip() and not env.get("SLACK_APP_TOKEN", "").strip():
        secret = env.get("SLACK_SIGNING_SECRET", "").strip()
        if secret:
            routes["/slack/events"] = _slack(secret, config)
    if "mattermost" in platforms and env.get("MATTERMOST_URL", "").strip() and env.get("MATTERMOST_TOKEN", "").strip():
        routes.update(_mattermost(env, config))
    return routes


def _slack(secret: str, config: AppConfig) -> Handler:
    from slack_sdk.signature import SignatureVerifier

    verifier = SignatureVerifier(secret)

    async def events(request: web.Request) -> web.StreamResponse:
        raw = await request.read()
        try:
            signed = verifier.is_valid_request(raw, dict(request.headers))
        except (ValueError, OverflowError):  # a timestamp that is no whole number
            signed = False
        if not signed:
            return web.Response(status=401)
        body = raw.decode("utf-8", errors="replace")
        if request.content_type == "application/json":
            try:
                event = json.loads(body)
            except ValueError:
                return web.Response(status=400)
            if isinstance(event, dict) and event.get("type") == "url_verification":
                return web.json_response({"challenge": event.get("challenge", "")})
            return web.Response(status=503)  # Slack tries the event again later
        form = {k: v[0] for k, v in parse_qs(body).items()}
        language = team_language(config, "slack", form.get("channel_id", ""))
        if "command" in form:
            return web.json_response({"response_type": "ephemeral", "text": say("request.starting", language)})
        return web.Response(status=503, text=say("request.starting", language))

    return events


def _mattermost(env: Mapping[str, str], config: AppConfig) -> dict[str, Handler]:
    from bot.platforms.mattermost.connector import command_tokens
    from bot.platforms.mattermost.tokens import CommandTokens

    tokens = CommandTokens(command_tokens(env), cast(Any, None))  # `team_of` asks no server

    async def command(request: web.Request) -> web.StreamResponse:
        try:
            form = await request.post()
        except (ValueError, UnicodeDecodeError):
            return web.json_response({"error": say("request.not_form", config.language)}, status=400)
        header = request.headers.get("Authorization", "")
        given = str(form.get("token") or (header[6:].strip() if header.startswith("Token ") else ""))
        if tokens.team_of(given) is None:
            return web.json_response({"error": say("request.bad_token", config.language, command=config.command)},
                                     status=401)
        language = team_language(config, "mattermost", str(form.get("channel_id", "")))
        return web.Response(status=503, text=say("request.starting", language))

    async def other(request: web.Request) -> web.StreamResponse:
        return web.Response(status=503, text=say("request.starting", config.language))

    return {"/mattermost/command": command, "/mattermost/actions": other, "/mattermost/dialogs": other}
