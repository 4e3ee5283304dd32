"""Which team a command, a click or a language lookup belongs to.

In a team's channel it is that team. Elsewhere (a direct message with the bot) it is the
one team on the platform the person belongs to: by role, as the team's confidant (who may
be outside the team and can only write to the bot in a DM), or on its configured roster.
Someone who belongs to several teams there names the team as the command's last word
(`/ritual mydata zuid`); without it they are told which teams they can name, so a confidant
serving two teams can still read and erase their data (issue 15 point 4).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from bot.teams import TeamView


def person_teams(teams: Iterable[TeamView], platform: str, user_id: str) -> list[TeamView]:
    """The teams on `platform` that name `user_id`: admin, leader, confidant or rostered member."""
    return [t for t in teams if t.platform == platform and (
        user_id in t.admins or user_id in t.leaders or user_id == t.confidant
        or (t.configured_members is not None and user_id in t.configured_members))]


def team_for(by_channel: Mapping[tuple[str, str], TeamView], teams: Iterable[TeamView], platform: str,
             channel_id: str | None, user_id: str) -> TeamView | None:
    """The team of the channel, else the person's one team on the platform, else the
    platform's only team; None when that is not one team."""
    if channel_id is not None and (platform, channel_id) in by_channel:
        return by_channel[(platform, channel_id)]
    teams = list(teams)
    mine = person_teams(teams, platform, user_id)
    if len(mine) == 1:
        return mine[0]
    on_platform = [t for t in teams if t.platform == platform]
    if not mine and len(on_platform) == 1:
        return on_platform[0]
    return None


def named_last(teams: Iterable[TeamView], platform: str, user_id: str,
               words: list[str]) -> tuple[TeamView | None, list[str], list[str]]:
    """For someone in several teams: (the team whose id is the last of `words`, the words
    without it, the ids they could name). The team is None when the last word names none of
    them; the ids are empty when the person is not in several teams."""
    mine = person_teams(teams, platform, user_id)
    if len(mine) < 2:
        return None, words, []
    ids = sorted(t.id for t in mine)
    chosen = next((t for t in mine if words and words[-1] == t.id), None)
    return chosen, (words[:-1] if chosen else words), ids
