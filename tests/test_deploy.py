"""The service files in deploy/ (issue 14): what they promise, checked against the code, and
the backup script run for real (backup, lose the database, restore)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PG_URL

ROOT = Path(__file__).parent.parent
DEPLOY = ROOT / "deploy"


def test_systemd_unit_restarts_on_failure_with_working_directory_and_environment_file() -> None:
    unit = (DEPLOY / "ritualbot.service").read_text()
    for line in ("Restart=on-failure", "WorkingDirectory=/var/lib/ritualbot", "EnvironmentFile=/etc/ritualbot/ritualbot.env",
                 "KillSignal=SIGTERM", "User=ritualbot"):
        assert re.search(rf"^{re.escape(line)}$", unit, re.M), line
    assert re.search(r"^ExecStart=\S+/ritualbot run --config /etc/ritualbot/config.toml", unit, re.M)


def _mode_and_group(line: str) -> tuple[int, str | None]:
    mode = re.search(r"-m (\d{3})", line)
    group = re.search(r"-g (\S+)", line)
    return (int(mode.group(1), 8) if mode else 0o644), (group.group(1) if group else None)


def test_the_readme_install_lets_the_service_user_read_its_config() -> None:
    """The unit runs check-config and run as User=ritualbot (`db upgrade` too, with runuser):
    an /etc/ritualbot of root's alone (`install -d -m 700`) keeps config.toml from it, and the
    service never starts. The environment file stays root's: systemd reads it before dropping."""
    unit = (DEPLOY / "ritualbot.service").read_text()
    group = re.search(r"^Group=(\S+)$", unit, re.M)
    assert group is not None
    readme = (ROOT / "README.md").read_text()
    step = readme[readme.index("### 3. Configuration and secrets"):readme.index("### 4. systemd")]
    [directory] = [line for line in step.splitlines() if "install -d" in line and "/etc/ritualbot" in line]
    [config] = [line for line in step.splitlines() if "/etc/ritualbot/config.toml" in line and "check-config" not in line]
    [env] = [line for line in step.splitlines() if "/etc/ritualbot/ritualbot.env" in line and "sudoedit" not in line]
    mode, owner = _mode_and_group(directory)
    assert owner == group.group(1) and mode & 0o050 == 0o050 and mode & 0o007 == 0, directory
    mode, owner = _mode_and_group(config)
    assert owner == group.group(1) and mode & 0o040 and mode & 0o007 == 0, config
    mode, owner = _mode_and_group(env)
    assert owner is None and mode == 0o600, env  # the secrets: root's only


def test_dockerfile_and_compose_are_a_production_install_with_postgresql() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert "RUN pip install . " in dockerfile and "[test]" not in dockerfile  # no test extras
    assert re.search(r"^USER ritualbot$", dockerfile, re.M) and "/healthz" in dockerfile
    assert 'ENTRYPOINT ["ritualbot"]' in dockerfile
    compose = (DEPLOY / "compose.yaml").read_text()
    assert "image: postgres:" in compose and "DATABASE_URL: postgresql://" in compose
    assert "dockerfile: deploy/Dockerfile" in compose
    readme = (ROOT / "README.md").read_text()
    assert "could not be built or run where\nritualbot is developed" in readme


def test_every_environment_variable_the_code_reads_is_in_the_example_and_the_readme() -> None:
    code = "\n".join(p.read_text() for p in (ROOT / "bot").rglob("*.py"))
    read = set(re.findall(r"env(?:iron)?\.get\(\"([A-Z_]+)\"", code)) | set(re.findall(r"env\[\"([A-Z_]+)\"\]", code))
    assert {"DATABASE_URL", "SLACK_BOT_TOKEN", "MATTERMOST_COMMAND_TOKENS"} <= read
    example, readme = (DEPLOY / "ritualbot.env.example").read_text(), (ROOT / "README.md").read_text()
    for name in sorted(read):
        assert re.search(rf"^#?{name}=", example, re.M), f"{name} missing in deploy/ritualbot.env.example"
        assert f"`{name}`" in readme, f"{name} missing in README.md"


def _run_backup(dest: Path, database_url: str) -> Path:
    result = subprocess.run([str(DEPLOY / "backup.sh"), str(dest)], capture_output=True, text=True,
                            env={**os.environ, "DATABASE_URL": database_url}, timeout=120)
    assert result.returncode == 0, result.stderr
    [made] = list(dest.iterdir())
    assert oct(made.stat().st_mode & 0o777) == "0o600"  # personal data: owner only
    return made


