"""Running the store's short synchronous transactions off the event loop.

Every public `Store` method is written as a plain function that opens one session and
commits it; `@off_loop` turns it into a coroutine that runs that function on the store's
own threads, so a slow disk, a held SQLite write lock or a PostgreSQL row lock makes
one awaiting handler wait, never the event loop (and with it every other handler, the
Socket Mode heartbeat and `/healthz`).

The threads are bounded: one for SQLite, which serialises writers anyway (so this
process's transactions keep the order and the locking they always had), and for
PostgreSQL `POSTGRES_THREADS` plus `INTERACTION_THREADS` that only a person's
interactions use. Either way a waiting interaction goes before waiting post work
(`bot/store/dbthreads.py`).

`@grouped` is for the few statements every firing makes (its start, its state, its
outcome): calls that wait at the same time share one transaction (a group commit), of
whichever grouped methods they are, so 10,000 firings in one minute are a few hundred
commits, not 50,000. Each caller still
gets its own result only after the commit, and a statement that fails in a group is
run again alone, so only its own caller sees the error. Interactions are never grouped.

Each call takes the waits of the task that awaits it (`bot/store/waits.py`): brief while a
person's interaction has delivered nothing yet, patient otherwise.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
from collections.abc import Callable, Coroutine
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import OperationalError

from bot.lanes import INTERACTIONS, current_lane
from bot.store.dbthreads import LaneThreads
from bot.store.waits import bound_waits, current_waits, run_within

P = ParamSpec("P")
R = TypeVar("R")
S = TypeVar("S", bound="OffLoop")

POSTGRES_THREADS = 8
INTERACTION_THREADS = 2  # PostgreSQL: threads only interactions may use
GROUP_LIMIT = 200  # calls per group commit (of all grouped methods): one group is a short wait for an interaction

Many = Callable[[Any, Connection, list[dict[str, Any]]], list[Any] | None]


class OffLoop:
    """Owns the threads the store's transactions run on, and the groups waiting to commit."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        sqlite = engine.dialect.name == "sqlite"
        self._threads = (LaneThreads(1) if sqlite else
                         LaneThreads(POSTGRES_THREADS + INTERACTION_THREADS, reserved=INTERACTION_THREADS))
        self._groups = _Groups(self)
        bound_waits(engine)

    async def _off_loop(self, call: Callable[[], R]) -> R:
        work = functools.partial(run_within, current_waits(), call)
        return await asyncio.wrap_future(self._threads.submit(current_lane(), work))

    def close(self) -> None:
        """Stop the threads (after the last awaited call) and close the connections. Blocks:
        from a running event loop, await `aclose` instead."""
        self._threads.shutdown()
        self.engine.dispose()

    async def aclose(self) -> None:
        """`close` on a worker thread: closing SQLite's last connection checkpoints its
        write-ahead log (disk writes and an fsync, over 100 ms on a busy disk), which must
        not hold the event loop (issue 9; found as a loop stall at the end of the demo)."""
        await asyncio.to_thread(self.close)


class _Undecided(Exception):
    """A group's `many` could not tell each call's result."""


class _Method:
    """One grouped method: its one-call form and, when it has one, its whole-group form."""

    __slots__ = ("many", "single")

    def __init__(self, single: Callable[..., Any], many: Many | None) -> None:
        self.single, self.many = single, many


