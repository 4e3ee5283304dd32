"""check-config checks what it can without asking the platforms (issue 14): ids that are
names or tokens, all problems in one pass with the team's id and the line, `[[team]]`,
Dutch day names in full, and a password in `database_url`."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from bot.config import ConfigError, load_config
from bot.registry import discover
from bot.schedule import parse_schedule


def problems(tmp_path: Path, toml: str) -> list[str]:
    path = tmp_path / "c.toml"
    path.write_text(textwrap.dedent(toml).lstrip())
    with pytest.raises(ConfigError) as err:
        load_config(path, discover())
    return [p.removeprefix(f"{path}: ") for p in err.value.problems]


TWELVE = "".join(f'''
[[teams]]
id = "team-{i}"
platform = "slack"
channel = "C0TEAM{i:04d}"
members = ["U0ANNA{i:04d}"]
''' for i in range(8))


def test_names_and_tokens_where_ids_belong_are_refused_with_the_fix(tmp_path: Path) -> None:
    found = problems(tmp_path, TWELVE + '''
[[teams]]
id = "jeugdteam-zuid"
platform = "slack"
channel = "#jeugdteam-zuid"
admins = ["@omar.elamrani"]
members = ["@omar.elamrani", "U0BRAM01", "xoxb-1234-5678-abcdefabcdef"]
confidant = "vera"

[[teams]]
id = "school"
platform = "mattermost"
channel = "town-square"
members = ["jasper00000000000000000000", "@karin"]
''')
    assert found == [
        "teams[8].channel: '#jeugdteam-zuid' is a channel name, not an id: use the channel ID (channel details → "
        "About, at the bottom), e.g. C0123ABCD (team 'jeugdteam-zuid', line 52)",
        "teams[8].admins[0]: '@omar.elamrani' is a user name, not an id: use the member ID from the profile "
        "(⋮ → Copy member ID), e.g. U0123ABCD (team 'jeugdteam-zuid', line 53)",
        "teams[8].members[0]: '@omar.elamrani' is a user name, not an id: use the member ID from the profile "
        "(⋮ → Copy member ID), e.g. U0123ABCD (team 'jeugdteam-zuid', line 54)",
        "teams[8].members[2]: this looks like a token, not a user id; tokens belong in the environment, never "
        "here: use the member ID from the profile (⋮ → Copy member ID), e.g. U0123ABCD (team 'jeugdteam-zuid', "
        "line 54)",
        "teams[8].confidant: 'vera' is not a Slack user id: use the member ID from the profile (⋮ → Copy member "
        "ID), e.g. U0123ABCD (team 'jeugdteam-zuid', line 55)",
        "teams[9].channel: 'town-square' is not a Mattermost channel id: use the channel ID (channel menu → View "
        "Info), 26 letters and digits (team 'school', line 60)",
        "teams[9].members[1]: '@karin' is a user name, not an id: use the user ID (System Console → Users, or the "
        "profile), 26 letters and digits (team 'school', line 61)",
    ]


def test_every_kind_of_problem_comes_in_one_pass(tmp_path: Path) -> None:
    found = problems(tmp_path, '''
language = "fr"
[[teams]]
id = "a"
platform = "local"
channel = "C"
timezone = "Nowhere"
[teams.rituals.weekly_success_mistake]
schedule = "fry 14:00"

[[teams]]
id = "b"
platform = "slack"
channel = "#b"
leaders = ["U0BOSS"]
members = ["U0X"]
[teams.rituals.no_such_ritual]
enabled = true
''')
    assert [p.split(":")[0] for p in found] == [
        "language", "teams[0].timezone", "teams[0].rituals.weekly_success_mistake.schedule", "teams[1].channel",
        "teams[1].leaders[0]", "teams[1].rituals.no_such_ritual"]
    assert found[2].endswith("(team 'a', line 8)") and found[4].endswith("(team 'b', line 14)")


def test_a_team_with_a_bad_value_still_gets_its_other_problems_in_the_same_pass(tmp_path: Path) -> None:
    """Found by trying it: a leader outside members, an unknown option, an unknown ritual and
    a duplicate id showed only after the channel and the holiday were fixed; a number of hours
    in quotes and [[team]] next to [[teams]] passed without the hint."""
    found = problems(tmp_path, '''
[[teams]]
id = "jz"
platform = "slack"
channel = "#jeugdteam-zuid"
leaders = ["U0NOTMEMBER"]
members = ["U0A"]
holidays = ["2026-13-01"]
[teams.rituals.weekly_success_mistake]
schedule = "frii 25:00"
sharer_notice_hours = "24"
foo = 1
[teams.rituals.unknown_ritual]

[[teams]]
id = "jz"
platform = "local"
channel = "C"

[[team]]
id = "x"
''')
    assert [p.split(":")[0] for p in found] == [
        "teams[0].channel", "teams[0].leaders[0]", "teams[0].holidays[0]",
        "teams[0].rituals.weekly_success_mistake.schedule", "teams[0].rituals.weekly_success_mistake.sharer_notice_hours",
        "teams[0].rituals.weekly_success_mistake.foo", "teams[0].rituals.unknown_ritual", "teams[1].id", "team"]
    assert "unknown day 'frii'" in found[3] and "(got '24')" in found[4] and "[[teams]] table (plural)" in found[8]
    assert "'25:00' is not a time of day (00:00 to 23:59)" in problems(tmp_path, '''
[[teams]]
id = "a"
platform = "local"
channel = "C"
[teams.rituals.weekly_success_mistake]
schedule = "vrijdag 25:00"
''')[0]


def test_singular_team_tables_get_a_message_about_that(tmp_path: Path) -> None:
    twice = '''
[[team]]
id = "a"
platform = "local"
channel = "C"
[team.rituals.weekly_success_mistake]
schedule = "fri 14:00"

[[team]]
id = "b"
platform = "local"
channel = "D"
[team.rituals.weekly_success_mistake]
schedule = "fri 14:00"
'''
    message = ("each team is a [[teams]] table (plural), and its rituals [teams.rituals.<ritual id>]; this file "
               "uses [[team]] or [team.…] (line 1)")
    assert problems(tmp_path, twice) == ["team: " + message]
    # With [teams.rituals.…] under [[team]], TOML itself fails ("Cannot declare ... twice"): same advice.
    assert problems(tmp_path, twice.replace("[team.rituals", "[teams.rituals")) == [message]
    once = problems(tmp_path, '[[team]]\nid = "a"\nplatform = "local"\nchannel = "C"\n')
    assert once == ["team: each team is a [[teams]] table (plural), and its rituals [teams.rituals.<ritual id>]; "
                    "this file uses [[team]] or [team.…] (line 1)"]


def test_a_password_in_database_url_is_refused(tmp_path: Path) -> None:
    found = problems(tmp_path, 'database_url = "postgresql://ritualbot:geheim@db.example.org/ritualbot"\n')
    assert found == ["database_url: contains a password; secrets do not belong in the config file: set "
                     "DATABASE_URL in the environment (e.g. in the service's environment file) and leave "
                     "database_url out (line 1)"]
    assert "geheim" not in found[0]
    path = tmp_path / "ok.toml"
    path.write_text('database_url = "postgresql://ritualbot@db.example.org/ritualbot"\n')
    load_config(path, discover())  # a user without password (peer or .pgpass) is fine


@pytest.mark.parametrize(("dutch", "english"), [
    ("vrijdag 14:00", "fri 14:00"), ("maandag,donderdag 09:30", "mon,thu 09:30"),
    ("eerste dinsdag 14:00", "first tue 14:00"), ("laatste woensdag 10:00", "last wed 10:00"),
])
def test_dutch_day_names_in_full(dutch: str, english: str) -> None:
    assert parse_schedule(dutch).fields == parse_schedule(english).fields


def test_check_config_prints_them_all(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text(TWELVE + '[[teams]]\nid = "x"\nplatform = "slack"\nchannel = "#x"\nadmins = ["@y"]\n'
                    '[teams.rituals.weekly_success_mistake]\nschedule = "vrijdag 14:00"\n')
    result = subprocess.run([sys.executable, "-m", "bot", "check-config", str(path)], capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stderr.count("(team 'x', line") == 2 and "Traceback" not in result.stderr


def test_members_that_are_neither_a_list_nor_channel_get_one_plain_line(tmp_path: Path) -> None:
    """Found by trying it: `members = "everyone"` gave two lines about `list[str]` and
    `literal['channel']`, and a team id with a space a regular expression."""
    found = problems(tmp_path, '''
        [[teams]]
        id = "noord team"
        platform = "slack"
        channel = "C0NOORD01"
        members = "everyone"
    ''')
    assert found == [
        "teams[0].id: use only letters, digits, '-', '_' and '.' (got 'noord team') (team 'noord team', line 2)",
        "teams[0].members: a list of user ids, or \"channel\" for everyone in the team's channel (got 'everyone') "
        "(team 'noord team', line 5)",
    ]


def test_a_team_that_runs_the_confidant_line_without_a_confidant_is_named(tmp_path: Path) -> None:
    """Found by trying it: check-config said nothing, and `/ritual signal` there only told
    people there was no confidant. Valid, so not refused; said at start-up and by check-config."""
    path = tmp_path / "c.toml"
    path.write_text(textwrap.dedent('''
        [[teams]]
        id = "noord"
        platform = "local"
        channel = "C1"
        [teams.rituals.confidant_line]

        [[teams]]
        id = "zuid"
        platform = "local"
        channel = "C2"
        confidant = "vera"
        [teams.rituals.confidant_line]
    ''').lstrip())
    result = subprocess.run([sys.executable, "-m", "bot", "check-config", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert ("team 'noord' runs confidant_line without a confidant: it reaches nobody there; set `confidant` for "
            "that team in the config, or switch confidant_line off") in result.stderr
    assert "'zuid'" not in result.stderr


def test_check_config_with_v_says_only_what_it_checked_and_opens_no_database(tmp_path: Path) -> None:
    """check-config reads the file; it needs no database, so with `-v` there is no migration
    machinery (alembic) and no host timezone lookup (tzlocal) in its output, and no file is made."""
    import os

    config = Path(__file__).resolve().parent.parent / "config.toml"
    database = tmp_path / "never.db"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MATTERMOST_"))}
    result = subprocess.run([sys.executable, "-m", "bot", "check-config", "--config", str(config), "-v"],
                            capture_output=True, text=True, cwd=tmp_path,
                            env={**env, "DATABASE_URL": f"sqlite:///{database}"})
    assert result.returncode == 0, result.stderr
    output = result.stdout + result.stderr
    assert "alembic" not in output and "tzlocal" not in output, output
    assert not database.exists()
