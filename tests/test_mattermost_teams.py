"""One ritualbot for several Mattermost teams of one server (issue 14).

Each Mattermost team gets its own `/ritual` slash command, and Mattermost gives each its
own token: `MATTERMOST_COMMAND_TOKENS` takes them all (`MATTERMOST_COMMAND_TOKEN` still
works for one). `ritualbot run` as a real process against the Mattermost fake.
"""

from __future__ import annotations

from pathlib import Path

import aiohttp
import pytest

from bot.config import ConfigError
from bot.platforms.mattermost import command_tokens, settings_from_env
from tests.conftest import free_port, make_config
from tests.fakes.mattermost_api import FakeMattermost
from tests.test_run_e2e import (
    HEADER,
    HELP_LINE,
    LIEN,
    MM_CHAN,
    MM_TEAM,
    MM_TEAM_TOML,
    MO,
    mattermost_env,
    seed_mattermost,
)
from tests.test_startup_e2e import ritualbot

WEST_CHAN, WEST_TEAM = "chanwest00000000000000000a", "teamwest00000000000000000a"
TOKEN_ZUID, TOKEN_WEST = "cmd-token-zuid-0123456789", "cmd-token-west-0123456789"
WEST_TOML = MM_TEAM_TOML.replace('"zuid"', '"west"').replace(MM_CHAN, WEST_CHAN)


async def test_each_mattermost_team_has_its_own_slash_command(tmp_path: Path, database_url: str) -> None:
    async with FakeMattermost() as mm, aiohttp.ClientSession() as http:
        seed_mattermost(mm)
        mm.add_channel(WEST_CHAN, WEST_TEAM, members=[mm.bot_user_id, LIEN, MO], name="team-west")
        port = free_port()
        env = mattermost_env(mm, port) | {"MATTERMOST_COMMAND_TOKEN": "",
                                          "MATTERMOST_COMMAND_TOKENS": f"{TOKEN_ZUID}, {TOKEN_WEST}"}
        async with ritualbot(tmp_path, database_url, HEADER + MM_TEAM_TOML + WEST_TOML, env, port=port) as bot:
            await bot.wait_healthy(http)
            answers = {}
            for team_id, channel, token in ((MM_TEAM, MM_CHAN, TOKEN_ZUID), (WEST_TEAM, WEST_CHAN, TOKEN_WEST)):
                form = mm.slash_command_form(token, text="status", user_id=LIEN, channel_id=channel, team_id=team_id)
                answers[team_id] = await mm.send_slash_command(bot.base + "/mattermost/command", form)
            assert {k: a.status for k, a in answers.items()} == {MM_TEAM: 200, WEST_TEAM: 200}
            assert "zuid" in answers[MM_TEAM].json["text"] and "west" in answers[WEST_TEAM].json["text"]
            form = mm.slash_command_form("a-third-token", text="help", user_id=LIEN, channel_id=WEST_CHAN,
                                         team_id=WEST_TEAM)
            refused = await mm.send_slash_command(bot.base + "/mattermost/command", form)
            assert refused.status == 401 and HELP_LINE not in str(refused.json)
            code, _ = await bot.terminate()
            assert code == 0, bot.log()


async def test_a_token_bound_to_its_team_cannot_act_in_another(tmp_path: Path, database_url: str) -> None:
    """Found by trying it: any team's token was accepted for every team, so whoever saw team
    A's slash-command token could run `/ritual mydata` or `forget` as a member of team B."""
    async with FakeMattermost() as mm, aiohttp.ClientSession() as http:
        seed_mattermost(mm)
        mm.add_team(WEST_TEAM, "west")
        mm.add_channel(WEST_CHAN, WEST_TEAM, members=[mm.bot_user_id, LIEN, MO], name="team-west")
        port = free_port()
        env = mattermost_env(mm, port) | {"MATTERMOST_COMMAND_TOKEN": "",
                                          "MATTERMOST_COMMAND_TOKENS": f"{MM_TEAM}:{TOKEN_ZUID}, west:{TOKEN_WEST}"}
        async with ritualbot(tmp_path, database_url, HEADER + MM_TEAM_TOML + WEST_TOML, env, port=port) as bot:
            await bot.wait_healthy(http)

            async def send(token: str, team_id: str, channel: str, domain: str) -> int:
                form = mm.slash_command_form(token, text="mydata", user_id=MO, channel_id=channel, team_id=team_id,
                                             team_domain=domain)
                answer = await mm.send_slash_command(bot.base + "/mattermost/command", form)
                return answer.status

            assert await send(TOKEN_ZUID, MM_TEAM, MM_CHAN, "zuid") == 200, bot.log()  # bound by team id
            assert await send(TOKEN_WEST, WEST_TEAM, WEST_CHAN, "west") == 200  # bound by team name
            assert await send(TOKEN_ZUID, WEST_TEAM, WEST_CHAN, "west") == 401  # another team's request
            assert await send(TOKEN_ZUID, MM_TEAM, WEST_CHAN, "zuid") == 401  # a channel of another team
            code, _ = await bot.terminate()
            assert code == 0, bot.log()


