"""Config validation: every problem names the file, the key path and what is wrong."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from bot.config import ConfigError, load_config
from bot.registry import discover

GOOD = """
[[teams]]
id = "a"
platform = "local"
channel = "C1"
admins = ["x"]
leaders = ["x"]
members = ["x", "y"]
[teams.rituals.weekly_success_mistake]
schedule = "fri 14:00"
"""


def _problems(tmp_path: Path, toml: str) -> list[str]:
    path = tmp_path / "c.toml"
    path.write_text(textwrap.dedent(toml))
    with pytest.raises(ConfigError) as err:
        load_config(path, discover())
    return err.value.problems


def test_example_config_is_valid() -> None:
    config = load_config(Path(__file__).parent.parent / "config.toml", discover())
    assert len(config.teams) >= 2


@pytest.mark.parametrize(("patch", "expected"), [
    ('[[teams]]\nid="a"\nplatform="local"\nchannel="C"\ncolour="red"', "c.toml: teams[0].colour: unknown key"),
    ('[[teams]]\nid="a"\nplatform="irc"\nchannel="C"', "c.toml: teams[0].platform: Input should be 'slack', 'mattermost' or 'local'"),
    ('[[teams]]\nid="a"\nplatform="local"\nchannel="C"\ntimezone="Europe/Atlantis"', "c.toml: teams[0].timezone: unknown timezone 'Europe/Atlantis'"),
    ('[[teams]]\nid="a"\nplatform="local"\nchannel="C"\n[teams.rituals.weekly_success_mistake]\nschedule="fry 14:00"',
     "c.toml: teams[0].rituals.weekly_success_mistake.schedule: bad schedule: unknown day 'fry'"),
    ('[[teams]]\nid="a"\nplatform="local"\nchannel="C"\n[teams.rituals.weekly_success_mistake]\nschedule="fri 25:00"',
     "teams[0].rituals.weekly_success_mistake.schedule: bad schedule: expected a time like 14:00"),
    ('[[teams]]\nid="a"\nplatform="local"\nchannel="C"\n[teams.rituals.no_such_ritual]\nenabled=true',
     "c.toml: teams[0].rituals.no_such_ritual: unknown ritual 'no_such_ritual'"),
    ('[[teams]]\nid="a"\nplatform="local"\nchannel="C"\n[[teams]]\nid="a"\nplatform="local"\nchannel="D"',
     "c.toml: teams[1].id: duplicate team id 'a' (also teams[0])"),
    ('[[teams]]\nid="a"\nplatform="local"\nchannel="C"\nleaders=["boss"]\nmembers=["x"]',
     "c.toml: teams[0].leaders[0]: leader 'boss' is not in members"),
    ('[[teams]]\nid="a"\nplatform="local"\nchannel="C"\nslack_token="xoxb-1"',
     "c.toml: teams[0].slack_token: secrets do not belong in the config file"),
    ('[[teams]]\nid="a"\nplatform="local"\nchannel="C"\n[teams.rituals.weekly_success_mistake]\ndigest_after_hours=0',
     "c.toml: teams[0].rituals.weekly_success_mistake.digest_after_hours: Input should be greater than or equal to 1"),
    ('[[teams]]\nid="a"\nplatform="local"\nchannel="C"\n[teams.rituals.weekly_success_mistake]\nbogus_option=1',
     "c.toml: teams[0].rituals.weekly_success_mistake.bogus_option: unknown key"),
    ('language = "fr"', "c.toml: language: unknown language 'fr': ritualbot speaks en, nl;"),
    ('[[teams]]\nplatform="local"\nchannel="C"', "c.toml: teams[0].id: required key is missing"),
    ('[[teams]]\nid="a"\nplatform="local"\nchannel="C"\ncountry="XX"', "c.toml: teams[0].country: unknown country code 'XX'"),
])
def test_each_problem_is_reported_with_its_key_path(tmp_path: Path, patch: str, expected: str) -> None:
    problems = _problems(tmp_path, patch)
    assert any(expected.removeprefix("c.toml: ") in p and p.startswith(str(tmp_path)) for p in problems), problems


def test_all_problems_are_reported_at_once(tmp_path: Path) -> None:
    problems = _problems(tmp_path, '[[teams]]\nid="a"\nplatform="local"\nchannel="C"\ntimezone="Nowhere"\nfoo=1')
    assert len(problems) == 2


def test_broken_toml_says_where(tmp_path: Path) -> None:
    problems = _problems(tmp_path, "[[teams]\nid=")
    assert problems[0].startswith(f"{tmp_path / 'c.toml'}: not valid TOML") and "line 1" in problems[0]


def test_two_teams_in_one_channel_are_refused(tmp_path: Path) -> None:
    """A command in a channel acts in that channel's one team: the second team's admins could
    never run it from there, and `/ritual forget` there never reached its data."""
    team = '[[teams]]\nid="{}"\nplatform="slack"\nchannel="C0SAME0001"\nmembers=["U0ANNA"]\n'
    problems = _problems(tmp_path, team.format("a") + team.format("b") + team.format("c").replace("slack", "local"))
    assert problems == [f"{tmp_path / 'c.toml'}: teams[1].channel: channel 'C0SAME0001' is already teams[0]'s: "
                        "each team needs its own channel (team 'b', line 9)"]


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        load_config(tmp_path / "nope.toml", discover())
    assert err.value.problems == [f"{tmp_path / 'nope.toml'}: file not found"]


def test_a_config_that_cannot_be_read_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    """A file in another encoding, or a directory given for the file: one line naming it."""
    latin = tmp_path / "latin.toml"
    latin.write_bytes('language = "nl"\n# caf\xe9\n'.encode("latin-1"))
    with pytest.raises(ConfigError) as err:
        load_config(latin, discover())
    assert err.value.problems == [f"{latin}: not UTF-8 text (save the file as UTF-8)"]
    with pytest.raises(ConfigError) as err:
        load_config(tmp_path, discover())
    assert err.value.problems[0].startswith(f"{tmp_path}: cannot be read: ")
    result = subprocess.run([sys.executable, "-m", "bot", "check-config", str(latin)], capture_output=True, text=True)
    assert result.returncode == 2 and "Traceback" not in result.stderr


def test_check_config_command_exit_codes(tmp_path: Path) -> None:
    good, bad = tmp_path / "good.toml", tmp_path / "bad.toml"
    good.write_text(GOOD)
    bad.write_text(GOOD.replace('"fri 14:00"', '"someday"'))
    ok = subprocess.run([sys.executable, "-m", "bot", "check-config", str(good)], capture_output=True, text=True)
    assert ok.returncode == 0 and "OK" in ok.stdout
    fail = subprocess.run([sys.executable, "-m", "bot", "check-config", str(bad)], capture_output=True, text=True)
    assert fail.returncode != 0
    assert f"{bad}: teams[0].rituals.weekly_success_mistake.schedule: bad schedule" in fail.stderr


def test_a_schedule_shared_by_many_teams_is_refused_in_each(tmp_path: Path) -> None:
    """Schedules are checked once per text (start-up with 10,000 teams), yet every team that
    has a bad one is named, and a good one is accepted in every team."""
    team = ('[[teams]]\nid = "t{i}"\nplatform = "local"\nchannel = "C{i}"\n'
            '[teams.rituals.weekly_success_mistake]\nschedule = "{schedule}"\n')
    path = tmp_path / "c.toml"
    path.write_text("".join(team.format(i=i, schedule="0 14 31 2 *" if i % 2 else "fri 14:00") for i in range(4)))
    with pytest.raises(ConfigError) as err:
        load_config(path, discover())
    bad = [p for p in err.value.problems if "bad schedule" in p]
    assert [p.split(":")[1].strip() for p in bad] == ["teams[1].rituals.weekly_success_mistake.schedule",
                                                     "teams[3].rituals.weekly_success_mistake.schedule"]
