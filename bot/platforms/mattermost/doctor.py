"""The doctor's Mattermost probe: users/me, the channel and the bot's membership, each person."""

from __future__ import annotations

from collections.abc import Mapping

from mattermostdriver.exceptions import NoAccessTokenProvided, NotEnoughPermissions, ResourceNotFound

from bot.doctor import PersonChecks, Problem
from bot.platforms.mattermost.connection import MattermostConnection, RetryPolicy

INVITE = "add the bot to the channel: type /invite @ritualbot in it"


def mattermost_probe(env: Mapping[str, str]) -> MattermostProbe | None:
    url, token = env.get("MATTERMOST_URL", "").strip(), env.get("MATTERMOST_TOKEN", "").strip()
    if not url or not token:
        return None
    return MattermostProbe(MattermostConnection(url, token, ca_file=env.get("MATTERMOST_CA_FILE", "").strip() or None,
                                                request_timeout=15, retry=RetryPolicy(max_attempts=2, max_refused_attempts=3)))


class MattermostProbe(PersonChecks):
    def __init__(self, connection: MattermostConnection) -> None:
        super().__init__()
        self.conn = connection

    async def account(self) -> list[Problem]:
        try:
            await self.conn.login()
        except NoAccessTokenProvided:
            return [Problem("the token does not work (refused)",
                            "create a new access token for the bot account and set it as MATTERMOST_TOKEN",
                            fatal=True)]
        except Exception as exc:  # noqa: BLE001 - reported, not raised
            return [Problem(f"the token could not be checked: the server did not answer ({type(exc).__name__})",
                            "check MATTERMOST_URL and that the server is reachable", fatal=True)]
        return []

    async def channel(self, channel: str) -> list[Problem]:
        try:
            found = await self.conn.call(lambda d: d.channels.get_channel(channel))
        except NotEnoughPermissions:
            return [Problem(f"the bot is not in channel {channel}, or it does not exist", f"{INVITE}; "
                            "check `channel` in config.toml (the channel's id, from View Info)")]
        except ResourceNotFound:
            return [Problem(f"channel {channel} does not exist", "check `channel` in config.toml")]
        if found.get("delete_at"):
            return [Problem(f"channel {channel} is archived", "unarchive it, or put another channel in config.toml")]
        try:
            await self.conn.call(lambda d: d.channels.get_channel_member(channel, self.conn.user_id))
        except (NotEnoughPermissions, ResourceNotFound):
            return [Problem(f"the bot is not in channel {channel}", INVITE)]
        return []

    async def _person(self, user_id: str) -> tuple[str, str] | None:
        try:
            user = await self.conn.call(lambda d: d.users.get_user(user_id))
        except ResourceNotFound:
            return f"{{role}}: {user_id} is not a user on this server", "correct the id in {role} in config.toml"
        if user.get("delete_at"):
            return (f"{{role}}: {user_id} (@{user.get('username')}) is deactivated",
                    "remove them from {role} in config.toml, or name someone else")
        if user.get("is_bot"):
            return f"{{role}}: {user_id} (@{user.get('username')}) is a bot, not a person", "remove it from {role} in config.toml"
        return None

    async def close(self) -> None:
        await self.conn.close()
