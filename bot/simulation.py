"""Moving a bot through time on a fake clock, firing each step at its own moment.

Shared by `ritualbot demo` and the tests, so both see exactly what production would
post, in order, without sleeping.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from bot import outbox
from bot.app import RitualBot
from bot.clock import FakeClock
from bot.engine import Planned


async def advance(bot: RitualBot, clock: FakeClock, until: datetime,
                  on_fired: object = None) -> list[tuple[Planned, datetime, str]]:
    """Fire every step due before `until`, one moment at a time; returns what fired
    (each with the moment it fired)."""
    fired: list[tuple[Planned, datetime, str]] = []
    start = clock.now()
    steps = await asyncio.to_thread(bot.engine.due_between, start, until)  # CPU work: off the event loop
    i = 0
    while True:
        held = await outbox.next_due(bot)  # DMs waiting for someone's working time
        step = steps[i] if i < len(steps) else None
        if held is not None and held < until and (step is None or held <= step[1].at):
            clock.set(max(held, clock.now()))
            await outbox.deliver_due(bot)
            continue
        if step is None:
            break
        plan, due = step
        i += 1
        if due.at > clock.now():
            clock.set(due.at)
        status = await bot.engine.fire(plan, due)
        fired.append((plan, due.at, status))
        if callable(on_fired):
            await on_fired(plan, due.at, status)
    clock.set(until)
    return fired


async def advance_by(bot: RitualBot, clock: FakeClock, delta: timedelta) -> list[tuple[Planned, datetime, str]]:
    return await advance(bot, clock, clock.now() + delta)
