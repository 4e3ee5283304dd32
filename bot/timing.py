"""When a planned step really fires: its schedule, placed in the team's working time.

A step's schedule says when it is planned (`bot/schedule.py`, DST-proof). Here each
planned firing is moved into the team's working time (`bot/workingtime.py`): a sharer DM
planned on a Sunday or on Ascension Day goes out on the next working morning, a digest
planned on 24 December (a team holiday) on the next working day. Two rules keep that
sane:

- a round whose scheduled moment falls on a holiday does not take place: its steps keep
  their planned time and the engine records them as `holiday` (nothing is sent);
- a step that would move to or past the next firing of the same step is dropped
  (`off-hours`), so a daily step planned at night never piles up in the morning;
  likewise a step with no working moment within `MAX_SHIFT` (a long closure).

The occurrence a firing belongs to never moves: it is the scheduled wall time, the
key the engine claims under.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import date, datetime

from bot.schedule import Firing, RitualTrigger
from bot.teams import TeamView
from bot.workingtime import MAX_SHIFT

OFF_HOURS = "off-hours"


@dataclass(frozen=True)
class StepFiring:
    """One firing of one step: when it fires, when it was planned, and its occurrence."""

    at: datetime
    planned: datetime
    occurrence: str
    blocked: str | None = None  # why it may not send anything (OFF_HOURS), recorded at `at`

    @property
    def moved(self) -> bool:
        return self.at != self.planned


def step_firings(trigger: RitualTrigger, team: TeamView, start: datetime, end: datetime, *,
                 since: str | None = None, until: str | None = None, working_time: bool = True) -> list[StepFiring]:
    """The firings of one step whose real moment lies in `[start, end)`, in time order.

    `since`/`until` (occurrence keys, inclusive) limit which occurrences this schedule
    serves (an admin's change applies from the next occurrence). Without `working_time`
    the planned moments are returned as they are.
    """
    reach = MAX_SHIFT if working_time else start - start
    planned = [f for f in trigger.firings(start - reach, end + reach)
               if (since is None or f.occurrence >= since) and (until is None or f.occurrence <= until)]
    found: list[StepFiring] = []
    for i, firing in enumerate(planned):
        step = _place(firing, planned[i + 1] if i + 1 < len(planned) else None, team, working_time)
        if start <= step.at < end:
            found.append(step)
    found.sort(key=lambda s: s.at)
    return found


def _place(firing: Firing, following: Firing | None, team: TeamView, working_time: bool) -> StepFiring:
    if not working_time or team.is_holiday(date.fromisoformat(firing.occurrence[:10])):
        return StepFiring(firing.at, firing.at, firing.occurrence)
    moved = team.next_working_moment(firing.at)
    if moved is None or (moved != firing.at and following is not None and following.at <= moved):
        return StepFiring(firing.at, firing.at, firing.occurrence, OFF_HOURS)
    return StepFiring(moved, firing.at, firing.occurrence)


class FiringMemo:
    """The firings of recently asked windows, by what they depend on (a plan's shape).

    10,000 teams with the same schedule, timezone, working time and holidays have the same
    firings: the scheduler asks for all of them with the same window at start-up and at
    each firing moment, so the work is done once per shape instead of once per team. The
    answer is a pure function of the key, so sharing it changes nothing; at most `size`
    windows are kept (least recently used dropped).
    """

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self._found: OrderedDict[Hashable, tuple[StepFiring, ...]] = OrderedDict()

    def get(self, key: Hashable, compute: Callable[[], list[StepFiring]]) -> list[StepFiring]:
        """The firings for `key`, computed by `compute` the first time; a fresh list each call."""
        found = self._found.get(key)
        if found is None:
            found = tuple(compute())
            self._found[key] = found
            if len(self._found) > self.size:
                self._found.popitem(last=False)
        else:
            self._found.move_to_end(key)
        return list(found)


FIRINGS = FiringMemo()  # shared by every plan of the process: its entries depend on nothing else
