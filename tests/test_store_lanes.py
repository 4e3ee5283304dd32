"""The store under a fan-out (issue 9): a person's store call never queues behind post work,
and the few statements every firing makes share group commits without mixing up answers.

Ordering and counts only; no clock is read.
"""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event

from bot.lanes import INTERACTIONS, in_lane
from bot.store import Store
from bot.store.leases import RUNNING, NewFiring

NOW = datetime(2026, 12, 4, 13, 0, tzinfo=UTC)


async def test_a_persons_store_call_goes_before_post_work_that_was_queued_first(store: Store) -> None:
    release = threading.Event()
    blockers = [asyncio.ensure_future(store._off_loop(lambda: release.wait(30)))
                for _ in range(store._threads.posts_limit)]  # every thread post work may use is busy
    await asyncio.sleep(0)
    finished: list[str] = []
    posts = [asyncio.ensure_future(store.put_state(f"t{i}", "weekly_success_mistake", "open", "x", NOW))
             for i in range(5)]
    for task in posts:
        task.add_done_callback(lambda _: finished.append("post"))
    with in_lane(INTERACTIONS):
        click = asyncio.ensure_future(store.language("t0", "U0BRAM0001"))
    click.add_done_callback(lambda _: finished.append("interaction"))
    await asyncio.sleep(0)
    release_later = asyncio.get_running_loop().call_later(0.2, release.set)  # only if nothing else released it
    try:
        await asyncio.wait_for(asyncio.shield(click), 20)
    finally:
        release.set()
        release_later.cancel()
    await asyncio.gather(*blockers, *posts)
    assert finished[0] == "interaction", finished
    assert finished.count("post") == 5
    assert [await store.get_state(f"t{i}", "weekly_success_mistake", "open") for i in range(5)] == ["x"] * 5


def _count_commits(store: Store) -> list[int]:
    commits = [0]

    def counted(*_: Any) -> None:
        commits[0] += 1

    event.listen(store.engine, "commit", counted)
    return commits


async def test_firings_starting_together_share_a_commit_and_each_gets_its_own_answer(store: Store) -> None:
    firings = [NewFiring(f"t{i}", "weekly_success_mistake", "prompt", "2026-12-04T14:00", NOW) for i in range(20)]
    claimed = await store.claim_firings(firings, RUNNING, "me", NOW, NOW + timedelta(minutes=1))
    assert await store.finish_firing(claimed[7].id, "me", "done")  # no longer running: its start is refused
    commits = _count_commits(store)

    started = await asyncio.gather(*(store.mark_started(f.id, "me", NOW, f"C{i}") for i, f in enumerate(claimed)))
    assert started == [i != 7 for i in range(20)]
    finished = await asyncio.gather(*(store.finish_firing(f.id, "me", "done" if i % 2 else "failed", None if i % 2
                                                          else "channel_not_found") for i, f in enumerate(claimed)))
    assert finished == [i != 7 for i in range(20)]
    assert commits[0] < 20, "each firing committed on its own"
    rows = {f.team_id: f for f in [await store.leased_firing(f.id) for f in claimed] if f is not None}
    assert rows["t3"].status == "done" and rows["t4"].status == "failed" and rows["t4"].cause == "channel_not_found"
    assert rows["t3"].started_at is not None and rows["t7"].started_at is None


async def test_state_written_together_keeps_the_last_value_and_one_bad_value_fails_only_its_caller(store: Store) -> None:
    commits = _count_commits(store)
    results = await asyncio.gather(
        *(store.put_state(f"t{i}", "weekly_success_mistake", "prompt:x", {"id": i}, NOW) for i in range(10)),
        store.put_state("t0", "weekly_success_mistake", "prompt:x", {"id": "later"}, NOW),
        store.put_state("t1", "weekly_success_mistake", "bad", object(), NOW),
        return_exceptions=True)
    assert isinstance(results[-1], TypeError) and results[:-1] == [None] * 11
    values = await asyncio.gather(*(store.get_state(f"t{i}", "weekly_success_mistake", "prompt:x") for i in range(10)))
    assert values == [{"id": "later"}] + [{"id": i} for i in range(1, 10)]
    assert await store.get_state("t1", "weekly_success_mistake", "bad") is None
    await asyncio.gather(*(store.delete_state(f"t{i}", "weekly_success_mistake", "prompt:x") for i in range(0, 10, 2)))
    assert [await store.get_state(f"t{i}", "weekly_success_mistake", "prompt:x") for i in range(3)] == [
        None, {"id": 1}, None]
    assert commits[0] < 25


