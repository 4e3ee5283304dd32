"""`ritualbot doctor` against the local Slack and Mattermost servers: per team, what to fix."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from bot.doctor import run_doctor
from tests.conftest import make_config
from tests.fakes.mattermost_api import FakeMattermost
from tests.fakes.slack_api import FakeSlack

ANNA, BRAM, GONE, NOBODY = "U0ANNA0001", "U0BRAM0001", "U0GONE0001", "U0NOBODY01"


def slack_toml(*teams: tuple[str, str, list[str]]) -> str:
    return "".join(f'\n[[teams]]\nid = "{tid}"\nplatform = "slack"\nchannel = "{channel}"\nadmins = ["{ANNA}"]\n'
                   f'members = {members!r}\n'.replace("'", '"') for tid, channel, members in teams)


def seeded_slack(slack: FakeSlack) -> None:
    slack.add_user(ANNA, "anna")
    slack.add_user(BRAM, "bram")
    slack.add_user(GONE, "gone", deleted=True)
    slack.add_channel("C0GOOD0001", [ANNA, BRAM])
    slack.add_channel("C0OUT00001", [ANNA, BRAM], bot_is_member=False)
    slack.add_channel("C0OLD00001", [ANNA, BRAM])
    slack.archive_channel("C0OLD00001")


async def test_slack_doctor_names_each_teams_problems_and_their_fixes() -> None:
    async with FakeSlack() as slack:
        seeded_slack(slack)
        slack.scopes -= {"channels:history", "groups:history"}
        config = make_config(slack_toml(("good", "C0GOOD0001", [ANNA, BRAM]),
                                        ("outside", "C0OUT00001", [ANNA, GONE, NOBODY]),
                                        ("archived", "C0OLD00001", [ANNA]),
                                        ("missing", "C0NOPE0001", [ANNA])))
        env = {"SLACK_BOT_TOKEN": slack.bot_token, "SLACK_API_URL": slack.api_url}
        problems, report = await run_doctor(config, env)
    print(report)
    blocks = {block.split(" ", 1)[0]: block for block in report.split("\n") if not block.startswith(" ")}
    assert blocks["good"].endswith(": OK")  # the optional history scopes are mentioned, not counted
    assert "channels:history, groups:history" in report and "asks the admins instead" in report
    team = report.split("outside (")[1].split("\narchived (")[0]
    assert "the bot is not in channel C0OUT00001" in team and "/invite @ritualbot" in team
    assert f"members: {GONE} (gone) is deactivated" in team
    assert f"members: {NOBODY} is not a user of this workspace" in team
    assert "channel C0OLD00001 is archived" in report
    assert "channel C0NOPE0001 does not exist" in report
    assert problems == 3 + 1 + 1


async def test_slack_doctor_a_dead_token_and_a_missing_scope() -> None:
    async with FakeSlack() as slack:
        seeded_slack(slack)
        config = make_config(slack_toml(("good", "C0GOOD0001", [ANNA, BRAM])))
        problems, report = await run_doctor(config, {"SLACK_BOT_TOKEN": "xoxb-wrong", "SLACK_API_URL": slack.api_url})
        assert problems == 1 and "the token does not work (invalid_auth)" in report
        slack.scopes.discard("im:write")
        problems, report = await run_doctor(config, {"SLACK_BOT_TOKEN": slack.bot_token,
                                                     "SLACK_API_URL": slack.api_url})
        assert problems == 1 and "the token lacks the scope im:write" in report
        problems, report = await run_doctor(config, {})
        assert problems == 1 and "no slack credentials in the environment" in report
        assert "fix: set SLACK_BOT_TOKEN as the README's install section for slack says" in report  # not MATTERMOST_TOKEN


async def test_mattermost_doctor_checks_channel_membership_and_people() -> None:
    chan, out, old, team = "chan" + "a" * 22, "out" + "a" * 23, "old" + "a" * 23, "team" + "a" * 22
    lien, mo, gone = "lien" + "a" * 22, "mo" + "a" * 24, "gone" + "a" * 22
    async with FakeMattermost() as mm:
        mm.add_user(lien, "lien")
        mm.add_user(mo, "mo")
        mm.add_user(gone, "gone", delete_at=1700000000000)
        mm.add_channel(chan, team, members=[mm.bot_user_id, lien, mo])
        mm.add_channel(out, team, members=[lien, mo])
        mm.add_channel(old, team, members=[mm.bot_user_id, lien])
        mm.archive_channel(old)
        toml = "".join(f'\n[[teams]]\nid = "{tid}"\nplatform = "mattermost"\nchannel = "{c}"\nadmins = ["{lien}"]\n'
                       f'members = ["{lien}", "{m}"]\n'
                       for tid, c, m in (("good", chan, mo), ("outside", out, mo), ("archived", old, gone)))
        env = {"MATTERMOST_URL": mm.url, "MATTERMOST_TOKEN": mm.bot_token}
        problems, report = await run_doctor(make_config(toml), env)
    print(report)
    assert "good (mattermost, channel " + chan + "): OK" in report
    assert f"the bot is not in channel {out}" in report and "/invite @ritualbot" in report
    assert f"channel {old} is archived" in report
    assert f"members: {gone} (@gone) is deactivated" in report
    assert problems == 3


async def test_the_doctor_command_exits_non_zero_when_something_is_wrong(tmp_path: Path) -> None:
    async with FakeSlack() as slack:
        seeded_slack(slack)
        env = {**os.environ, "SLACK_BOT_TOKEN": slack.bot_token, "SLACK_API_URL": slack.api_url,
               "NO_PROXY": "127.0.0.1"}
        codes = []
        for name, toml in (("good", slack_toml(("good", "C0GOOD0001", [ANNA, BRAM]))),
                           ("bad", slack_toml(("outside", "C0OUT00001", [ANNA])))):
            path = tmp_path / f"{name}.toml"
            path.write_text(toml)
            proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "doctor", "--config", str(path),
                                                        env=env, stdout=asyncio.subprocess.PIPE,
                                                        stderr=asyncio.subprocess.STDOUT)
            out, _ = await asyncio.wait_for(proc.communicate(), 60)
            codes.append((proc.returncode, out.decode()))
    assert codes[0][0] == 0 and "all teams OK" in codes[0][1]
    assert codes[1][0] == 1 and "the bot is not in channel C0OUT00001" in codes[1][1]


async def test_the_doctor_says_slack_did_not_answer_instead_of_a_traceback(tmp_path: Path) -> None:
    """Found by trying it: with Slack out of reach the doctor died with an aiohttp traceback."""
    path = tmp_path / "config.toml"
    path.write_text(slack_toml(("noord", "C0GOOD0001", [ANNA])))
    env = {**os.environ, "SLACK_BOT_TOKEN": "xoxb-not-checked", "SLACK_API_URL": "http://127.0.0.1:9/api/",
           "NO_PROXY": "127.0.0.1"}
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "doctor", "--config", str(path), env=env,
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    out, _ = await asyncio.wait_for(proc.communicate(), 60)
    text = out.decode()
    assert proc.returncode == 1 and "Traceback" not in text
    assert "Slack did not answer at http://127.0.0.1:9/api/" in text and "fix: check the network" in text
