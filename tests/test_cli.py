"""The command line as a newcomer uses it: demo, schedule, run with /healthz, purge."""

from __future__ import annotations

import asyncio
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.error import HTTPError
from urllib.request import urlopen

import pytest

from bot.demo import run_demo
from tests.conftest import free_port

ROOT = Path(__file__).parent.parent


async def test_demo_shows_prompts_answers_digests_and_nudges() -> None:
    out = io.StringIO()
    assert await run_demo(ROOT / "config.toml", weeks=2, out=out) == 0
    transcript = out.getvalue()
    assert "Tijd voor het weeksucces en de weekfout" in transcript
    assert "Time for this week's success and mistake" in transcript
    assert "deelt:" in transcript and "anoniem" in transcript
    assert "Terugblik" in transcript or "Looking back" in transcript
    assert "aan de beurt" in transcript  # the sharer's DM
    assert "answers stored (only of people who opted in)" in transcript
    # a step that posted nothing says why in plain words, not as a recorded status
    assert "(not posted: before team)" not in transcript
    assert "(not posted: this round began before the bot knew the team" in transcript




async def test_the_demo_leaves_the_loggers_as_it_found_them() -> None:
    """It quietens ritualbot's log while it prints the transcript; left at WARNING, the log
    tests after it in the same process saw nothing (`pytest tests/test_cli.py tests/test_trust_logs.py`)."""
    import logging

    logger = logging.getLogger("ritualbot")
    before = logger.level
    logger.setLevel(logging.DEBUG)
    try:
        assert await run_demo(ROOT / "config.toml", weeks=1, out=io.StringIO()) == 0
        assert logger.level == logging.DEBUG
    finally:
        logger.setLevel(before)


