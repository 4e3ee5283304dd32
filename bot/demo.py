"""`ritualbot demo`: weeks of the example config on the local platform, in seconds.

Everything is real except the clock and the people: a real SQLite database, the real
scheduler engine and claims, the real rituals. Simulated team members opt in (some),
click the buttons they are shown and fill the forms with each ritual's `demo_answers`.
The transcript shows what the team, and each person privately, would have seen.
"""

from __future__ import annotations

import itertools
import logging
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from bot.app import RitualBot
from bot.clock import FakeClock
from bot.engine import Planned
from bot.platforms.local import Entry, LocalPlatform
from bot.ritual_words import about
from bot.simulation import advance
from bot.store import Store, open_database
from bot.wiring import build_bot, load

# Why a step posted nothing, in the words of the person watching the demo (an operator, a
# team lead); a status not listed here is printed as recorded.
NOT_POSTED = {
    "before team": "this round began before the bot knew the team; it starts with the next one",
    "paused": "an admin paused this ritual",
    "skipped": "an admin skipped this one",
    "holiday": "a public holiday",
    "not enabled": "this ritual is switched off for the team",
}


KIND_LABEL = {"channel": "in #{where}", "thread": "in a thread in #{where}", "dm": "DM to {user}",
              "ephemeral": "only {user} sees", "reply": "only {user} sees", "update": "message updated in {where}",
              "form": "form opened for {user}", "image": "image in {where}"}


class Demo:
    """Drives simulated people through what the bot posts, and prints it."""

    def __init__(self, bot: RitualBot, local: LocalPlatform, clock: FakeClock, out: TextIO) -> None:
        self.bot, self.local, self.clock, self.out = bot, local, clock, out
        self.printed = 0
        self.turn = itertools.count()
        self.seen_bodies: set[str] = set()

    def flush(self, heading: str | None = None) -> None:
        new = self.local.transcript[self.printed:]
        self.printed = len(self.local.transcript)
        if heading and new:
            print(heading, file=self.out)
        for entry in new:
            self._print(entry)

    def _print(self, e: Entry) -> None:
        label = KIND_LABEL[e.kind].format(where=e.where.removeprefix("dm:"), user=e.user or "")
        print(f"  [{label}]", file=self.out)
        body = e.form.title + ": " + ", ".join(f.label for f in e.form.fields) if e.form else e.text
        if len(body) > 120 and body in self.seen_bodies:
            body = "(the same text as above)"
        self.seen_bodies.add(body)
        for line in body.splitlines():
            if line.strip():
                print(f"    {line}", file=self.out)
        if e.message and e.message.buttons:
            print("    " + "  ".join(f"[{b.label}]" for b in e.message.buttons), file=self.out)

    def say(self, line: str) -> None:
        self.flush()
        print(f"  > {line}", file=self.out)

    async def react(self, plan: Planned, due: datetime, status: str) -> None:
        local_due = due.astimezone(plan.team.tz)
        title = about(plan.ritual).title(plan.team.language)
        heading = f"\n== {local_due:%a %d %b %Y %H:%M} · {plan.team.id} · {title} ({plan.step.name})"
        new = self.local.transcript[self.printed:]
        self.flush(heading)
        if status != "done" and status != "taken":
            print(f"{heading}\n  (not posted: {NOT_POSTED.get(status, status)})", file=self.out)
        for entry in new:
            await self._respond(plan, entry)

    async def _respond(self, plan: Planned, entry: Entry) -> None:
        if entry.message is None or not entry.message.buttons:
            return
        if entry.kind in ("channel", "thread"):
            members = await self.bot.platform_for(plan.team).channel_members(plan.team.channel) or \
                list(plan.team.configured_members or ())
            for user in members[: min(3, len(members))]:
                await self._act(plan, user, entry)
        elif entry.kind == "dm" and entry.user:
            await self._act(plan, entry.user, entry)

    async def _act(self, plan: Planned, user: str, entry: Entry) -> None:
        assert entry.message is not None
        button = entry.message.buttons[0]
        self.say(f"{user} clicks [{button.label}]")
        await self.local.click(user, entry, button.label)
        form_entry = self.local.open_forms.get(user)
        if form_entry is None or form_entry.form is None:
            self.flush()
            return
        form_name = form_entry.form.form_id.split(":", 1)[-1]
        answers: dict[str, list[dict[str, Any]]] = getattr(plan.ritual, "demo_answers", {})
        samples = answers.get(f"{form_name}:{plan.team.language}") or answers.get(form_name, [])
        if not samples:
            self.flush()
            return
        values = dict(samples[next(self.turn) % len(samples)])
        self.say(f"{user} fills in the form and submits it")
        result, _ = await self.local.submit(user, values)
        if not result.ok:
            self.say(f"the form says: {result.errors}")
        self.flush()


