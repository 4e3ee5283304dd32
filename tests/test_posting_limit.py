"""The global posting limit (issue 9, point 6): `max_concurrent_posts`, or the environment's
`RITUALBOT_MAX_CONCURRENT_POSTS`, is how many posts the fake Slack sees at once when many
teams fire in the same minute; bad values are refused with the variable's name.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bot.config import AppConfig, ConfigError, with_environment
from bot.store import Store
from tests.test_slack_support import AMS, ANNA, BRAM, COR, DEWI, running_bot

TEAMS = 48


def teams_toml(limit: int) -> str:
    return f'language = "nl"\nmax_concurrent_posts = {limit}\n' + "".join(f"""
[[teams]]
id = "t{i:03d}"
platform = "slack"
channel = "C0LIMIT{i:04d}"
members = ["{ANNA}", "{BRAM}", "{COR}", "{DEWI}"]
[teams.rituals.weekly_success_mistake]
schedule = "fri 14:00"
sharer_notice_hours = 0
""" for i in range(TEAMS))


@pytest.mark.parametrize("limit", [8, 24])
async def test_max_concurrent_posts_is_how_many_posts_slack_sees_at_once(store: Store, limit: int) -> None:
    channels = {f"C0LIMIT{i:04d}": [ANNA, BRAM, COR, DEWI] for i in range(TEAMS)}
    friday = datetime(2026, 12, 4, 14, 0, 30, tzinfo=AMS)
    async with running_bot(store, teams_toml(limit), channels=channels, start=friday - timedelta(minutes=5)) as r:
        r.slack.delay("chat.postMessage", 1.5)  # long enough for every slot to fill, even on a busy machine
        r.clock.set(friday)
        assert await r.bot.engine.run_due() == {"done": TEAMS}
        assert r.slack.peak["chat.postMessage"] == limit
        assert all(len(r.slack.messages(channel)) == 1 for channel in channels)
        posts = r.slack.calls_to("chat.postMessage")
        assert len({c.peer for c in posts}) <= limit  # kept-alive connections, not one per post


def test_the_environment_overrides_the_limit_and_a_bad_value_names_the_variable() -> None:
    config = AppConfig()
    assert config.max_concurrent_posts == 64
    assert with_environment(config, {}).max_concurrent_posts == 64
    assert with_environment(config, {"RITUALBOT_MAX_CONCURRENT_POSTS": " 200 "}).max_concurrent_posts == 200
    for bad in ("0", "513", "veel", "-3"):
        with pytest.raises(ConfigError) as refused:
            with_environment(config, {"RITUALBOT_MAX_CONCURRENT_POSTS": bad})
        assert "RITUALBOT_MAX_CONCURRENT_POSTS must be a whole number from 1 to 512" in str(refused.value)
        assert repr(bad) in str(refused.value)