def test_run_serves_healthz_and_stops_on_sigterm(tmp_path: Path, database_url: str) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MATTERMOST_"))}
    env["DATABASE_URL"] = database_url
    proc = subprocess.Popen([sys.executable, "-m", "bot", "run", "--config", str(ROOT / "config.toml"),
                             "--port", str(port), "--host", "127.0.0.1"], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        body = ""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as resp:
                    body = resp.read().decode()
                    break
            except HTTPError as exc:  # 503: the example's Slack and Mattermost teams have no tokens here
                body = exc.read().decode()
                assert exc.code == 503
                if '"database": "ok"' in body:
                    break
                time.sleep(0.2)  # the port answers before the database is opened (bot/gate.py)
            except OSError:
                time.sleep(0.2)
        assert '"database": "ok"' in body and '"slack": "no credentials"' in body
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
        log = proc.stdout.read() if proc.stdout else ""
        assert "team jeugdteam-noord is not run" in log  # no tokens: said plainly, and nothing used up
    finally:
        if proc.poll() is None:
            proc.kill()


def test_run_on_a_port_in_use_says_so_in_one_line_and_exits_non_zero(tmp_path: Path) -> None:
    """Another process has the port (a second bot, an old one still stopping): one line that
    says which and what to do, exit 1 for systemd to try again; no traceback."""
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MATTERMOST_"))}
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'x.db'}"
        result = subprocess.run([sys.executable, "-m", "bot", "run", "--local", "--config", str(ROOT / "config.toml"),
                                 "--port", str(port), "--host", "127.0.0.1"], cwd=tmp_path, env=env,
                                capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"cannot serve HTTP on 127.0.0.1:{port}" in result.stderr and "--port" in result.stderr


@pytest.mark.parametrize("argv", [["demo", "--weeks", "-1"], ["demo", "--weeks", "0"], ["schedule", "--count", "0"],
                                  ["schedule", "--count", "-3"], ["run", "--port", "99999"], ["run", "--port", "-1"]])
def test_counts_and_ports_out_of_range_are_refused_by_the_parser(argv: list[str],
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """`demo --weeks -1` simulated "-1 weeks", `schedule --count 0` listed nothing, `run --port
    99999` ended in a traceback: the parser refuses them, saying what it takes."""
    from bot.cli import main

    with pytest.raises(SystemExit) as done:
        main(argv)
    assert done.value.code == 2
    assert "whole number from" in capsys.readouterr().err


def test_schedule_lists_next_firings_in_local_time() -> None:
    result = subprocess.run([sys.executable, "-m", "bot", "schedule", "--config", str(ROOT / "config.toml"),
                             "--language", "en"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0
    assert "jeugdteam-noord (slack, Europe/Amsterdam, nl)" in result.stdout
    assert "Weekly success and mistake [fri 14:00]" in result.stdout
    assert " 14:00  in the team channel: the invitation to share a success and a mistake" in result.stdout


def test_purge_dry_run_counts_without_deleting(tmp_path: Path, database_url: str) -> None:
    env = dict(os.environ, DATABASE_URL=database_url)
    result = subprocess.run([sys.executable, "-m", "bot", "purge", "--dry-run", "--config", str(ROOT / "config.toml")],
                            capture_output=True, text=True, cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert "jeugdteam-noord: would delete 0 answers older than 365 days" in result.stdout


def test_purge_dry_run_creates_no_database(tmp_path: Path) -> None:
    """A dry run changes nothing, also not by creating and migrating a database file."""
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp_path / 'none.db'}")
    result = subprocess.run([sys.executable, "-m", "bot", "purge", "--dry-run", "--config", str(ROOT / "config.toml")],
                            capture_output=True, text=True, cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert "jeugdteam-noord: would delete 0 answers older than 365 days" in result.stdout
    assert list(tmp_path.iterdir()) == []


def test_schedule_reads_a_sqlite_database_whatever_its_url_form(tmp_path: Path) -> None:
    """`sqlite:///x.db?timeout=10` names the file x.db: the dry run reads it (admins' changes)."""
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}?timeout=10")
    upgrade = subprocess.run([sys.executable, "-m", "bot", "db", "upgrade", "--config", str(ROOT / "config.toml")],
                             capture_output=True, text=True, env=env)
    assert upgrade.returncode == 0, upgrade.stderr
    result = subprocess.run([sys.executable, "-m", "bot", "schedule", "--config", str(ROOT / "config.toml")],
                            capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    assert "database not reachable" not in result.stdout and "jeugdteam-noord (slack" in result.stdout


def test_db_upgrade(tmp_path: Path) -> None:
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}")
    result = subprocess.run([sys.executable, "-m", "bot", "db", "upgrade", "--config", str(ROOT / "config.toml")],
                            capture_output=True, text=True, env=env)
    assert result.returncode == 0 and "up to date" in result.stdout
    assert oct((tmp_path / "x.db").stat().st_mode & 0o777) == "0o600"
    asyncio.get_event_loop_policy()


def test_schedule_takes_the_config_path_alone_and_speaks_each_teams_language() -> None:
    result = subprocess.run([sys.executable, "-m", "bot", "schedule", str(ROOT / "config.toml"), "--from", "2026-12-20",
                             "--count", "1"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "jeugdteam-noord (slack, Europe/Amsterdam, nl)" in out and "zorgteam-school (mattermost" in out
    # the Dutch team in Dutch, the English team in English, holidays named in that language too
    assert "  Weeksucces en weekfout [fri 14:00]\n    vr 25 dec 2026: feestdag (Eerste kerstdag)" in out
    assert "  Weekly success and mistake [thu 15:30]\n" in out
    english = subprocess.run([sys.executable, "-m", "bot", "schedule", "--from", "2026-12-20", "--count", "1",
                              "--language", "en", "--config", str(ROOT / "config.toml")],
                             capture_output=True, text=True, cwd=ROOT)
    assert "Fri 25 Dec 2026: public holiday (Christmas Day); nothing is sent" in english.stdout


def test_two_different_config_files_on_one_command_line_are_refused() -> None:
    result = subprocess.run([sys.executable, "-m", "bot", "schedule", "one.toml", "--config", "other.toml"],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 2
    assert "two config files given: one.toml and --config other.toml; name one" in result.stderr


def test_schedule_refuses_counts_and_dates_it_cannot_list_in_one_line() -> None:
    """`--count 100000` and `--from 9999-12-20` ended in an OverflowError traceback."""
    for args, said in ((["--count", "100000"], "argument --count: '100000': use a whole number from 1 to 366"),
                       (["--count", "0"], "argument --count: '0': use a whole number from 1 to 366"),
                       (["--from", "9999-12-20"], "--from '9999-12-20' is too far from today"),
                       (["--from", "0001-01-01"], "--from '0001-01-01' is too far from today")):
        result = subprocess.run([sys.executable, "-m", "bot", "schedule", "--config", str(ROOT / "config.toml"), *args],
                                capture_output=True, text=True, cwd=ROOT)
        assert result.returncode == 2 and said in result.stderr, args
        assert "Traceback" not in result.stderr


def test_schedule_into_a_pipe_that_closes_early_ends_quietly() -> None:
    proc = subprocess.Popen([sys.executable, "-m", "bot", "schedule", "--config", str(ROOT / "config.toml"),
                             "--count", "366"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()  # as `| head -1` does
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0 and "Traceback" not in err


def test_schedule_before_the_first_run_says_there_is_no_database_yet(tmp_path: Path) -> None:
    """It said "database not reachable" for a SQLite file that simply did not exist yet."""
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp_path / 'not-yet.db'}")
    result = subprocess.run([sys.executable, "-m", "bot", "schedule", str(ROOT / "config.toml"), "--language", "en",
                             "--count", "1"], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("(no database yet: the bot has not run with this config")
    assert "not reachable" not in result.stdout and not (tmp_path / "not-yet.db").exists()


@pytest.mark.parametrize("command", [("db", "upgrade"), ("purge",)])
def test_an_unreachable_database_is_one_line_for_db_upgrade_and_purge(tmp_path: Path, command: tuple[str, ...]) -> None:
    # run from an upgrade step or cron: the operator reads what to check, not 130 lines of driver traceback
    env = dict(os.environ, DATABASE_URL="postgresql://ritualbot@127.0.0.1:1/ritualbot")  # nothing listens on port 1
    result = subprocess.run([sys.executable, "-m", "bot", *command, "--config", str(ROOT / "config.toml")],
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "ritualbot: database: cannot reach PostgreSQL at 127.0.0.1:1/ritualbot (is it running, and reachable from "
        "here?); check the host and port in DATABASE_URL"], result.stderr[-1500:]