async def test_calls_of_different_methods_waiting_together_share_one_commit(store: Store) -> None:
    firings = [NewFiring(f"t{i}", "weekly_success_mistake", "prompt", "2026-12-04T14:00", NOW) for i in range(20)]
    claimed = await store.claim_firings(firings, RUNNING, "me", NOW, NOW + timedelta(minutes=1))
    await store.put_state("t0", "weekly_success_mistake", "gone", 1, NOW)
    commits = _count_commits(store)

    results = await asyncio.gather(
        *(store.mark_started(f.id, "me", NOW, f"C{i}") for i, f in enumerate(claimed[:10])),
        *(store.finish_firing(f.id, "me", "done") for f in claimed[10:]),
        *(store.put_state(f"t{i}", "weekly_success_mistake", "open", f"o{i}", NOW) for i in range(10)),
        store.get_state("t0", "weekly_success_mistake", "gone"),
        store.delete_state("t0", "weekly_success_mistake", "gone"))
    assert results == [True] * 20 + [None] * 10 + [1, None]
    assert commits[0] == 1, "each method committed on its own"
    assert [await store.get_state(f"t{i}", "weekly_success_mistake", "open") for i in range(10)] == [
        f"o{i}" for i in range(10)]
    rows = [await store.leased_firing(f.id) for f in claimed]
    assert all(r is not None and r.started_at is not None and r.status == RUNNING for r in rows[:10])
    assert all(r is not None and r.status == "done" for r in rows[10:])


async def test_a_refused_call_in_a_mixed_group_fails_only_its_caller(store: Store) -> None:
    firings = [NewFiring(f"t{i}", "weekly_success_mistake", "prompt", "2026-12-04T14:00", NOW) for i in range(6)]
    claimed = await store.claim_firings(firings, RUNNING, "me", NOW, NOW + timedelta(minutes=1))
    assert await store.finish_firing(claimed[2].id, "me", "done")  # its start is refused: not running any more

    results = await asyncio.gather(
        *(store.mark_started(f.id, "me", NOW, f"C{i}") for i, f in enumerate(claimed)),
        *(store.put_state(f"t{i}", "weekly_success_mistake", "open", f"o{i}", NOW) for i in range(3)),
        store.put_state("t1", "weekly_success_mistake", "bad", object(), NOW),
        return_exceptions=True)
    assert results[:9] == [True, True, False, True, True, True, None, None, None]
    assert isinstance(results[9], TypeError)
    assert [await store.get_state(f"t{i}", "weekly_success_mistake", "open") for i in range(3)] == ["o0", "o1", "o2"]


async def test_a_group_started_again_keeps_each_firings_first_moment_and_target(store: Store) -> None:
    firings = [NewFiring(f"t{i}", "weekly_success_mistake", "prompt", "2026-12-04T14:00", NOW) for i in range(4)]
    claimed = await store.claim_firings(firings, RUNNING, "me", NOW, NOW + timedelta(minutes=1))
    assert await store.mark_started(claimed[0].id, "me", NOW, "C0")
    later = NOW + timedelta(minutes=3)

    started = await asyncio.gather(*(store.mark_started(f.id, "me", later, f"D{i}") for i, f in enumerate(claimed)),
                                   store.mark_started(claimed[1].id, "me", later, "twice"))
    assert started == [True] * 5
    rows = [await store.leased_firing(f.id) for f in claimed]
    assert [(r.started_at, r.target) for r in rows if r is not None] == [
        (NOW, "C0"), (later, "D1"), (later, "D2"), (later, "D3")]
    finished = await asyncio.gather(*(store.finish_firing(f.id, "me", "done") for f in claimed),
                                    store.finish_firing(claimed[3].id, "me", "failed", "again"))
    assert finished == [True] * 4 + [False]
    rows = [await store.leased_firing(f.id) for f in claimed]
    assert [(r.status, r.cause, r.target) for r in rows if r is not None] == [("done", None, None)] * 4
