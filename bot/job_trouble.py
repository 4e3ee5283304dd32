"""The scheduler's background jobs when they fail: said once, not on every try.

Every few seconds the scheduler checks for admin changes and for another replica's
config.toml, renews its leases and looks for firings to take over; every few minutes it
sweeps and does its housekeeping. A database that goes away makes each of them fail at
each try: a 30 s outage was thirty log lines, and a traceback a minute from the
housekeeping. `JobTrouble` says an outage once, in the words `/healthz` uses for the
database (bot/store/outage.py), and once more when the database answers again. A job that
fails for another reason (unexpected: with its traceback) is said once per kind of failure,
and again when it works.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable

from bot.store.outage import OUTAGE, database_state

log = logging.getLogger("ritualbot.scheduler")


class JobTrouble:
    """One per scheduler: `run(job, work)` runs one try of a background job and says what needs saying."""

    def __init__(self, ping: Callable[[], Awaitable[str]], clock: Callable[[], float] = time.monotonic) -> None:
        """`ping`: the store's `ping` ('ok' when the database answers), to be sure an outage ended."""
        self._ping = ping
        self._clock = clock
        self._outage: tuple[str, float] | None = None  # the database's state, and since when
        self._failing: dict[str, str] = {}  # job -> the kind of failure already said

    async def run(self, job: str, work: Callable[[], Awaitable[object]], *, meanwhile: str = "") -> bool:
        """Await `work()`; True when it succeeded. A failure is logged (once, see the module doc),
        never raised. `job` says what it does ("check for admin changes"); `meanwhile` what
        happens until it works (": using the plans as they are")."""
        try:
            await work()
        except Exception as exc:
            self.failed(job, exc, meanwhile)
            return False
        await self.worked(job)
        return True

    def failed(self, job: str, exc: BaseException, meanwhile: str = "") -> None:
        state = database_state(exc)
        if state in OUTAGE:
            if self._outage is None or self._outage[0] != state:
                self._outage = (state, self._clock())
                log.error("database: %s (%s), met trying to %s: nothing is fired and no admin change is read until "
                          "it is back; trying again every few seconds (/healthz answers 503), and saying here when it "
                          "is back", state, type(exc).__name__, job)
            else:
                log.debug("database still %s: could not %s", state, job)
            return
        kind = type(exc).__name__
        if self._failing.get(job) == kind:
            log.debug("could not %s (%s), again", job, kind)
            return
        self._failing[job] = kind
        log.error("could not %s (%s)%s; tried again on its schedule, said again when it works", job, kind, meanwhile,
                  exc_info=exc)

    async def worked(self, job: str) -> None:
        if self._failing.pop(job, None) is not None:
            log.info("can %s again", job)
        # a job may succeed without asking the database (nothing to do): ask it before saying it is back
        if self._outage is not None and await self._ping() == "ok":
            state, since = self._outage
            self._outage = None
            log.warning("database: reachable again after %.0f s (was %s)", self._clock() - since, state)