def test_one_token_or_a_list() -> None:
    assert command_tokens({"MATTERMOST_COMMAND_TOKEN": "a"}) == ("a",)
    assert command_tokens({"MATTERMOST_COMMAND_TOKEN": "a", "MATTERMOST_COMMAND_TOKENS": "b, c a"}) == ("a", "b", "c")
    base = {"MATTERMOST_URL": "https://chat.example.org", "MATTERMOST_TOKEN": "t",
            "BOT_PUBLIC_URL": "https://bot.example.org"}
    settings = settings_from_env(base | {"MATTERMOST_COMMAND_TOKENS": "x,y"}, make_config(HEADER + MM_TEAM_TOML))
    assert settings is not None and settings.command_tokens == ("x", "y")
    with pytest.raises(ConfigError) as err:
        settings_from_env(base, make_config(HEADER + MM_TEAM_TOML))
    assert "MATTERMOST_COMMAND_TOKEN (or MATTERMOST_COMMAND_TOKENS, one per Mattermost team) is not set" in str(err.value)


NOOR = "noore2e00000000000000000aa"  # on team west's roster only
WEST_NOOR_TOML = WEST_TOML.replace(f'members = ["{LIEN}", "{MO}"]', f'members = ["{LIEN}", "{NOOR}"]')


async def test_a_bound_token_never_reaches_another_team_through_a_dm_or_a_claimed_name(
        tmp_path: Path, database_url: str) -> None:
    """Found by an attacker test: with team zuid's token, a DM channel and the id of someone
    only in team west, `/ritual mydata` answered with west's data (the team was picked from
    the person's membership); and a token bound by name trusted the team id the request
    claimed. A bound token acts only in ritualbot teams whose channel is in its own
    Mattermost team, as the server says, whatever the request claims."""
    async with FakeMattermost() as mm, aiohttp.ClientSession() as http:
        seed_mattermost(mm)
        mm.add_user(NOOR, "noor", locale="en")
        mm.add_team(MM_TEAM, "zuid")
        mm.add_team(WEST_TEAM, "west")
        mm.add_channel(WEST_CHAN, WEST_TEAM, members=[mm.bot_user_id, LIEN, NOOR], name="team-west")
        noor_dm = mm.add_direct_channel(mm.bot_user_id, NOOR)["id"]
        lien_dm = mm.add_direct_channel(mm.bot_user_id, LIEN)["id"]
        port = free_port()
        env = mattermost_env(mm, port) | {"MATTERMOST_COMMAND_TOKEN": "",
                                          "MATTERMOST_COMMAND_TOKENS": f"{MM_TEAM}:{TOKEN_ZUID}, west:{TOKEN_WEST}"}
        async with ritualbot(tmp_path, database_url, HEADER + MM_TEAM_TOML + WEST_NOOR_TOML, env, port=port) as bot:
            await bot.wait_healthy(http)

            async def send(token: str, team_id: str, domain: str, channel: str, user: str) -> tuple[int, str]:
                form = mm.slash_command_form(token, text="mydata", user_id=user, channel_id=channel,
                                             team_id=team_id, team_domain=domain)
                answer = await mm.send_slash_command(bot.base + "/mattermost/command", form)
                return answer.status, str(answer.json)

            status, body = await send(TOKEN_ZUID, MM_TEAM, "zuid", noor_dm, NOOR)
            assert status == 401 and "west" not in body, body  # zuid's token, a DM, someone of west only
            status, body = await send(TOKEN_WEST, MM_TEAM, "west", MM_CHAN, MO)
            assert status == 401 and "zuid" not in body, body  # west's token claiming zuid's team id
            assert (await send(TOKEN_WEST, WEST_TEAM, "west", noor_dm, NOOR))[0] == 200  # her own team's token
            assert (await send(TOKEN_ZUID, MM_TEAM, "zuid", lien_dm, LIEN))[0] == 200, bot.log()  # in both: zuid
            code, _ = await bot.terminate()
            assert code == 0, bot.log()
            assert TOKEN_ZUID not in bot.log() and TOKEN_WEST not in bot.log()
            assert "refused" in bot.log()
