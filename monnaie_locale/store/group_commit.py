"""Group commit for SQLite: the writes of many callers, one disk sync.

SQLite lets one transaction write at a time, and with ``synchronous=FULL`` every commit
waits for the disk (about a millisecond here). Callers writing at once would queue on
the lock and pay one sync each. Here their use cases run together in one transaction,
each inside its own SAVEPOINT, and commit once.

Nothing is weakened by the grouping. A use case that raises rolls back its own savepoint
and its caller gets the exception; the others are unaffected. No caller hears back
before the commit that holds its work is on disk. If the transaction as a whole fails (a
deferred constraint checked at COMMIT, a disk error, a database kept busy by another
process), it is rolled back and each use case runs again alone in its own transaction,
exactly as :meth:`~monnaie_locale.store.database.Database.write` runs one: a fault in one
use case never fails another. Use cases are already written to be re-run (writes are
retried on conflicts), so running one a second time after a rollback is safe.

Two ways in:

* :meth:`GroupCommitter.write`, from any thread: one writer thread takes every use case
  waiting at that moment. A caller that finds nobody else writing runs its use case on
  its own thread, as it would without grouping.
* :meth:`GroupCommitter.write_async`, from an event loop: the use cases that the loop's
  ready tasks start are run on the loop's own thread once those tasks are done, and only
  the COMMIT, which waits for the disk, goes to a thread; the loop collects the next
  group meanwhile. Running the statements on the loop avoids a thread hop per request
  and a fight for the interpreter's lock: each SQLite statement lets go of it, and a
  thread taking it back from a busy loop waits up to a switch interval (5 ms). If
  another connection holds the write lock, the loop does not wait: the use cases go to
  the writer thread instead.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, RootTransaction
from sqlalchemy.exc import DBAPIError

__all__ = ["BUSY_TIMEOUT_MS", "GroupBroken", "GroupCommitter", "OpenGroup", "Outcome"]

T = TypeVar("T")

# The busy timeout of every SQLite connection of the project (see store.database).
BUSY_TIMEOUT_MS = 10_000
# Enough to absorb a burst from every caller; a larger group only lengthens the wait of
# its first member.
MAX_GROUP = 128
# The writer thread ends after this long without work and starts again on demand, so an
# idle database (many of them in a test run) holds no thread.
IDLE_SECONDS = 2.0

# What became of one use case of a group: (True, its result) or (False, its exception).
Outcome = tuple[bool, Any]
UseCase = Callable[[Connection], Any]


class GroupBroken(Exception):
    """The group's transaction cannot commit as a whole; nothing of it was written."""


class OpenGroup:
    """A group's use cases run in one open transaction, each in its own savepoint."""

    def __init__(self, engine: Engine, use_cases: list[UseCase], *, wait_for_lock: bool):
        self.outcomes: list[Outcome] = []
        self._conn = engine.connect()
        try:
            self._transaction = self._begin(wait_for_lock)
            self._run(use_cases)
        except BaseException:
            self._conn.close()  # rolls back
            raise

    def _begin(self, wait_for_lock: bool) -> RootTransaction:
        driver = self._conn.connection.dbapi_connection
        assert driver is not None
        self._cursor = driver.cursor()
        if wait_for_lock:
            return self._conn.begin()
        self._cursor.execute("PRAGMA busy_timeout=0")
        try:
            return self._conn.begin()
        except DBAPIError as exc:
            raise GroupBroken("another connection holds the write lock") from exc
        finally:
            self._cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")

    def _run(self, use_cases: list[UseCase]) -> None:
        # Savepoints on the driver's cursor: through SQLAlchemy each one cost about as
        # much as the payment it wraps. A use case's own savepoints nest inside.
        cursor = self._cursor
        for use_case in use_cases:
            cursor.execute("SAVEPOINT group_member")
            try:
                self.outcomes.append((True, use_case(self._conn)))
            except Exception as exc:
                # Some SQLite errors end the whole transaction, not only the statement;
                # later statements would then commit one by one.
                if not self._in_transaction():
                    raise GroupBroken("the transaction ended under a use case") from exc
                cursor.execute("ROLLBACK TO group_member")
                self.outcomes.append((False, exc))
            cursor.execute("RELEASE group_member")
        if not self._in_transaction():
            raise GroupBroken("the transaction ended")

    def commit(self) -> list[Outcome]:
        """Commit (this waits for the disk) and return the outcomes; any thread may call."""
        try:
            self._transaction.commit()
        finally:
            self._conn.close()
        return self.outcomes

    def _in_transaction(self) -> bool:
        driver = self._conn.connection.dbapi_connection
        return bool(getattr(driver, "in_transaction", False))


@dataclass(eq=False)
class _Job:
    use_case: UseCase
    future: Future[Any] = field(default_factory=Future)


@dataclass
class _LoopGroups:
    """An event loop's use cases waiting for a group, and whether a commit is under way."""

    pending: list[tuple[UseCase, asyncio.Future[Outcome | None]]] = field(default_factory=list)
    committing: bool = False


