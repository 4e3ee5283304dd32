"""The loop-lag monitor (issue 9 point 1): a stall over 100 ms is reported with what caused it,
counted in /metrics, and fails a test when our code caused it; CPU taken by other processes
and many short callbacks are told apart from that, so a loaded machine fails nothing.

These tests stall the loop on purpose, so the autouse watch (`tests/conftest.py`) is off here.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime

import pytest

from bot.looplag import BUSY, CODE, STARVED, LoopLagMonitor, RunQueueWaits
from bot.metrics import Metrics
from bot.store import Consent, Store
from tests.conftest import fail_on_stalls
from tests.db_locks import holding

pytestmark = pytest.mark.loop_stalls_allowed("these tests stall the loop to see the monitor catch it")


def _this_file(filename: str) -> bool:
    return filename == __file__


def _hold_the_loop(seconds: float) -> None:
    time.sleep(seconds)  # a blocking call on the event loop's thread


async def test_a_blocking_database_call_on_the_loop_is_blamed_on_our_code_and_fails_the_test(
        store: Store, database_url: str) -> None:
    metrics = Metrics()
    monitor = LoopLagMonitor(metrics)
    monitor.start()
    await asyncio.sleep(0.05)  # the watchdog's first readings
    with holding(database_url, tables=("member",), at_most=0.4):
        # the store's synchronous body called on the loop, as a careless caller would
        Store.set_consent.__wrapped__(store, "noord", "bram", Consent.IN, datetime.now(UTC), 1)  # type: ignore[attr-defined]
    await asyncio.sleep(0.05)  # the next tick ends the stall
    monitor.stop()
    [stall] = monitor.blamed()
    assert stall.cause == CODE and stall.seconds > 0.1
    assert "bot/store/store.py" in stall.culprit and "set_consent" in "\n".join(stall.stack)
    assert 'ritualbot_loop_stalls_total{cause="code"} 1.0' in metrics.render().decode()
    with pytest.raises(pytest.fail.Exception, match="stalled in our code"):
        fail_on_stalls(monitor.blamed())


async def test_a_stall_spent_waiting_for_a_cpu_is_not_blamed() -> None:
    # As if every moment of the stall the process's threads waited on a run queue (a loaded machine).
    monitor = LoopLagMonitor(ours=_this_file, cpu_waits=lambda tids: {tid: time.monotonic_ns() for tid in tids})
    monitor.start()
    await asyncio.sleep(0.05)
    _hold_the_loop(0.3)
    await asyncio.sleep(0.05)
    stalls = monitor.stop()
    assert stalls and {s.cause for s in stalls} == {STARVED}
    assert monitor.blamed() == []


async def test_many_short_callbacks_are_busy_not_blamed() -> None:
    monitor = LoopLagMonitor(ours=_this_file, cpu_waits=lambda tids: {})
    monitor.start()
    loop = asyncio.get_running_loop()
    done = asyncio.Event()
    for _ in range(40):
        loop.call_soon(_hold_the_loop, 0.01)
    loop.call_soon(done.set)
    await done.wait()
    await asyncio.sleep(0.05)
    stalls = monitor.stop()
    assert stalls and all(s.cause == BUSY for s in stalls)


async def test_one_long_callback_of_ours_is_named() -> None:
    monitor = LoopLagMonitor(ours=_this_file, cpu_waits=lambda tids: {})
    monitor.start()
    await asyncio.sleep(0.05)
    _hold_the_loop(0.3)
    await asyncio.sleep(0.05)
    [stall] = monitor.stop()
    assert stall.cause == CODE and "_hold_the_loop" in stall.culprit
    assert "test_one_long_callback_of_ours_is_named" in "\n".join(stall.stack)


def _spin(cpu_seconds: float) -> None:
    """Work on the CPU for `cpu_seconds` of this thread's own CPU time, however long that takes."""
    end = time.thread_time() + cpu_seconds
    while time.thread_time() < end:
        pass


async def test_the_kernels_run_queue_wait_is_read_per_thread() -> None:
    waits = RunQueueWaits()
    try:
        me = threading.get_native_id()
        found = waits([me, 2**22 + 12345])  # a thread that does not exist is left out
    finally:
        waits.close()
    if not os.path.exists(f"/proc/self/task/{me}/schedstat"):
        pytest.skip("no schedstat on this system")
    assert list(found) == [me] and found[me] >= 0


async def test_our_short_callback_slowed_down_by_cpu_hogs_on_its_core_is_not_blamed() -> None:
    """Real starvation: three processes spinning on the loop thread's core make 40 ms of our
    CPU work take several times as long; the kernel's run-queue wait tells it apart."""
    if not hasattr(os, "sched_setaffinity") or not os.path.exists(f"/proc/self/task/{threading.get_native_id()}/schedstat"):
        pytest.skip("needs Linux's schedstat and CPU affinity")
    saved = os.sched_getaffinity(0)
    core = min(saved)
    hogs = [subprocess.Popen([sys.executable, "-c", "while 1: pass"]) for _ in range(3)]
    try:
        for hog in hogs:
            os.sched_setaffinity(hog.pid, {core})
        os.sched_setaffinity(0, {core})  # this (the loop's) thread only
        _spin(0.2)  # the hogs are running now
        monitor = LoopLagMonitor(ours=_this_file)
        monitor.start()
        await asyncio.sleep(0.1)  # the watchdog's first readings
        _spin(0.04)
        await asyncio.sleep(0.05)
        stalls = monitor.stop()
    finally:
        os.sched_setaffinity(0, saved)
        for hog in hogs:
            hog.kill()
            hog.wait()
    assert monitor.blamed() == []
    assert any(s.cause == STARVED for s in stalls), stalls


def _the_hook_module(filename: str) -> bool:
    return filename.endswith("looplag_hook.py")


async def test_a_hook_of_ours_inside_someone_elses_synchronous_query_is_their_stall(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # A test or a tool queries the database synchronously on the loop; SQLAlchemy calls a
    # connection hook of ours while checking the connection out. The stall is the caller's.
    from sqlalchemy import create_engine, event, text

    from tests.looplag_hook import slow_hook

    engine = create_engine(f"sqlite:///{tmp_path / 'x.db'}")
    event.listen(engine, "checkout", slow_hook)
    monitor = LoopLagMonitor(ours=_the_hook_module, cpu_waits=lambda tids: {})
    monitor.start()
    await asyncio.sleep(0.05)
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    await asyncio.sleep(0.05)
    slow_hook()  # the same hook called straight from the caller's code: ours, blamed
    await asyncio.sleep(0.05)
    monitor.stop()
    engine.dispose()
    assert len(monitor.stalls) == 2
    [blamed] = monitor.blamed()
    assert "looplag_hook.py" in blamed.culprit and blamed is monitor.stalls[1]
