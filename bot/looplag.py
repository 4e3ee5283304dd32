"""Finding event-loop stalls and what caused them (issue 9, point 1).

A tick is scheduled on the loop every `tick` seconds; when one runs more than `threshold`
seconds (100 ms) late, the loop stalled. A watchdog thread samples the loop thread's
stack (`sys._current_frames`) while a tick is overdue, so a stall is reported with the
callback that was running through it: the asyncio handle, its task's coroutine, and the
innermost frame of our own code.

Not every late tick is our fault. On a busy machine the loop thread (or the thread that
holds the GIL) may wait for a CPU: the kernel counts that wait per thread in
`/proc/self/task/<tid>/schedstat` (2nd field, nanoseconds on a run queue). The watchdog
reads it every 10 ms (never the loop: even /proc can block while the process forks), and
the monitor subtracts it, summed over the process's threads from the reading before the
stall to the one after, and so the time Python's garbage collector ran on the loop's
thread (`gc.callbacks`). A stall is blamed on our code ("code") only when what is left is
still over the threshold *and* one callback ran through at least half of it with our
code on its stack in at least half the samples. Otherwise it is "starved" (the CPU was
taken by others) or "busy" (many short callbacks, none long). A stall with no reading
before it (the first 10 ms) is never blamed. Where schedstat is missing (not Linux),
nothing is subtracted.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import sys
import sysconfig
import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

from bot.metrics import Metrics

log = logging.getLogger("ritualbot.looplag")

THRESHOLD = 0.1  # seconds: a stall worth reporting
TICK = 0.02  # seconds between ticks on the loop
SAMPLE = 0.01  # seconds between the watchdog's looks
CODE, STARVED, BUSY = "code", "starved", "busy"
_ROOTS = tuple(str(Path(__file__).resolve().parent.parent / name) + os.sep for name in ("bot", "rituals"))
_ASYNCIO = str(Path(asyncio.__file__).resolve().parent) + os.sep
_STDLIB = sysconfig.get_paths()["stdlib"] + os.sep


def our_code(filename: str) -> bool:
    """True for a file of the `bot` or `rituals` packages (this monitor's own file aside)."""
    path = os.path.abspath(filename)
    return path.startswith(_ROOTS) and path != os.path.abspath(__file__)


@dataclass
class Stall:
    """One stall: how long (seconds), how much of it was waiting for a CPU, and its cause.

    `culprit` names the callback that ran through it (empty when none was seen);
    `stack` is that callback's sampled stack, outermost first, as `file:line in function`.
    """

    started: float
    seconds: float
    cpu_wait: float
    cause: str
    culprit: str = ""
    stack: list[str] = field(default_factory=list)
    collecting: float = 0.0  # seconds of it in Python's garbage collector on the loop's thread

    @property
    def blocked(self) -> float:
        """The part of the stall not spent waiting for a CPU or collecting garbage."""
        return max(0.0, self.seconds - self.cpu_wait - self.collecting)

    def describe(self) -> str:
        where = "\n    ".join(self.stack[-12:])
        return (f"event loop stalled {self.seconds * 1000:.0f} ms ({self.cpu_wait * 1000:.0f} ms of it waiting "
                f"for a CPU, {self.collecting * 1000:.0f} ms collecting garbage), cause {self.cause}: "
                f"{self.culprit or 'no single callback'}"
                + (f"\n    {where}" if where else ""))


@dataclass
class _Sample:
    at: float
    handle: FrameType | None  # the frame of asyncio's `Handle._run` running then (identity only)
    stack: list[str]
    ours: bool
    culprit: str


class RunQueueWaits:
    """Nanoseconds each thread of this process has waited on a CPU run queue, from
    `/proc/self/task/<tid>/schedstat` (2nd field). The files stay open and are re-read
    with one `pread` each, so a look every 10 ms costs a syscall per thread."""

    def __init__(self) -> None:
        self._files: dict[int, int] = {}

    def __call__(self, tids: list[int]) -> dict[int, int]:
        found: dict[int, int] = {}
        for tid in tids:
            fd = self._files.get(tid)
            try:
                if fd is None:
                    fd = self._files[tid] = os.open(f"/proc/self/task/{tid}/schedstat", os.O_RDONLY)
                found[tid] = int(os.pread(fd, 128, 0).split()[1])
            except (OSError, IndexError, ValueError):
                continue
        for gone in set(self._files) - set(tids):  # threads that ended
            os.close(self._files.pop(gone))
        return found

    def close(self) -> None:
        for fd in self._files.values():
            os.close(fd)
        self._files.clear()


def _thread_ids() -> list[int]:
    try:
        return [int(t) for t in os.listdir("/proc/self/task")]
    except OSError:
        return []


def _stdlib(filename: str) -> bool:
    return filename.startswith(("<", _STDLIB)) and f"{os.sep}site-packages{os.sep}" not in filename


def _package(filename: str) -> bool:
    """A file of an installed package (SQLAlchemy, psycopg, aiohttp, ...)."""
    return f"{os.sep}site-packages{os.sep}" in filename


def _culprits(inner: list[FrameType], ours_: Callable[[str], bool]) -> list[FrameType]:
    """The frames of ours that count for a stall, outermost first. A frame of ours that a
    package called back while running a call some other code made (a database event hook
    under a test's or a tool's own synchronous query) is that code's stall, not ours; the
    standard library (asyncio, contextlib) passes calls through and changes nothing."""
    counted: list[FrameType] = []
    foreign_caller = via_package = False
    for f in inner:
        name = f.f_code.co_filename
        if ours_(name):
            if foreign_caller and via_package:
                continue  # a hook inside someone else's call
            counted.append(f)
            foreign_caller = via_package = False
        elif _package(name):
            via_package = True
        elif not _stdlib(name):
            foreign_caller, via_package = True, False
    return counted


def _sample(frame: FrameType | None, at: float, ours_: Callable[[str], bool]) -> _Sample:
    """The loop thread's stack as one sample: which handle runs, and the innermost frame of ours."""
    frames: list[FrameType] = []
    while frame is not None:
        frames.append(frame)
        frame = frame.f_back
    frames.reverse()  # outermost first
    handle = None
    start = 0
    for i, f in enumerate(frames):
        if f.f_code.co_name == "_run" and f.f_code.co_filename.startswith(_ASYNCIO) \
                and f.f_code.co_filename.endswith("events.py"):
            handle, start = f, i + 1
    inner = frames[start:] if handle is not None else []
    stack = [f"{f.f_code.co_filename}:{f.f_lineno} in {f.f_code.co_name}" for f in inner]
    ours = _culprits(inner, ours_)
    culprit = ""
    if inner:
        first = inner[0].f_code.co_name
        mine = ours[-1] if ours else inner[-1]
        culprit = f"{first} -> {mine.f_code.co_filename}:{mine.f_lineno} in {mine.f_code.co_name}"
    return _Sample(at, handle, stack, bool(ours), culprit)


class LoopLagMonitor:
    """Watches one event loop; `start()` on the loop's thread, `stop()` when done.

    Every stall over `threshold` is kept in `stalls`, logged (a warning when our code
    caused it) and counted in `metrics` (`ritualbot_loop_stalls_total{cause}`). `ours`
    tells which source files count as our code (the `bot` and `rituals` packages).
    """

    def __init__(self, metrics: Metrics | None = None, *, threshold: float = THRESHOLD, tick: float = TICK,
                 sample: float = SAMPLE, cpu_waits: Callable[[list[int]], dict[int, int]] | None = None,
                 ours: Callable[[str], bool] = our_code) -> None:
        self.metrics = metrics
        self.ours = ours
        self.threshold, self.tick, self.sample = threshold, tick, sample
        self.stalls: list[Stall] = []
        self._cpu_waits = cpu_waits or RunQueueWaits()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._due = 0.0
        self._lock = threading.Lock()
        self._ended: deque[tuple[float, float, float]] = deque()
        self._samples: list[_Sample] = []
        # the watchdog's readings: (when, run-queue wait in ns of each thread); 30 s of them
        self._readings: deque[tuple[float, dict[int, int]]] = deque(maxlen=3000)
        self._collected = self._collected_at_tick = 0.0  # seconds in gc on the loop's thread
        self._gc_began = 0.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._ident = 0
        self._own_tid = 0

    def start(self) -> None:
        """Begin watching the running loop (call it from a coroutine on that loop)."""
        self._loop = asyncio.get_running_loop()
        self._ident = threading.get_ident()
        self._stop.clear()
        self._thread = threading.Thread(target=self._watch, name="ritualbot-looplag", daemon=True)
        self._thread.start()
        self._own_tid = self._thread.native_id or 0
        gc.callbacks.append(self._on_gc)
        self._due = time.monotonic() + self.tick
        self._timer = self._loop.call_later(self.tick, self._on_tick)

    def stop(self) -> list[Stall]:
        """Stop watching; every stall seen, including one that ended with the last tick."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._on_gc in gc.callbacks:
            gc.callbacks.remove(self._on_gc)
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        self._analyse()
        if isinstance(self._cpu_waits, RunQueueWaits):
            self._cpu_waits.close()
        return list(self.stalls)

    def blamed(self) -> list[Stall]:
        """The stalls our code caused."""
        return [s for s in self.stalls if s.cause == CODE]

    # on the loop ---------------------------------------------------------------------------------

    def _on_tick(self) -> None:
        # Nothing here reads a file: even /proc can block (while the process forks), and this runs on the loop.
        now = time.monotonic()
        if now - self._due > self.threshold:
            with self._lock:
                self._ended.append((self._due, now, self._collected - self._collected_at_tick))
        self._collected_at_tick = self._collected
        self._due = now + self.tick
        assert self._loop is not None
        self._timer = self._loop.call_later(self.tick, self._on_tick)

    def _on_gc(self, phase: str, _info: dict[str, int]) -> None:
        """Time Python's garbage collections on the loop's thread (they stall it, but are no call of ours)."""
        if threading.get_ident() != self._ident:
            return
        if phase == "start":
            self._gc_began = time.monotonic()
        elif self._gc_began:
            self._collected += time.monotonic() - self._gc_began
            self._gc_began = 0.0

    def _run_queue_wait(self) -> dict[int, int]:
        return self._cpu_waits([t for t in _thread_ids() if t != self._own_tid])

    # on the watchdog thread ----------------------------------------------------------------------

    def _watch(self) -> None:
        while not self._stop.wait(self.sample):
            self._readings.append((time.monotonic(), self._run_queue_wait()))
            now = time.monotonic()
            if now - self._due > self.threshold / 2:  # a stall may be going on: look at what runs
                try:
                    sample = _sample(sys._current_frames().get(self._ident), now, self.ours)
                except Exception:  # noqa: BLE001 - the loop thread moved on mid-walk: no evidence
                    sample = _Sample(now, None, [], False, "")
                with self._lock:
                    self._samples.append(sample)
            self._analyse()

    def _analyse(self) -> None:
        with self._lock:
            ended = list(self._ended)
            self._ended.clear()
        latest = self._readings[-1][0] if self._readings else 0.0
        for i, (started, finished, collecting) in enumerate(ended):
            if finished > latest and not self._stop.is_set():  # judged once the watchdog has read after it
                with self._lock:
                    self._ended.extendleft(reversed(ended[i:]))
                return
            cpu_wait = self._cpu_wait_between(started, finished)
            with self._lock:
                samples = [s for s in self._samples if started <= s.at <= finished]
                self._samples = [s for s in self._samples if s.at > finished]
            self._report(self._judge(started, finished, cpu_wait, collecting, samples))

    def _cpu_wait_between(self, started: float, finished: float) -> float:
        """Seconds the process's threads waited on a run queue from the last reading before
        `started` to the first after `finished` (a little wider than the stall: in doubt, the
        machine's fault, not ours). Unknown (no reading before it) counts as all of it."""
        before = next((w for at, w in reversed(self._readings) if at <= started), None)
        after = next((w for at, w in self._readings if at >= finished), None)
        if after is None and self._stop.is_set():
            after = self._run_queue_wait()
        if before is None or after is None:
            return finished - started
        # per thread; a thread born in between waited all of its wait in between
        return sum(ns - before.get(tid, 0) for tid, ns in after.items()) / 1e9

    def _judge(self, started: float, finished: float, cpu_wait: float, collecting: float,
               samples: list[_Sample]) -> Stall:
        seconds = finished - started
        spans: dict[int, list[_Sample]] = {}
        for s in samples:
            if s.handle is not None:
                spans.setdefault(id(s.handle), []).append(s)
        longest = max(spans.values(), key=len, default=[])
        stall = Stall(started, seconds, max(0.0, cpu_wait), BUSY, collecting=collecting)
        if longest:  # where that callback was seen most often
            common = Counter(s.culprit for s in longest).most_common(1)[0][0]
            shown = next(s for s in reversed(longest) if s.culprit == common)
            stall.culprit, stall.stack = shown.culprit, shown.stack
        one_callback = bool(longest) and len(longest) * 2 >= max(1, len(samples)) and \
            longest[-1].at - longest[0].at + self.sample >= seconds / 2
        mostly_ours = sum(s.ours for s in longest) * 2 >= len(longest) > 0
        if stall.blocked <= self.threshold:
            stall.cause = STARVED if cpu_wait > 0 else BUSY
        elif one_callback and mostly_ours:
            stall.cause = CODE
        return stall

    def _report(self, stall: Stall) -> None:
        self.stalls.append(stall)
        if self.metrics is not None:
            self.metrics.loop_stalled(stall.cause, stall.blocked)
        if stall.cause == CODE:
            log.warning("%s", stall.describe())
        else:
            log.info("%s", stall.describe())
