"""Firing rituals exactly once.

Each (team, ritual, step, occurrence) is first claimed by inserting a row under a unique
key, and only the process whose insert succeeded posts. That, not APScheduler, is what
makes two bot processes on one PostgreSQL safe, and the same rows tell a restarted bot
what it missed: due within the grace window -> posted late once; older -> recorded as
missed. The key is the local wall time, so APScheduler's double autumn firing is one.

A claim is a lease (see `bot/store/leases.py`): taken only for a free posting slot,
renewed while the step runs, and marked just before the first platform call. A dead
owner's firings are taken over by `bot/takeover.py`.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections import deque
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.context import Occurrence, RitualContext
from bot.messages import MessageRef
from bot.metrics import Metrics
from bot.outcome import LeaseLost, Outcome, firing_marker
from bot.planned import Planned, firings_of
from bot.platform import NotDelivered, PlatformTrouble
from bot.replay import CannotKnow, Replay
from bot.slots import PostingSlots
from bot.store import Store
from bot.store.leases import RUNNING, UNCONFIRMED, LeasedFiring, NewFiring
from bot.store.store import RitualState
from bot.teams import TeamView
from bot.timing import StepFiring

log = logging.getLogger("ritualbot.engine")

LOOKBACK = timedelta(days=35)
SLICE = 500  # plans looked at between two turns of the event loop (start-up catch-up, sweeps)
SERVER_ERROR = 500  # an HTTP status from here on: the platform broke off, a post may have gone out


ContextFactory = Callable[[Planned, datetime], RitualContext]
TroubleReport = Callable[[Planned, LeasedFiring, str], Awaitable[None]]


class Engine:
    """Claims and runs firings under leases; knows nothing of APScheduler."""

    def __init__(self, store: Store, clock: Clock, plans: list[Planned], make_context: ContextFactory,
                 *, grace: timedelta, max_concurrent: int, worker: str | None = None,
                 lease: timedelta = timedelta(seconds=60), slots: PostingSlots | None = None,
                 metrics: Metrics | None = None) -> None:
        self.store = store
        self.clock = clock
        self.plans = plans
        self.make_context = make_context
        self.grace = grace
        self.lease = lease
        self.worker = worker or f"{socket.gethostname()}:{os.getpid()}"
        self.slots = slots or PostingSlots(max_concurrent)
        self.report_trouble: TroubleReport | None = None  # tells a team's admins (set by the app)
        self._first_seen: dict[str, datetime] = {}
        self.metrics = metrics or Metrics()
        # Set once the process stops (`drain`): a firing cut off by the stop is left to its
        # lease, so a replica or the next start decides it (`bot/takeover.py`).
        self.stopping = False

    async def drain(self, timeout: float) -> bool:
        """On SIGTERM: claim nothing new and give the firings under way up to `timeout`
        seconds to finish; True when they all did. What is still under way afterwards is
        cut off by the stop and left to its lease, never recorded as failed."""
        self.slots.close()
        try:
            await asyncio.wait_for(self.slots.idle(), timeout)
            return True
        except TimeoutError:
            log.warning("stopping: %d firings still under way after %.0f s are left to their leases "
                        "(another replica or the next start decides them)",
                        self.slots.limit - self.slots.free, timeout)
            return False
        finally:
            self.stopping = True

    def interrupted(self, what: str, exc: BaseException) -> Outcome:
        """A firing cut off by the stop: its lease is left to run out (one line, no traceback)."""
        log.warning("%s was cut off by the stop (%s): left to its lease, decided by whoever takes it over",
                    what, type(exc).__name__)
        return Outcome("interrupted")

    async def fire(self, plan: Planned, due: datetime | StepFiring) -> str:
        """Claim one firing and run it; returns the recorded status (or 'taken').

        `due` is a planned firing, or a bare moment (an admin's `run`, a test) whose
        occurrence is read back from it.
        """
        return (await self.fire_outcome(plan, due)).status

    async def fire_outcome(self, plan: Planned, due: datetime | StepFiring) -> Outcome:
        """Like `fire`, with the cause of a failure."""
        return (await self.fire_many([(plan, due)]))[0]

    async def fire_many(self, items: Sequence[tuple[Planned, datetime | StepFiring]]) -> list[Outcome]:
        """Claim and run many firings: each batch claimed in one statement, only for free slots.

        Firings that must not run (paused, skipped, holiday, outside working time) are
        recorded without a slot; firings planned before the team was first seen, not at all.
        """
        now = self.clock.now()
        results = [Outcome("taken")] * len(items)
        ready: deque[tuple[int, Planned, NewFiring]] = deque()
        finals: dict[str, list[tuple[int, Planned, NewFiring]]] = {}
        states = await self.store.ritual_states({(plan.team.id, plan.ritual.id) for plan, _ in items}) if items else {}
        for i, (plan, due) in enumerate(items):
            if i % SLICE == SLICE - 1:
                await asyncio.sleep(0)  # a fan-out of 10,000: let the loop answer people in between
            explicit = isinstance(due, datetime)  # an admin's `run`: this step now, whenever its round began
            if isinstance(due, datetime):
                local = due.astimezone(plan.team.tz)
                due = StepFiring(local, local, plan.occurrence_key(local))
            due_local = due.planned.astimezone(plan.team.tz)
            since = await self.team_since(plan.team)
            if due.planned < since if explicit else plan.began_before(due, since):
                log.info("%s %s: its round began before the team was first seen: not posted", plan.job_id, due.occurrence)
                results[i] = Outcome("before team")
                continue
            new = NewFiring(plan.team.id, plan.ritual.id, plan.step.name, due.occurrence, due_local)
            state = RitualState(*states.get((plan.team.id, plan.ritual.id), (False, None)))
            status = self._gate(plan, new.occurrence, state) or due.blocked
            if status is None:
                ready.append((i, plan, new))
            else:
                finals.setdefault(status, []).append((i, plan, new))
        for status, group in finals.items():
            recorded = {f.key for f in await self.store.claim_firings([n for _, _, n in group], status, self.worker, now, None)}
            for i, plan, new in group:
                if _key(new) in recorded:
                    log.info("%s %s at %s: %s", plan.job_id, new.occurrence, new.due_at.isoformat(), status)
                    results[i] = Outcome(status)
        running: list[tuple[int, asyncio.Task[Outcome]]] = []
        try:
            while ready:
                taken = await self.slots.acquire(len(ready))
                batch = [ready.popleft() for _ in range(taken)]
                now = self.clock.now()
                try:
                    claimed = {f.key: f for f in await self.store.claim_firings(
                        [n for _, _, n in batch], RUNNING, self.worker, now, now + self.lease)}
                except BaseException:
                    self.slots.release(taken)
                    raise
                self.slots.release(taken - len(claimed))
                for i, plan, new in batch:
                    firing = claimed.get(_key(new))
                    if firing is not None:
                        running.append((i, asyncio.create_task(self.run_claimed(plan, firing))))
        finally:
            done = await asyncio.gather(*(task for _, task in running), return_exceptions=True)
            for (i, _), result in zip(running, done, strict=True):
                if isinstance(result, BaseException):
                    # The database went away mid-way: the row keeps its lease, and when that runs
                    # out a replica (this one, once the database is back) takes the firing over.
                    log.error("a firing could not be recorded (%s); it will be taken over", type(result).__name__)
                    results[i] = Outcome(RUNNING, "database")
                else:
                    results[i] = result
        for (plan, _), outcome in zip(items, results, strict=True):
            self.metrics.fired(plan.ritual.id, outcome.status)
        return results

    async def run_claimed(self, plan: Planned, firing: LeasedFiring, replay: Replay | None = None) -> Outcome:
        """Run a claimed firing in the slot its claim took; the slot is given back at the end.
        With `replay` (a firing taken over or reposted) its messages already out are not posted again."""
        try:
            return await self._run_step(plan, firing, replay)
        finally:
            self.slots.release()

    async def _run_step(self, plan: Planned, firing: LeasedFiring, replay: Replay | None = None) -> Outcome:
        handler = plan.ritual.step_handler(plan.step)
        if handler is None:
            log.error("%s has no handler for step %r", plan.ritual.id, plan.step.name)
            return await self.finish(firing, "failed", "no_handler")
        occ = _occurrence(plan, firing)
        ctx = self.make_context(plan, self.clock.now())
        ctx.marker = firing_marker(firing)
        ctx.replay = replay

        async def starting(target: str) -> None:
            try:
                ours = await self.store.mark_started(firing.id, self.worker, self.clock.now(), target)
            except Exception as exc:  # the database is away: nothing has gone out, so try again later
                raise NotDelivered(f"the start could not be recorded ({type(exc).__name__})") from exc
            if not ours:
                raise LeaseLost(firing_marker(firing))

        ctx.before_first_delivery = starting
        name = f"{plan.job_id} {firing.occurrence}"
        try:
            await handler(ctx, occ)
        except Exception as exc:
            if self.stopping and not isinstance(exc, LeaseLost):
                return self.interrupted(name, exc)
            return await self._failed(plan, firing, ctx, name, exc)
        return await self.finish(firing, "done", "confirmed_after_takeover" if replay and replay.first else None)

    async def _failed(self, plan: Planned, firing: LeasedFiring, ctx: RitualContext, name: str,
                      exc: Exception) -> Outcome:
        """What a step's exception means for its firing."""
        if isinstance(exc, LeaseLost):
            log.warning("%s: another replica took it over before anything was posted here", name)
            return Outcome("taken")
        if ctx.replay is not None and ctx.replay.first is not None:
            # Run again after a takeover and stopped: at least what its first message needs is recorded.
            await self.recover(plan, firing, ctx.replay.first)
        if isinstance(exc, CannotKnow) and exc.older and ctx.replay is not None and ctx.replay.first is not None:
            log.info("%s: posted by an older version before its owner died: recorded done", name)
            return await self.finish(firing, "done", "confirmed_after_takeover")
        if isinstance(exc, CannotKnow):
            log.warning("%s: run again after a takeover, but %s; the admins decide", name, exc)
            outcome = await self.finish(firing, UNCONFIRMED, "may_have_posted")
            await self.report(plan, firing, "may_have_posted")
            return outcome
        if isinstance(exc, PlatformTrouble):
            cause = f"{exc.cause}:{exc.detail}" if exc.cause == "missing_scope" and exc.detail else exc.cause
            log.error("%s failed: %s", name, cause)
            outcome = await self.finish(firing, "failed", cause[:100])
            await self.report(plan, firing, cause)
            return outcome
        if isinstance(exc, NotDelivered):
            if ctx.delivered:
                log.error("%s stopped halfway (%s): marked failed, not tried again", name, exc)
                return await self.finish(firing, "failed", "stopped_halfway")
            # The platform refused before acting: nothing went out, so the claim is given
            # back and the next sweep (or a restart) tries again within the grace window.
            log.warning("%s not delivered (%s): will try again", name, exc)
            await self.store.drop_claim(firing.id, self.worker)
            return Outcome("deferred")
        # Failed after its claim: never retried blindly, since a post may have gone out.
        status = getattr(getattr(exc, "response", None), "status_code", None)
        if isinstance(status, int) and status >= SERVER_ERROR:
            # The server broke off after its retries: the post may be there or not, and nobody
            # checks now. As for a takeover that cannot know: not posted again, the admins
            # are asked privately, with a button to post it (issue 10 point 1).
            log.error("%s unconfirmed: %s answered HTTP %d (%s); a post may have gone out, so it is not tried "
                      "again: the admins are asked to look and post it", name, plan.team.platform, status,
                      type(exc).__name__)
            cause = f"server_error:{status}"
            outcome = await self.finish(firing, UNCONFIRMED, cause)
            await self.report(plan, firing, cause)
            return outcome
        if isinstance(status, int):  # the platform answered with an error: a known kind, one line
            log.error("%s failed: %s answered HTTP %d (%s); a post may have gone out, so it is not tried "
                      "again: look in the channel; an admin's `run %s` posts it", name, plan.team.platform, status,
                      type(exc).__name__, plan.ritual.id)
        else:
            log.error("%s failed", name, exc_info=exc)
        return await self.finish(firing, "failed", "error")

    async def recover(self, plan: Planned, firing: LeasedFiring, posted: MessageRef) -> None:
        """A taken-over firing whose post was found: let the ritual record what the step
        writes after posting (`Ritual.recovered`). Its failure is logged, never reposted."""
        ctx = self.make_context(plan, self.clock.now())
        try:
            await plan.ritual.recovered(ctx, _occurrence(plan, firing), posted)
        except Exception:
            log.exception("%s %s: could not record what its post left behind", plan.job_id, firing.occurrence)

    async def finish(self, firing: LeasedFiring, status: str, cause: str | None = None) -> Outcome:
        """Record a firing's outcome (only while it is still ours)."""
        # Team and ritual only: a step's name can hold a person's id (an admin's insights).
        log.debug("a firing of %s for team %s at %s: %s", firing.ritual_id, firing.team_id, firing.occurrence, status)
        if not await self.store.finish_firing(firing.id, self.worker, status, cause):
            log.warning("firing %s was taken over meanwhile; its new owner records the outcome", firing_marker(firing))
        return Outcome(status, cause)

    async def report(self, plan: Planned, firing: LeasedFiring, cause: str) -> None:
        if self.report_trouble is None:
            return
        try:
            await self.report_trouble(plan, firing, cause)
        except Exception:  # telling the admins must never change what was recorded
            log.exception("could not tell the admins of team %s about %s", plan.team.id, cause)

    def _gate(self, plan: Planned, occ_key: str, state: RitualState) -> str | None:
        """Why this firing must not run (paused, skipped, holiday), or None to run it."""
        if state.paused:
            return "paused"
        if state.skip_occurrence == occ_key:
            return "skipped"
        if plan.team.is_holiday(datetime.fromisoformat(occ_key).date()):
            return "holiday"
        return None

    def due_between(self, start: datetime, end: datetime) -> list[tuple[Planned, StepFiring]]:
        """Every step firing in `[start, end)`, in time order."""
        found: list[tuple[Planned, StepFiring]] = []
        for plan in self.plans:
            for firing in plan.firings(start, end):
                found.append((plan, firing))
        # At one moment, steps of the earlier occurrence go first (last week's digest before this week's DM).
        found.sort(key=lambda item: (item[1].at, item[1].occurrence, -item[0].step.offset))
        return found

    async def run_due(self, since: datetime | None = None) -> dict[str, int]:
        """Fire everything due up to now that nobody claimed yet.

        Used at start-up (catch-up after downtime) and by the fake-clock demo and tests.
        Firings older than the grace window are recorded as missed, never posted.
        """
        now = self.clock.now()
        counts: dict[str, int] = {}
        late: list[tuple[Planned, datetime | StepFiring]] = []
        lasts: dict[tuple[str, str, str], datetime] = {}
        if since is None:  # a few queries for all teams, not a few per team
            await self.see_teams(now)
            lasts = await self.store.last_firing_dues()
        starts = [(plan, max(since, await self.team_since(plan.team)) if since else
                   await self._lookback_start(plan, now, lasts.get((plan.team.id, plan.ritual.id, plan.step.name))))
                  for plan in self.plans]
        # Working out thousands of schedules is CPU work: off the event loop (`firings_of`).
        for (plan, start), dues in zip(starts, await asyncio.to_thread(firings_of, starts, now), strict=True):
            if not dues:
                continue
            known = await self.store.firing_keys(plan.team.id, plan.ritual.id, start - timedelta(days=1))
            for due in dues:
                key = (plan.step.name, due.occurrence)
                if key in known or plan.began_before(due, await self.team_since(plan.team)):
                    continue
                if now - due.at > self.grace:
                    claim = await self.store.claim_firing(plan.team.id, plan.ritual.id, plan.step.name, key[1],
                                                    due.planned, "missed", self.worker, now)
                    if claim is not None:
                        log.warning("%s %s came due at %s while the bot was down: missed", plan.job_id, key[1], due.at)
                        self.metrics.fired(plan.ritual.id, "missed")
                        counts["missed"] = counts.get("missed", 0) + 1
                else:
                    late.append((plan, due))
        for outcome in await self.fire_many(late):
            counts[outcome.status] = counts.get(outcome.status, 0) + 1
        return counts

    def saw_teams(self, first_seen: Mapping[str, datetime]) -> None:
        """When teams were first seen, as `Store.ensure_teams` answered someone who recorded
        them (the runner at start-up), so the catch-up does not record 10,000 teams again."""
        self._first_seen.update(first_seen)

    async def see_teams(self, now: datetime) -> None:
        """Record every planned team not seen yet (one transaction), and when each was first seen."""
        new = {p.team.id: (p.team.platform, p.team.channel) for p in self.plans if p.team.id not in self._first_seen}
        if new:
            self._first_seen.update(await self.store.ensure_teams(new, now))

    async def _lookback_start(self, plan: Planned, now: datetime, last: datetime | None) -> datetime:
        """From the later of: the last firing we know, when the team was first seen, 35 days ago."""
        floor = now - LOOKBACK
        candidates = [floor, await self.team_since(plan.team)] + ([last + timedelta(seconds=1)] if last else [])
        return max(candidates)

    async def team_since(self, team: TeamView) -> datetime:
        """When the bot first saw this team: nothing planned before it is ever posted."""
        if team.id not in self._first_seen:
            self._first_seen[team.id] = await self.store.ensure_team(team.id, team.platform, team.channel, self.clock.now())
        return self._first_seen[team.id]

    def open_round_end(self, team_id: str, ritual_id: str) -> datetime | None:
        """The last step still to come of a round begun on a schedule since replaced, if any."""
        now = self.clock.now()
        times = [f.at for f in (p.next_firing(now) for p in self.plans
                                if p.team.id == team_id and p.ritual.id == ritual_id and p.until) if f is not None]
        return max(times) if times else None

    def next_firing(self, team_id: str, ritual_id: str, step: str | None = None, *,
                    current_only: bool = False, skipping: str | None = None) -> datetime | None:
        """When a step fires next; without `step`, the ritual's main moment (its zero-offset step).
        `current_only` leaves out what remains of a round begun on a replaced schedule;
        `skipping` is an occurrence an admin skips (`/ritual skip`): the one after it counts."""
        now = self.clock.now()
        plans = [p for p in self.plans if p.team.id == team_id and p.ritual.id == ritual_id
                 and (step is None or p.step.name == step) and not (current_only and p.until)]
        if step is None and any(not p.step.offset for p in plans):
            plans = [p for p in plans if not p.step.offset]
        times = []
        for plan in plans:
            found = plan.next_firing(now)
            if found is not None and skipping is not None and found.occurrence == skipping:
                found = plan.next_firing(found.at + timedelta(seconds=1))
            if found is not None:
                times.append(found.at)
        return min(times) if times else None

    def next_occurrence_key(self, team_id: str, ritual_id: str) -> str | None:
        """The occurrence a `skip` applies to: the next scheduled moment of the ritual."""
        now = self.clock.now()
        for plan in self.plans:
            if plan.team.id == team_id and plan.ritual.id == ritual_id and plan.until is None:
                nxt = plan.resolved.schedule.trigger(plan.team.tz).firings(now, now + timedelta(days=400))
                return next((f.occurrence for f in nxt if plan.since is None or f.occurrence >= plan.since), None)
        return None


def _occurrence(plan: Planned, firing: LeasedFiring) -> Occurrence:
    """The occurrence a claimed firing belongs to, as its step handler sees it."""
    scheduled = datetime.fromisoformat(firing.occurrence).replace(tzinfo=plan.team.tz)
    return Occurrence(key=firing.occurrence, step=plan.step.name, scheduled=scheduled,
                      due=firing.due_at.astimezone(plan.team.tz), firing_id=firing.id)


def _key(new: NewFiring) -> tuple[str, str, str, str]:
    return (new.team_id, new.ritual_id, new.step, new.occurrence)