async def run_demo(config_path: Path, *, weeks: int = 4, out: TextIO | None = None) -> int:
    import sys

    out = out or sys.stdout
    quiet = logging.getLogger("ritualbot")
    level = quiet.level
    quiet.setLevel(logging.WARNING)  # the transcript is the output; restored after, for whoever called us
    try:
        return await _run_demo(config_path, weeks, out)
    finally:
        quiet.setLevel(level)


async def _run_demo(config_path: Path, weeks: int, out: TextIO) -> int:
    config, ritual_types = load(config_path)
    # Every team runs on the local platform, whatever its config says.
    config = config.model_copy(update={"teams": [t.model_copy(update={"platform": "local"}) for t in config.teams]})
    with tempfile.TemporaryDirectory(prefix="ritualbot-demo-") as tmp:
        store = Store(open_database(f"sqlite:///{Path(tmp) / 'demo.db'}"))
        channels = {t.channel: list(t.members) if isinstance(t.members, list) else [] for t in config.teams}
        local = LocalPlatform(channels)
        clock = FakeClock(datetime.now(UTC))
        bot = await build_bot(config, ritual_types, {"local": local}, clock, store)
        start = _demo_start(bot)
        clock.set(start)
        for team in bot.teams.values():
            await store.ensure_team(team.id, team.platform, team.channel, clock.now())
        await local.start(bot)
        demo = Demo(bot, local, clock, out)
        print(f"ritualbot demo: {weeks} weeks of {config_path} on the local platform, from {start:%a %d %b %Y}", file=out)
        print(f"database: SQLite ({Path(tmp) / 'demo.db'}), clock: simulated", file=out)
        print("\n== Some members say the bot may keep what they share", file=out)
        for team in bot.teams.values():
            members = list(team.configured_members or ())
            for user in members[: max(1, len(members) // 2)]:
                demo.say(f"{user} types /{config.command} optin")
                await local.command(user, "optin", channel=team.channel)
                await local.click(user, local.last("reply", user=user), "optin")
        demo.flush()
        await advance(bot, clock, start + timedelta(weeks=weeks), on_fired=demo.react)
        demo.flush()
        stored = sum([len(await store.responses(t)) for t in bot.teams])
        print(f"\n== After {weeks} weeks: {stored} answers stored (only of people who opted in); "
              f"{len(local.transcript)} things posted.", file=out)
        await store.aclose()
    return 0


def _demo_start(bot: RitualBot) -> datetime:
    """The Monday morning before the next firing of the step with the longest lead time
    (a monthly call that goes out a week ahead), so weeks of demo show whole rituals."""
    now = bot.clock.now()
    if not bot.plans:
        return now
    earliest = min(bot.plans, key=lambda p: p.step.offset)
    first = earliest.trigger().get_next_fire_time(None, now) or now
    local = first.astimezone(earliest.team.tz)
    monday = (local - timedelta(days=local.weekday())).replace(hour=8, minute=0, second=0, microsecond=0)
    return monday  # may lie a few days back: the simulation has its own clock
