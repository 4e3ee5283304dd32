"""The store's threads (`bot/store/dbthreads.py`): post work stays within its limit, every job
runs, and a stop ends every thread, now that a finished job no longer wakes all idle threads."""

from __future__ import annotations

import threading

from bot.lanes import INTERACTIONS, POSTS
from bot.store.dbthreads import LaneThreads


def test_post_work_beyond_the_limit_runs_when_a_thread_is_free_and_a_stop_ends_every_thread() -> None:
    threads = LaneThreads(3, reserved=1, name="threads-under-test")  # two threads for posts, one kept for interactions
    release = threading.Event()
    lock = threading.Lock()
    running, most = [0], [0]

    def post_job() -> str:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        release.wait()
        with lock:
            running[0] -= 1
        return "posted"

    posts = [threads.submit(POSTS, post_job) for _ in range(7)]
    assert threads.submit(INTERACTIONS, lambda: "answered").result() == "answered"  # never behind the posts
    release.set()
    assert [f.result() for f in posts] == ["posted"] * 7  # the ones held back by the limit ran too
    assert most[0] <= 2
    queued = [threads.submit(POSTS, lambda: "late") for _ in range(5)]
    threads.shutdown()  # returns only when every thread has ended
    assert [f.result() for f in queued] == ["late"] * 5
    assert not [t for t in threading.enumerate() if t.name.startswith("threads-under-test")]
