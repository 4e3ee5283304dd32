"""The doctor's Slack probe: auth.test (and the token's scopes), conversations.info, users.info."""

from __future__ import annotations

from collections.abc import Mapping

import aiohttp
from slack_sdk.errors import SlackApiError

from bot.doctor import PersonChecks, Problem
from bot.platforms.slack.retry import make_client

NEEDED = ("chat:write", "commands", "im:write", "users:read", "channels:read", "groups:read", "files:write")
# Reading history is optional: only to confirm a post after a replica died (else admins are asked).
OPTIONAL = ("channels:history", "groups:history")
INVITE = "invite the bot: type /invite @ritualbot in that channel"


def slack_probe(env: Mapping[str, str]) -> SlackProbe | None:
    token = env.get("SLACK_BOT_TOKEN", "").strip()
    if not token:
        return None
    return SlackProbe(token, env.get("SLACK_API_URL", "").strip() or "https://slack.com/api/")


class SlackProbe(PersonChecks):
    def __init__(self, token: str, base_url: str) -> None:
        super().__init__()
        self.client = make_client(token, base_url, timeout=15)
        self.base_url = base_url

    async def account(self) -> list[Problem]:
        try:
            resp = await self.client.auth_test()
        except SlackApiError as exc:
            return [Problem(f"the token does not work ({exc.response.get('error')})",
                            "create a new bot token (OAuth & Permissions) and set it as SLACK_BOT_TOKEN", fatal=True)]
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            return [Problem(f"the token could not be checked: Slack did not answer at {self.base_url} "
                            f"({type(exc).__name__})",
                            "check the network, and SLACK_API_URL if it is set", fatal=True)]
        granted = {s.strip() for s in str(resp.headers.get("x-oauth-scopes", "")).split(",") if s.strip()}
        problems = [Problem(f"the token lacks the scope {scope}",
                            "add it under OAuth & Permissions (or paste slack-app-manifest.yaml again) "
                            "and reinstall the app")
                    for scope in NEEDED if granted and scope not in granted]
        missing = [s for s in OPTIONAL if granted and s not in granted]
        if missing:
            problems.append(Problem(f"the token lacks {', '.join(missing)}: after a crash the bot cannot check "
                                    "whether a prompt went out and asks the admins instead",
                                    "to let it check, add them under OAuth & Permissions and reinstall the app",
                                    optional=True))
        return problems

    async def channel(self, channel: str) -> list[Problem]:
        try:
            info = (await self.client.conversations_info(channel=channel))["channel"]
        except SlackApiError as exc:
            error = exc.response.get("error")
            if error == "channel_not_found":
                return [Problem(f"channel {channel} does not exist, or is private and the bot is not in it",
                                f"check `channel` in config.toml (a C… id), or {INVITE}")]
            return [Problem(f"channel {channel} cannot be read ({error})", "see the error; check the scopes")]
        if info.get("is_archived"):
            return [Problem(f"channel {channel} is archived", "unarchive it, or put another channel in config.toml")]
        if not info.get("is_member"):
            return [Problem(f"the bot is not in channel {channel}", INVITE)]
        return []

    async def _person(self, user_id: str) -> tuple[str, str] | None:
        try:
            user = (await self.client.users_info(user=user_id))["user"]
        except SlackApiError as exc:
            if exc.response.get("error") == "user_not_found":
                return (f"{{role}}: {user_id} is not a user of this workspace",
                        "correct the id in {role} in config.toml (a U… member id)")
            return (f"{{role}}: {user_id} cannot be looked up ({exc.response.get('error')})",
                    "check the users:read scope")
        if user.get("deleted"):
            return (f"{{role}}: {user_id} ({user.get('name')}) is deactivated",
                    "remove them from {role} in config.toml, or name someone else")
        if user.get("is_bot"):
            return (f"{{role}}: {user_id} ({user.get('name')}) is a bot, not a person",
                    "remove it from {role} in config.toml")
        return None

    async def close(self) -> None:
        session = getattr(self.client, "session", None)
        if session is not None:
            await session.close()