class GroupCommitter:
    """Runs write use cases many to a commit.

    ``run_alone`` runs one use case in a transaction of its own, with the caller's retry
    policy; it is the fallback when a group cannot commit as a whole.
    """

    def __init__(self, engine: Engine, run_alone: Callable[[UseCase], Any]):
        self._engine = engine
        self._run_alone = run_alone
        self._queue: queue.SimpleQueue[_Job] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        # Held by whoever runs writes from a thread: the writer thread, or a caller
        # writing alone on its own thread.
        self._writing = threading.Lock()
        self._loops: dict[asyncio.AbstractEventLoop, _LoopGroups] = {}

    # From threads ----------------------------------------------------------------------

    def write(self, use_case: Callable[[Connection], T]) -> T:
        """Run ``use_case`` in a committed write transaction and return its result."""
        if threading.current_thread() is self._thread:
            # A write started from inside a write: it can only run alone, as before.
            result: T = self._run_alone(use_case)
            return result
        if self._queue.empty() and self._writing.acquire(blocking=False):
            # Nobody else is writing: no group to join, and no reason to hop threads
            # (a command-line tool, a script writing one transaction after another).
            try:
                alone: T = self._run_alone(use_case)
                return alone
            finally:
                self._writing.release()
        return self.submit(use_case).result()

    def submit(self, use_case: Callable[[Connection], T]) -> Future[T]:
        """Queue ``use_case`` for the writer thread; the future settles after the commit."""
        job = _Job(use_case)
        with self._lock:
            self._queue.put(job)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._serve, name="sqlite-group-commit", daemon=True
                )
                self._thread.start()
        return job.future

    def _serve(self) -> None:
        while True:
            try:
                first = self._queue.get(timeout=IDLE_SECONDS)
            except queue.Empty:
                with self._lock:
                    # Checked under the lock that `submit` enqueues under: no job is
                    # ever left in the queue without a thread.
                    if self._queue.empty():
                        self._thread = None
                        return
                continue
            with self._writing:
                group = [first]
                while len(group) < MAX_GROUP:
                    try:
                        group.append(self._queue.get_nowait())
                    except queue.Empty:
                        break
                self._run(group)

    def _run(self, group: list[_Job]) -> None:
        if len(group) == 1:
            self._alone(group[0])
            return
        try:
            outcomes = OpenGroup(
                self._engine, [job.use_case for job in group], wait_for_lock=True
            ).commit()
        except Exception:
            for job in group:
                self._alone(job)
            return
        for job, (succeeded, value) in zip(group, outcomes, strict=True):
            if succeeded:
                job.future.set_result(value)
            else:
                job.future.set_exception(value)

    def _alone(self, job: _Job) -> None:
        try:
            job.future.set_result(self._run_alone(job.use_case))
        except Exception as exc:
            job.future.set_exception(exc)

    # From an event loop ----------------------------------------------------------------

    async def write_async(self, use_case: Callable[[Connection], T]) -> T:
        """:meth:`write` for a coroutine; see the module's docstring."""
        loop = asyncio.get_running_loop()
        groups = self._loops.setdefault(loop, _LoopGroups())
        if not groups.pending and not groups.committing:
            loop.call_soon(self._flush, loop)
        future: asyncio.Future[Outcome | None] = loop.create_future()
        groups.pending.append((use_case, future))
        outcome = await future
        if outcome is None:  # the group could not run on the loop
            return await asyncio.wrap_future(self.submit(use_case))
        succeeded, value = outcome
        if not succeeded:
            raise value
        result: T = value
        return result

    def _flush(self, loop: asyncio.AbstractEventLoop) -> None:
        groups = self._loops[loop]
        group, groups.pending = groups.pending[:MAX_GROUP], groups.pending[MAX_GROUP:]
        if not group:
            return
        try:
            opened = OpenGroup(
                self._engine, [use_case for use_case, _ in group], wait_for_lock=False
            )
        except Exception:
            _hand_over(group)
            self._next(loop)
            return
        groups.committing = True
        committed = loop.run_in_executor(None, opened.commit)
        committed.add_done_callback(lambda done: self._committed(loop, group, done))

    def _committed(
        self,
        loop: asyncio.AbstractEventLoop,
        group: list[tuple[UseCase, asyncio.Future[Outcome | None]]],
        done: asyncio.Future[list[Outcome]],
    ) -> None:
        self._loops[loop].committing = False
        if done.exception() is None:
            for (_, future), outcome in zip(group, done.result(), strict=True):
                if not future.cancelled():
                    future.set_result(outcome)
        else:
            _hand_over(group)
        self._next(loop)

    def _next(self, loop: asyncio.AbstractEventLoop) -> None:
        """Start the group that gathered meanwhile, or forget an idle loop."""
        groups = self._loops[loop]
        if groups.pending:
            loop.call_soon(self._flush, loop)
        elif not groups.committing:
            del self._loops[loop]


def _hand_over(group: list[tuple[UseCase, asyncio.Future[Outcome | None]]]) -> None:
    """Tell each waiting coroutine to send its use case to the writer thread instead."""
    for _, future in group:
        if not future.cancelled():
            future.set_result(None)
