"""SIGTERM while a firing is posting: the post finishes, once, and nothing is marked failed.

Found by trying it: a deploy's SIGTERM closed the Slack client under a prompt that Slack
had already received; the log got a traceback and the firing was recorded `failed`
(`error`), so the prompt's thread took no answers and no admin was told. `ritualbot run`
is a real process here, against the fake Slack over HTTP.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.store import Store
from tests.fakes.slack_api import FakeSlack
from tests.test_run_e2e import ANNA, BRAM, SLACK_CH, ritualbot, seed_slack, slack_env, wait_for


def _config(due: datetime) -> str:
    """A team whose weekly prompt came due two minutes ago (daily, at any hour), so it is
    posted as the bot catches up right after connecting."""
    local = due.astimezone(ZoneInfo("Europe/Amsterdam"))
    return f"""
language = "en"
working_days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
working_hours = "00:00-24:00"
[[teams]]
id = "noord"
platform = "slack"
channel = "{SLACK_CH}"
admins = ["{ANNA}"]
members = ["{ANNA}", "{BRAM}"]
holidays = []
country = "NL"
[teams.rituals.weekly_success_mistake]
schedule = "{local.minute} {local.hour} * * *"
sharer_notice_hours = 0
"""


async def test_sigterm_while_the_prompt_is_posting_lets_it_finish(tmp_path: Path, database_url: str,
                                                                   store: Store) -> None:
    now = datetime.now(UTC)
    due = (now - timedelta(minutes=2)).replace(second=0, microsecond=0)
    await store.ensure_team("noord", "slack", SLACK_CH, now - timedelta(hours=1))  # seen before: caught up
    async with FakeSlack() as slack:
        seed_slack(slack)
        slack.delay("chat.postMessage", 2)  # the post is on its way when the stop comes
        env = slack_env(slack, SLACK_APP_TOKEN=slack.app_token)
        async with ritualbot(tmp_path, database_url, _config(due), env) as bot:
            await wait_for(lambda: slack.calls_to("chat.postMessage"), "the prompt on its way", 30)
            code, _ = await bot.terminate(30)
            log = bot.log()
    assert code == 0, log
    assert "Traceback" not in log, log
    [post] = slack.calls_to("chat.postMessage")
    assert post.status == 200  # answered: the bot waited for it
    [prompt] = [f for f in await store.firings("noord") if f.step == "prompt"]
    assert prompt.status == "done", log
    occurrence = due.astimezone(ZoneInfo("Europe/Amsterdam")).strftime("%Y-%m-%dT%H:%M")
    recorded = await store.state_items("noord", "weekly_success_mistake", "prompt:")
    assert [key for key, _ in recorded] == [f"prompt:{occurrence}"]  # its thread takes answers