class _Groups:
    """Grouped calls of every grouped method waiting for the next group commit.

    Calls waiting at the same moment share one transaction whatever their method (a
    firing's start, another's state, a third's outcome): a fan-out makes one commit where
    it made one per method. Each caller awaits its own result before its next call, so a
    caller's own statements keep their order; calls of different callers were never ordered.
    """

    def __init__(self, owner: OffLoop) -> None:
        self.owner = owner
        self.waiting: list[tuple[_Method, dict[str, Any], asyncio.Future[Any]]] = []
        self.draining: asyncio.Task[None] | None = None

    async def submit(self, method: _Method, arguments: dict[str, Any]) -> Any:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.waiting.append((method, arguments, future))
        if self.draining is None or self.draining.done():
            self.draining = asyncio.create_task(self._drain(), name="store-group-commit")
        return await future

    def _commit(self, calls: list[tuple[_Method, dict[str, Any]]]) -> list[tuple[bool, Any]]:
        """Run `calls` in one transaction, each method's calls at once in the order the
        methods first came; when that fails, each method's calls as `_commit_one` does.
        (ok, result or error) per call, in the order of `calls`."""
        by_method: dict[_Method, list[int]] = {}
        for index, (method, _) in enumerate(calls):
            by_method.setdefault(method, []).append(index)
        outcomes: list[tuple[bool, Any]] = [(False, None)] * len(calls)
        if len(calls) > 1:
            try:
                with self.owner.engine.begin() as conn:
                    for method, indexes in by_method.items():
                        results = self._run(method, conn, [calls[i][1] for i in indexes])
                        if results is None:
                            raise _Undecided  # roll back, then method by method
                        for i, result in zip(indexes, results, strict=True):
                            outcomes[i] = (True, result)
                return outcomes
            except OperationalError:
                raise  # the database is away or locked: every caller gets that
            except Exception:  # noqa: BLE001 - undecided, or one was refused: find out whose
                pass
        for method, indexes in by_method.items():
            for i, outcome in zip(indexes, self._commit_one(method, [calls[i][1] for i in indexes]), strict=True):
                outcomes[i] = outcome
        return outcomes

    def _run(self, method: _Method, conn: Connection, calls: list[dict[str, Any]]) -> list[Any] | None:
        if len(calls) > 1 and method.many is not None:
            return method.many(self.owner, conn, calls)
        return [method.single(self.owner, conn, **call) for call in calls]

    def _commit_one(self, method: _Method, calls: list[dict[str, Any]]) -> list[tuple[bool, Any]]:
        """Run one method's `calls` in one transaction (all at once when the method has a
        `many`); when that fails, each alone. (ok, result or error) per call."""
        owner = self.owner
        if len(calls) > 1:
            for at_once in ((True, False) if method.many is not None else (False,)):
                try:
                    with owner.engine.begin() as conn:
                        results = method.many(owner, conn, calls) if at_once and method.many is not None else [
                            method.single(owner, conn, **call) for call in calls]
                        if results is None:
                            raise _Undecided  # roll back, then one by one
                    return [(True, r) for r in results]
                except OperationalError:
                    raise
                except Exception:  # noqa: BLE001 - undecided, or one was refused: find out whose
                    continue
        outcomes: list[tuple[bool, Any]] = []
        for call in calls:
            try:
                with owner.engine.begin() as conn:
                    outcomes.append((True, method.single(owner, conn, **call)))
            except Exception as exc:  # noqa: BLE001 - handed to its own caller
                outcomes.append((False, exc))
        return outcomes

    async def _drain(self) -> None:
        """Commit what waits, group after group; calls arriving meanwhile join the next group."""
        while self.waiting:
            group, self.waiting = self.waiting[:GROUP_LIMIT], self.waiting[GROUP_LIMIT:]
            group = [entry for entry in group if not entry[2].cancelled()]
            if not group:
                continue
            try:
                outcomes = await self.owner._off_loop(functools.partial(
                    self._commit, [(method, call) for method, call, _ in group]))
            except BaseException as exc:
                for _, _, future in group:
                    if not future.done():
                        future.set_exception(exc)
                if isinstance(exc, asyncio.CancelledError):
                    raise
                continue
            for (_, _, future), (ok, value) in zip(group, outcomes, strict=True):
                if future.done():
                    continue
                if ok:
                    future.set_result(value)
                else:
                    future.set_exception(value)
            await asyncio.sleep(0)  # the callers just answered make their next calls: they join the next group


def off_loop(method: Callable[Concatenate[S, P], R]) -> Callable[Concatenate[S, P], Coroutine[Any, Any, R]]:
    """Make a synchronous store method a coroutine that runs it on the store's threads."""

    @functools.wraps(method)
    async def run(self: S, /, *args: P.args, **kwargs: P.kwargs) -> R:
        return await self._off_loop(functools.partial(method, self, *args, **kwargs))

    return run


def grouped(many: Many | None = None) -> Callable[[Callable[Concatenate[S, Connection, P], R]],
                                                Callable[Concatenate[S, P], Coroutine[Any, Any, R]]]:
    """Make a one-statement store method (given the transaction's connection) a coroutine
    whose calls from post work share group commits; an interaction's call runs alone.

    `many(store, connection, calls)` may do a whole group at once (each call's arguments
    by name, defaults filled in) and return one result per call, in order, or None when
    it cannot tell (each call is then run on its own, in the same transaction).
    """

    def decorate(method: Callable[Concatenate[S, Connection, P], R]) -> Callable[Concatenate[S, P], Coroutine[Any, Any, R]]:
        bind = _binder(method)
        grouped_method = _Method(method, many)

        @functools.wraps(method)
        async def run(self: S, /, *args: P.args, **kwargs: P.kwargs) -> R:
            arguments = bind(args, kwargs)
            if current_lane() == INTERACTIONS:
                return await self._off_loop(functools.partial(_alone, self, method, arguments))
            result: R = await self._groups.submit(grouped_method, arguments)
            return result

        return run

    return decorate


def _binder(method: Callable[..., Any]) -> Callable[[tuple[Any, ...], dict[str, Any]], dict[str, Any]]:
    """A fast `inspect.Signature.bind` for a grouped method (after self and the connection):
    each call's arguments by name, defaults filled in. Every firing makes several grouped
    calls, and `Signature.bind` was about 8 % of the event loop's time in a 2,000-team fan-out.

    Raises TypeError, as a call would, for a missing, unknown or doubled argument."""
    parameters = list(inspect.signature(method).parameters.values())[2:]
    if any(p.kind not in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) for p in parameters):
        raise TypeError(f"grouped store method {method.__name__}: plain parameters only")
    names = [p.name for p in parameters]
    positional = [p.name for p in parameters if p.kind == p.POSITIONAL_OR_KEYWORD]
    defaults = {p.name: p.default for p in parameters if p.default is not p.empty}

    def bind(args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
        if len(args) > len(positional):
            raise TypeError(f"{method.__name__}() takes {len(positional)} arguments, {len(args)} given")
        given = dict(zip(positional, args, strict=False))
        for key, value in kwargs.items():
            if key in given or key not in names:
                raise TypeError(f"{method.__name__}() got an unexpected or doubled argument {key!r}")
            given[key] = value
        missing = [n for n in names if n not in given and n not in defaults]
        if missing:
            raise TypeError(f"{method.__name__}() missing arguments: {', '.join(missing)}")
        return {n: given[n] if n in given else defaults[n] for n in names}

    return bind


def _alone(owner: OffLoop, method: Callable[..., R], arguments: dict[str, Any]) -> R:
    with owner.engine.begin() as conn:
        return method(owner, conn, **arguments)
