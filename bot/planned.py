"""`Planned`: one step of one ritual for one team, and when it fires (pure computations,
safe on any thread; the scheduler turns plans into jobs, the engine fires them)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.config import ResolvedRitual
from bot.ritual import Ritual, Step
from bot.schedule import RitualTrigger, wall_key
from bot.teams import TeamView
from bot.timing import FIRINGS, StepFiring, step_firings


@dataclass(frozen=True)
class Planned:
    """One step of one ritual for one team: what the scheduler turns into a job."""

    team: TeamView
    ritual: Ritual
    resolved: ResolvedRitual
    step: Step
    since: str | None = None  # first occurrence this schedule serves (after an admin's change)
    until: str | None = None  # last occurrence it serves (a schedule replaced mid-round)
    lead: timedelta = timedelta(0)  # how long before its occurrence the round's first step comes

    @property
    def job_id(self) -> str:
        suffix = f"@{self.until}" if self.until else ""
        return f"{self.team.id}/{self.ritual.id}/{self.step.name}{suffix}"

    def trigger(self) -> RitualTrigger:
        return self.resolved.schedule.trigger(self.team.tz, self.step.offset)

    @property
    def shape(self) -> tuple[object, ...]:
        """Everything this step's firings depend on; plans of the same shape fire at the same moments."""
        team = self.team
        return (self.resolved.schedule, self.step.offset, team.timezone, team.working, team.country,
                team.extra_holidays, self.since, self.until)

    def firings(self, start: datetime, end: datetime) -> list[StepFiring]:
        """This step's firings in `[start, end)`, moved into the team's working time."""
        return FIRINGS.get((self.shape, start, end), lambda: step_firings(
            self.trigger(), self.team, start, end, since=self.since, until=self.until))

    def next_firing(self, now: datetime) -> StepFiring | None:
        """The first firing at or after `now` (looking up to 400 days ahead, nearest first)."""
        start = now
        for days in (8, 40, 400):
            found = self.firings(start, now + timedelta(days=days))
            if found:
                return found[0]
            start = now + timedelta(days=days)
        return None

    def round_began(self, occurrence: str) -> datetime:
        """When the round of `occurrence` (an occurrence key) began: its first step's planned time."""
        return (datetime.fromisoformat(occurrence) - self.lead).replace(tzinfo=self.team.tz)

    def began_before(self, due: StepFiring, since: datetime) -> bool:
        """Whether `due`, or the round it belongs to, began before `since` (when the bot first saw
        the team): none of such a round is posted (a session nobody was called to, the follow-up
        of a walk never proposed); the team starts with the next round."""
        return due.planned < since or self.round_began(due.occurrence) < since

    def occurrence_key(self, due: datetime) -> str:
        """The occurrence a step firing belongs to: its due time minus the step's offset."""
        scheduled = (due.astimezone(self.team.tz).replace(tzinfo=None) - self.step.offset)
        return wall_key(scheduled)


def lead_of(steps: Sequence[Step]) -> timedelta:
    """How long before its occurrence a round's first step comes (0 when none comes before). A
    step that runs another's handler is that moment seen from other hours (a leader's own
    timezone, `Step.runs`), not a step of the round's own: it does not count."""
    return max([timedelta(0), *(-st.offset for st in steps if st.runs in (None, st.name))])


def firings_of(plans: Sequence[tuple[Planned, datetime]], now: datetime) -> list[list[StepFiring]]:
    """Each plan's firings from its start up to `now` (a pure computation, safe on any thread)."""
    end = now + timedelta(seconds=1)
    return [plan.firings(start, end) for plan, start in plans]
