"""Keeping Python's garbage collector off the long-lived heap (issue 9: acks during a fan-out).

With 10,000 teams the process holds a great many objects that live as long as it does:
config, plans, teams, the scheduler's jobs, imported modules. CPython's cyclic collector
walks all of them in every full (oldest-generation) collection, and a fan-out allocates
enough to trigger several: each held the event loop (and the GIL) for 0.2-0.4 s at 2,000
teams, logged by `bot/looplag.py` as "collecting garbage", and a person's command waited
through it.

`settle()` moves everything alive at that moment into the collector's permanent
generation (`gc.freeze`, the technique CPython documents for long-lived heaps), so later
full collections only walk what was allocated since. Frozen objects are still freed by
reference counting when dropped (a re-plan replaces the plans); only cyclic garbage
among them would stay until `gc.unfreeze`. Called by `ritualbot run` once started (config,
modules) and again once a platform's teams are on schedule (plans, jobs).
"""

from __future__ import annotations

import gc

# Container allocations (less deallocations) between two young collections; CPython's
# default is 700. A fan-out keeps tens of thousands of objects alive for its duration
# (each firing's task, context and outcome), and each full collection walks all of them:
# at 700, 10,000 firings made several such passes of 0.1-0.2 s on the loop. At 10,000 a
# young collection still walks at most a few ms of objects, and full ones are ~14x rarer
# (one run each, `bench/command_acks.py`: the bot's CPU in a 10,000-team fan-out 23 s -> 16 s).
THRESHOLDS = (10_000, 10, 10)


def settle() -> None:
    """Collect the young generations, freeze what is alive and set `THRESHOLDS`. Each step
    takes time in the young generations only: `gc.get_freeze_count()` would walk every
    frozen object (millions in a long test session; 130 ms on a loaded machine, a stall the
    loop-lag watch rightly blamed), so it is left to whoever wants to know."""
    gc.collect(1)  # the young generations only: quick, and their garbage is not frozen with the rest
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