def _consent(database_url: str, user: str) -> str:
    code = ("import asyncio, sys\nfrom bot.store import Store, open_database\n"
            "async def main():\n    s = Store(open_database(sys.argv[1]))\n"
            "    print((await s.consent('noord', sys.argv[2])).value)\n    s.close()\nasyncio.run(main())\n")
    out = subprocess.run([sys.executable, "-c", code, database_url, user], capture_output=True, text=True,
                         cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def _opt_in(database_url: str, user: str) -> None:
    code = ("import asyncio, sys\nfrom datetime import UTC, datetime\nfrom bot.store import Consent, Store, open_database\n"
            "async def main():\n    s = Store(open_database(sys.argv[1]))\n"
            "    await s.ensure_team('noord', 'local', 'C1', datetime.now(UTC))\n"
            "    await s.set_consent('noord', sys.argv[2], Consent.IN, datetime.now(UTC), 1)\n    s.close()\n"
            "asyncio.run(main())\n")
    out = subprocess.run([sys.executable, "-c", code, database_url, user], capture_output=True, text=True,
                         cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr


@pytest.mark.skipif(shutil.which("sqlite3") is None, reason="needs the sqlite3 command")
def test_backup_and_restore_sqlite(tmp_path: Path) -> None:
    db = tmp_path / "ritualbot.db"
    url = f"sqlite:///{db}"
    _opt_in(url, "anna")
    backup = _run_backup(tmp_path / "backups", url)
    db.unlink()
    shutil.copy(backup, db)  # the restore the README describes
    assert _consent(url, "anna") == "in"


@pytest.mark.skipif(not PG_URL.startswith("postgres") or shutil.which("pg_restore") is None,
                    reason="needs RITUALBOT_TEST_DATABASE_URL (PostgreSQL) and pg_restore")
def test_backup_and_restore_postgresql(tmp_path: Path, database_url: str) -> None:
    _opt_in(database_url, "anna")
    backup = _run_backup(tmp_path / "backups", database_url)
    _opt_in(database_url, "bram")  # a change after the backup: the restore takes it away
    restored = subprocess.run(["pg_restore", "--clean", "--if-exists", "--no-owner", f"--dbname={database_url}",
                               str(backup)], capture_output=True, text=True, timeout=120)
    assert restored.returncode == 0, restored.stderr
    assert _consent(database_url, "anna") == "in" and _consent(database_url, "bram") == "unknown"


@pytest.mark.skipif(shutil.which("sqlite3") is None, reason="needs the sqlite3 command")
def test_backup_of_a_sqlite_file_that_is_not_there_fails_and_makes_nothing(tmp_path: Path) -> None:
    # cron started it in the wrong directory, or DATABASE_URL names a file that moved: an empty
    # "backup" that exits 0 is found out only on the day it is needed
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = subprocess.run([str(DEPLOY / "backup.sh"), str(tmp_path / "backups")], capture_output=True, text=True,
                            env={**os.environ, "DATABASE_URL": "sqlite:///ritualbot.db"}, cwd=elsewhere, timeout=60)
    assert result.returncode != 0
    assert "backup.sh: no SQLite database at ritualbot.db" in result.stderr
    assert list(elsewhere.iterdir()) == []  # no empty database file left behind either
    assert not (tmp_path / "backups").exists() or list((tmp_path / "backups").iterdir()) == []


@pytest.mark.skipif(shutil.which("sqlite3") is None, reason="needs the sqlite3 command")
def test_backup_prints_the_file_it_made(tmp_path: Path) -> None:
    db = tmp_path / "ritualbot.db"
    url = f"sqlite:///{db}?timeout=10"  # a URL the bot accepts (its query is no part of the file name)
    _opt_in(url, "anna")
    result = subprocess.run([str(DEPLOY / "backup.sh"), str(tmp_path / "backups")], capture_output=True, text=True,
                            env={**os.environ, "DATABASE_URL": url}, timeout=60)
    assert result.returncode == 0, result.stderr
    [made] = list((tmp_path / "backups").iterdir())
    assert result.stdout.strip() == str(made)
