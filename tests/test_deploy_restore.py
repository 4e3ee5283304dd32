"""The README's restore, read as the commands a newcomer types (kept apart from test_deploy.py,
which runs the backup script itself)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).parent.parent


def test_the_readme_sqlite_restore_can_read_a_backup_the_backup_step_made() -> None:
    """The backup runs as root with umask 077 (`sudo sh -c '... backup.sh /var/backups/ritualbot'`):
    the directory and the file are root's alone. The restore copied it as `sudo -u ritualbot cp`,
    which cannot read it: "Permission denied" in the middle of a restore. Root copies it and hands
    it to the service user, readable by it only, without the replaced file's WAL beside it."""
    readme = (ROOT / "README.md").read_text()
    block = readme[readme.index("# restore SQLite"):]
    block = block[:block.index("```")]
    [restore] = [line for line in block.splitlines() if "/var/lib/ritualbot/ritualbot.db" in line
                 and "/var/backups/ritualbot/" in line]
    assert not restore.startswith("sudo -u ") and restore.startswith("sudo "), restore
    assert "-o ritualbot" in restore and "-m 600" in restore, restore
    removed = [line for line in block.splitlines() if line.startswith("sudo rm ")]
    assert removed and "ritualbot.db-wal" in removed[0] and "ritualbot.db-shm" in removed[0]
    assert block.index(removed[0]) < block.index(restore)
