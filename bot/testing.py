"""A test kit for ritual authors: one team on the local platform, a fake clock, a dialog.

A story test of a ritual, ours or an outside package's, reads like what happens in the
team, with no Slack or Mattermost and no waiting:

    async def test_checkin(ritual_team) -> None:          # the pytest plugin's fixture
        team = await ritual_team(Checkin, members=["anna", "bram"], schedule="mon 09:00")
        posted = await team.advance_to(team.next_weekday(0, 9))   # Monday 09:00: the step fires
        assert "Hoe gaat het?" in posted[-1].text
        await team.click("bram", "Invullen")                      # the last message with that button
        result, said = await team.submit("bram", {"mood": "Goed"})
        assert result.ok and "Goed" in team.posts()[-1].text

`RitualTeam.start(...)` builds the whole bot (`bot.wiring.build_bot`) from a config made of
its arguments, so the core's checks (the contract, consent, the client-data guard, the
roster) run exactly as in production. The database is a fresh SQLite file, or the
PostgreSQL server in `RITUALBOT_TEST_DATABASE_URL` (emptied first), like ritualbot's own
suite. Times are aware datetimes in the team's timezone.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlalchemy import text as sql

from bot.app import RitualBot
from bot.clock import FakeClock
from bot.config import parse_config
from bot.platform import FormResult
from bot.platforms.local import Entry, LocalPlatform
from bot.ritual import Ritual, check_contract
from bot.simulation import advance
from bot.store import Consent, Store, open_database
from bot.wiring import build_bot

DATABASE_ENV = "RITUALBOT_TEST_DATABASE_URL"
DEFAULT_START = datetime(2026, 11, 30, 8, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))  # a Monday morning


class RitualTeam:
    """One team (id `team`, channel `C1`) on the local platform, driven by a test."""

    def __init__(self, bot: RitualBot, local: LocalPlatform, clock: FakeClock, store: Store, team_id: str) -> None:
        self.bot, self.local, self.clock, self.store = bot, local, clock, store
        self.team = bot.teams[team_id]
        self.channel = self.team.channel

    @classmethod
    async def start(cls, ritual: type[Ritual[Any]], *, members: Iterable[str], leaders: Iterable[str] = (),
                    admins: Iterable[str] = (), schedule: str | None = None, options: Mapping[str, Any] | None = None,
                    language: str = "nl", timezone: str = "Europe/Amsterdam", start: datetime = DEFAULT_START,
                    database_url: str | None = None, locales: Mapping[str, str] | None = None) -> RitualTeam:
        """A bot with `ritual` enabled for one team of `members` (leaders and admins are added
        to the channel too). `options` are the ritual's own (validated by its model);
        `database_url` defaults to `RITUALBOT_TEST_DATABASE_URL`, else a new SQLite file."""
        people = list(dict.fromkeys([*admins, *leaders, *members]))
        settings: dict[str, Any] = dict(options or {})
        if schedule is not None:
            settings["schedule"] = schedule
        raw = {"language": language, "timezone": timezone, "teams": [{
            "id": "team", "platform": "local", "channel": "C1", "admins": list(admins), "leaders": list(leaders),
            "members": people, "rituals": {ritual.id: settings}}]}
        check_contract(ritual)  # as at start-up: a typo in a declaration fails the test here
        rituals: dict[str, type[Ritual[Any]]] = {ritual.id: ritual}
        config = parse_config(raw, rituals)
        store = Store(_fresh_database(database_url or os.environ.get(DATABASE_ENV) or ""))
        local = LocalPlatform({"C1": people}, locales=dict(locales or {}))
        clock = FakeClock(start)
        bot = await build_bot(config, rituals, {"local": local}, clock, store)
        await store.ensure_team("team", "local", "C1", clock.now())
        await local.start(bot)
        return cls(bot, local, clock, store, "team")

    def close(self) -> None:
        """Release the database (the plugin's fixture does this after each test)."""
        self.store.close()

    # time -------------------------------------------------------------------------------------------

    def now(self) -> datetime:
        return self.clock.now().astimezone(self.team.tz)

    def next_weekday(self, weekday: int, hour: int, minute: int = 0) -> datetime:
        """The next moment on `weekday` (0 = Monday) at `hour:minute`, team time, after now."""
        now = self.now()
        moment = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
        moment += timedelta(days=(weekday - now.weekday()) % 7)
        return moment if moment > now else moment + timedelta(days=7)

    async def advance(self, delta: timedelta) -> list[Entry]:
        """Move the clock on by `delta`, firing every step due on the way; what the bot did."""
        return await self.advance_to(self.clock.now() + delta - timedelta(microseconds=1))

    async def advance_to(self, moment: datetime) -> list[Entry]:
        """Move the clock to just after `moment`, firing every step due up to and at `moment`
        (and DMs held for someone's working time); what the bot did meanwhile."""
        mark = len(self.local.transcript)
        await advance(self.bot, self.clock, moment + timedelta(microseconds=1))
        return self.local.transcript[mark:]

    # people act -------------------------------------------------------------------------------------

    async def command(self, user: str, line: str) -> list[Entry]:
        """`/ritual <line>` typed by `user` in the team's channel; what the bot did in response."""
        return await self.local.command(user, line, channel=self.channel)

    async def click(self, user: str, button: str, on: Entry | None = None) -> list[Entry]:
        """`user` clicks a button (by label or action name) on `on`, by default on the latest
        message `user` can see that has such a button."""
        entry = on or self._with_button(user, button)
        return await self.local.click(user, entry, button)

    async def submit(self, user: str, values: Mapping[str, str | bool | None]) -> tuple[FormResult, list[Entry]]:
        """`user` submits the form open for them; the result (errors per field) and what followed."""
        return await self.local.submit(user, dict(values))

    async def opt_in(self, *users: str) -> None:
        """These people consent to what the team's rituals keep (as if they clicked 'opt in')."""
        for user in users:
            await self.store.set_consent(self.team.id, user, Consent.IN, self.clock.now(), self.store.notice_version)

    # what people saw --------------------------------------------------------------------------------

    def posts(self) -> list[Entry]:
        """What was posted in the team's channel and its threads, oldest first."""
        return [e for e in self.local.transcript if e.kind in ("channel", "thread") and e.where == self.channel]

    def seen_by(self, user: str) -> list[Entry]:
        """Everything `user` could see: the channel, their DMs, replies and forms for them."""
        return self.local.seen_by(user)

    def form_for(self, user: str) -> Entry:
        """The form open for `user` (LookupError if none)."""
        entry = self.local.open_forms.get(user)
        if entry is None:
            raise LookupError(f"{user} has no open form")
        return entry

    def _with_button(self, user: str, button: str) -> Entry:
        for entry in reversed(self.seen_by(user)):
            if entry.message is not None and any(
                    b.label == button or b.action.split(":", 1)[-1] == button for b in entry.message.buttons):
                return entry
        raise LookupError(f"{user} sees no message with a button {button!r}")


def texts(entries: Iterable[Entry]) -> list[str]:
    """The plain text of each entry, for short assertions."""
    return [e.text for e in entries]


def _fresh_database(url: str) -> Engine:
    """An empty, migrated database: a new SQLite file, or the PostgreSQL one emptied."""
    if not url.startswith("postgres"):
        path = Path(tempfile.mkdtemp(prefix="ritualbot-test-")) / "ritualbot.db"
        return open_database(f"sqlite:///{path}")
    engine = open_database(url)
    with engine.begin() as conn:
        names = [r[0] for r in conn.execute(sql(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'alembic_version'"))]
        if names:
            conn.execute(sql("TRUNCATE " + ", ".join(f'"{n}"' for n in names) + " RESTART IDENTITY CASCADE"))
    return engine
