"""Two replicas on one database with different config.toml files (one restarted with an edited
file, the other not yet): each plans by its own file, so a team may be prompted twice or not
at all, and before nothing said so. Now the replica that started says its file differs from
the last one's, and the one still on the old file warns once, in one line, to restart it.
A replica's own keys (`max_concurrent_posts`, `database_url`) may differ without a word.
Runs as real processes, on SQLite (one file, two processes) or PostgreSQL.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest

from tests.fakes.slack_api import FakeSlack
from tests.test_replicas_e2e import SECRET, fire_minute, seed, teams_toml
from tests.test_run_e2e import ritualbot, slack_env, wait_for

WARNING = "another replica started with a different config.toml"


@pytest.mark.timeout(150)
async def test_a_replica_on_an_old_config_toml_is_told_once_to_restart(tmp_path: Path, database_url: str) -> None:
    at = fire_minute(timedelta(hours=3))
    old = teams_toml(2, at).replace("settings_check_seconds = 5", "settings_check_seconds = 1")
    same = old.replace("max_concurrent_posts = 8", "max_concurrent_posts = 4")  # its own: no warning
    edited = teams_toml(3, at).replace("settings_check_seconds = 5", "settings_check_seconds = 1")  # a team added
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "c").mkdir()
    async with FakeSlack() as slack, aiohttp.ClientSession() as http:
        seed(slack, 3)
        env = slack_env(slack, SLACK_SIGNING_SECRET=SECRET)
        async with ritualbot(tmp_path / "a", database_url, old, env) as first:
            await first.wait_healthy(http, timeout=60)
            async with ritualbot(tmp_path / "b", database_url, same, env) as second:
                await second.wait_healthy(http, timeout=60)
                async with ritualbot(tmp_path / "c", database_url, edited, env) as third:
                    await third.wait_healthy(http, timeout=60)
                    await wait_for(lambda: WARNING in first.log() and WARNING in second.log(),
                                   "the replicas on the old file warned", timeout=30)
                    assert "config.toml differs from the one the last replica started with" in third.log()
                    assert WARNING not in third.log()
                    await third.terminate(timeout=30)
                assert "config.toml differs" not in second.log()  # the same file, its own posting limit
                for bot in (first, second):
                    [line] = [line for line in bot.log().splitlines() if WARNING in line]  # once
                    assert " WARNING " in line and "restart every replica with the same file" in line
                    await bot.terminate(timeout=30)
