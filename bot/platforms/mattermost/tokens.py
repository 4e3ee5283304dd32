"""Which Mattermost team a slash command's token belongs to, and where it may act.

Mattermost gives each team's slash command its own token; `MATTERMOST_COMMAND_TOKENS`
lists them as `team:token`, the team by its URL name or its id (README, "Install in
Mattermost"). Whoever holds a token can send any `user_id`, `team_id` and `channel_id`:
Mattermost signs nothing else. So a bound token is judged only by what the server says:
the request's channel must be in the token's team (or be a DM or group channel, which
belong to no team), and the ritualbot team the command acts in must have its channel in
the token's team. A DM never switches a command to a team elsewhere, whatever team the
claimed person is in.
"""

from __future__ import annotations

import hmac
from collections.abc import Sequence

from bot.platforms.mattermost.platform import MattermostPlatform

NO_TEAM = ("", "")  # a DM or group channel: no Mattermost team


class CommandTokens:
    """The slash commands' tokens (`team:token` or a bare token bound to no team)."""

    def __init__(self, entries: Sequence[str], platform: MattermostPlatform) -> None:
        self._tokens = [_bound(entry) for entry in entries]
        self._platform = platform
        self._channel_teams: dict[str, str] = {}
        self._team_names: dict[str, str] = {}

    def team_of(self, given: str) -> str | None:
        """The Mattermost team (name or id, as configured) the token `given` is bound to; ""
        for a token bound to no team; None when no token matches."""
        # Compare with every team's token (no early exit), so timing tells nothing about which matched.
        matches = [team for team, token in self._tokens if hmac.compare_digest(given.encode(), token)]
        return matches[0] if given and matches else None

    async def team_of_channel(self, channel: str) -> tuple[str, str]:
        """(id, URL name) of the Mattermost team `channel` is in, as the server says; ("", "")
        for a DM or group channel. Both cached: a channel never moves to another team.
        Raises what the driver raises when the server cannot tell."""
        if channel not in self._channel_teams:
            found = await self._platform.call(lambda d: d.channels.get_channel(channel))
            self._channel_teams[channel] = str(found.get("team_id") or "")
        team_id = self._channel_teams[channel]
        if not team_id:
            return NO_TEAM
        if team_id not in self._team_names:
            team = await self._platform.call(lambda d: d.teams.get_team(team_id))
            self._team_names[team_id] = str(team.get("name") or "")
        return team_id, self._team_names[team_id]

    async def in_team(self, bound: str, channel: str, *, dm_too: bool) -> bool:
        """Whether `channel` is in the Mattermost team `bound` (its id or URL name); a DM or
        group channel counts only when `dm_too`."""
        team = await self.team_of_channel(channel)
        if team == NO_TEAM:
            return dm_too
        return bound in team


def _bound(entry: str) -> tuple[str, bytes]:
    """`team:token` → (team, token); a bare token is bound to no team ("")."""
    team, sep, token = entry.rpartition(":")
    return (team.strip(), token.strip().encode()) if sep else ("", entry.encode())
