"""Group commit: the writes of many callers, one commit.

Every commit waits for the disk: on SQLite with ``synchronous=FULL`` (about a
millisecond here), on PostgreSQL for its WAL flush, and there also for the round trips
of BEGIN and COMMIT. Callers writing at once would each pay for one. Here their use
cases run together in one transaction, each inside its own SAVEPOINT, and commit once.

Nothing is weakened by the grouping. A use case that raises rolls back its own savepoint
and its caller gets the exception; the others are unaffected. No caller hears back
before the commit that holds its work is durable. If the transaction as a whole fails (a
deferred constraint checked at COMMIT, a disk error, a database kept busy by another
process, a connection lost before COMMIT), it is rolled back and each use case runs
again alone in its own transaction, exactly as
:meth:`~monnaie_locale.store.database.Database.write` runs one: a fault in one use case
never fails another. Use cases are already written to be re-run (writes are retried on
conflicts), so running one a second time after a rollback is safe. The one exception is
a connection lost during COMMIT: whether the group was written is then unknown, so
nothing is run again and every caller gets
:class:`~monnaie_locale.errors.DatabaseUnavailable`, as a transaction written alone
would; a client retrying under its idempotency key gets its payment once either way.

Two ways in:

* :meth:`GroupCommitter.write`, from any thread: writer threads take every use case
  waiting at that moment. A caller that finds a free writing slot and nobody waiting
  runs its use case on its own thread, as it would without grouping (a command-line
  tool, a script writing one transaction after another). On PostgreSQL a thread's
  write always runs so, side by side with the others, as without grouping: there a
  thread's use case may be long (an import, a job), and with two groups under way two
  such would hold up every other write.
* :meth:`GroupCommitter.write_async`, from an event loop: the loop gathers the use
  cases its ready tasks start, and meanwhile the previous group commits. The service's
  payment routes write so (``api/db_calls.py``).

The engines differ in how many groups may be under way and where a coroutine's group
runs.

SQLite lets one transaction write at a time: one writer, one group at a time. A
coroutine's group runs on the loop's own thread once the ready tasks are done, and only
the COMMIT, which waits for the disk, goes to a thread. Running the statements on the
loop avoids a thread hop per request and a fight for the interpreter's lock: each SQLite
statement lets go of it, and a thread taking it back from a busy loop waits up to a
switch interval (5 ms). If another connection holds the write lock, the loop does not
wait: the use cases go to the writer threads instead.

PostgreSQL runs transactions side by side, and each statement is a network round trip
that must not hold up the loop: a coroutine's group is handed to a worker thread, which
runs it and commits while the loop gathers the next. What a member costs there is its
round trips, so grouping pays only with members that run together (below): savepoint by
savepoint, members wait for each other's round trips and a group holds the rows of its
first member until it commits, and groups of lone members did fewer payments a second
than lone transactions (bench/README.md). Two groups are under way at once per process
(``POSTGRES.writers``): callers beyond those queue, and the next group takes them all,
up to ``POSTGRES.max_group``; a larger group costs a payment more, through the API, than
the commits it saves. Past 64 subtransactions a transaction's savepoints would no longer
fit the server's per-backend cache, and every other session's snapshots would get
slower: a group stays under that.

Group members take row locks in their own orders, so two groups (of this process or of
another worker) may each wait for a row the other holds. A member waits for a lock at
most ``LOCK_WAIT_MS`` (instead of the server's deadlock timeout, a second): one that
waited longer, or that the server chose as a deadlock's victim or refused for a
serialization failure, rolls back its savepoint alone, which frees the rows it held and
lets the other group go on; once its own group has committed it runs again in a
transaction of its own, retried as any lone write is, and its caller hears only of that
run. A group holds the rows of its first member until it commits: groups are kept short
for that reason too.

Use cases that can run as one. On PostgreSQL what a grouped use case costs is mostly its
round trips, each paid by the client's thread; grouping alone does not save them. A use
case may say how it runs together with others of its kind: an attribute ``together``, a
function taking the connection and the use cases that share it and returning each one's
result, in a few statements whatever their number (payments: see
:mod:`monnaie_locale.acts.transfers`). A group tries each such family first, in one
savepoint of its own; if the function raises (:class:`RunApart` when it finds it cannot
give each use case exactly what running it alone would, a lock waited on too long, any
error), the savepoint is rolled back and the family's members run one by one, each in its
own savepoint, as any others: nothing of the attempt remains.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from psycopg import errors, pq
from sqlalchemy import Connection, Engine, RootTransaction
from sqlalchemy.exc import DBAPIError

from monnaie_locale.errors import DatabaseUnavailable

__all__ = [
    "BUSY_TIMEOUT_MS",
    "LOCK_WAIT_MS",
    "POSTGRES",
    "SQLITE",
    "CommitUnknown",
    "Flavour",
    "GroupBroken",
    "GroupCommitter",
    "OpenGroup",
    "Outcome",
    "RunApart",
]

T = TypeVar("T")

# The busy timeout of every SQLite connection of the project (see store.database).
BUSY_TIMEOUT_MS = 10_000
# How long a PostgreSQL group's member waits for a row lock before it steps aside and
# runs alone after its group: longer than a group holds its locks, far shorter than the
# server's deadlock timeout.
LOCK_WAIT_MS = 200
# The writer threads end after this long without work and start again on demand, so an
# idle database (many of them in a test run) holds no thread.
IDLE_SECONDS = 2.0
# The SQLSTATE of a lock wait past lock_timeout.
_LOCK_NOT_AVAILABLE = "55P03"

# What became of one use case of a group: (True, its result) or (False, its exception).
Outcome = tuple[bool, Any]
UseCase = Callable[[Connection], Any]


@dataclass(frozen=True)
class Flavour:
    """How one engine groups: what the engines differ in (see the module's docstring)."""

    # Groups under way at once in a process.
    writers: int
    # A larger group only lengthens the wait of its first member.
    max_group: int
    # A coroutine's group runs its statements on the event loop's thread.
    inline_on_loop: bool
    # Use cases that say how to run together (``together``) are tried that way first.
    together: bool
    # A write from a thread (GroupCommitter.write) may join a group; if not, it runs
    # alone on its thread, as without grouping.
    threads_join: bool
    # The statements that open the first member's savepoint, that close one member's
    # and open the next one's, and that close the last one's: each string one call.
    first: tuple[str, ...]
    between: tuple[str, ...]
    last: tuple[str, ...]
    # ``first`` begins the transaction itself, in one round trip and one message to
    # the server (psycopg's low-level ``exec_``), instead of letting the driver send
    # BEGIN before it: a round trip, and its CPU, saved in every group.
    first_begins: bool


SQLITE = Flavour(
    writers=1,
    max_group=128,
    inline_on_loop=True,
    # Its statements cost no round trip: running them one by one costs little more.
    together=False,
    threads_join=True,
    first=("SAVEPOINT group_member",),
    # sqlite3 runs one statement per call.
    between=("RELEASE group_member", "SAVEPOINT group_member"),
    last=("RELEASE group_member",),
    first_begins=False,
)
POSTGRES = Flavour(
    writers=2,
    max_group=32,
    inline_on_loop=False,
    together=True,
    threads_join=False,
    # BEGIN, the members' lock timeout, their plans and the first savepoint: one simple
    # query. A group's statements find rows by their keys: left to itself the planner
    # scans the whole accounts table for a group's locks and changes (it looks small),
    # a cost that grows with the number of accounts and with the dead row versions the
    # payments leave there between two vacuums, where an index lookup costs the same
    # whatever their number (bench/README.md).
    first=(
        f"BEGIN; SET LOCAL lock_timeout = {LOCK_WAIT_MS}; SET LOCAL enable_seqscan = off; "
        "SAVEPOINT group_member",
    ),
    # Without parameters psycopg sends a string as a simple query, statements and all:
    # one round trip for two. COMMIT ends the last savepoint with the transaction.
    between=("RELEASE group_member; SAVEPOINT group_member",),
    last=(),
    first_begins=True,
)


class RunApart(Exception):
    """Raised by a ``together`` function: these use cases must run one by one."""


class GroupBroken(Exception):
    """The group's transaction cannot commit as a whole; nothing of it was written."""


class CommitUnknown(Exception):
    """The connection broke during COMMIT: the group may or may not have been written."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class OpenGroup:
    """A group's use cases run in one open transaction, each in its own savepoint.

    ``again`` lists the members (by position) that stepped aside for a lock or a
    conflict and are to run again alone once the group has committed.
    """

    def __init__(
        self,
        engine: Engine,
        use_cases: list[UseCase],
        *,
        flavour: Flavour,
        retryable: Callable[[DBAPIError], bool],
        wait_for_lock: bool = True,
    ):
        self.outcomes: list[Outcome] = []
        self.again: list[int] = []
        self._flavour = flavour
        self._retryable = retryable
        self._conn = engine.connect()
        # sqlite3's or psycopg's connection: their attributes differ.
        self._driver: Any = self._conn.connection.dbapi_connection
        assert self._driver is not None
        self._prepare_threshold: int | None = None
        try:
            self._transaction = self._begin(wait_for_lock)
            self._run(use_cases)
        except BaseException:
            self._close()  # rolls back
            raise

    def _begin(self, wait_for_lock: bool) -> RootTransaction:
        self._cursor = self._driver.cursor()
        if self._conn.dialect.name == "postgresql":
            # psycopg prepares a statement it has run a few times, and may count one
            # as prepared that the server skipped after an error; a ROLLBACK makes it
            # forget them all, a ROLLBACK TO SAVEPOINT does not, and the next member
            # would then fail on a statement the server never had. Nothing is
            # prepared, or run prepared, inside a group, but a family's statements
            # (see _preparing).
            self._prepare_threshold = self._driver.prepare_threshold
            self._driver.prepare_threshold = None
        if wait_for_lock or self._conn.dialect.name != "sqlite":
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
        outcomes: list[Outcome | None] = [None] * len(use_cases)
        self._opened = False
        for together, positions in self._families(use_cases).items():
            self._open_member()
            try:
                with self._preparing():
                    results = together(self._conn, [use_cases[p] for p in positions])
            except Exception as exc:
                self._roll_back_member(exc)
                continue  # its members run one by one below
            for position, result in zip(positions, results, strict=True):
                outcomes[position] = (True, result)
        for position, use_case in enumerate(use_cases):
            if outcomes[position] is not None:
                continue
            self._open_member()
            try:
                outcomes[position] = (True, use_case(self._conn))
            except Exception as exc:
                self._roll_back_member(exc)
                outcomes[position] = (False, exc)
                if isinstance(exc, DBAPIError) and self._steps_aside(exc):
                    self.again.append(position)
        self.outcomes = [outcome for outcome in outcomes if outcome is not None]
        self._execute(self._flavour.last)
        if not self._in_transaction():
            raise GroupBroken("the transaction ended")

    @contextmanager
    def _preparing(self) -> Iterator[None]:
        """psycopg: let a family's statements be prepared, as outside a group.

        A family's function sends each statement on its own, never in a pipeline: psycopg
        prepares one in a round trip of its own and records it only once the server has
        it, so an error cannot leave a phantom behind (see :meth:`_begin`). A family
        runs the same few statements in every group, so each is then planned once per
        connection rather than once per group.
        """
        if self._prepare_threshold is None:
            yield
            return
        self._driver.prepare_threshold = self._prepare_threshold
        try:
            yield
        finally:
            self._driver.prepare_threshold = None

    def _families(self, use_cases: list[UseCase]) -> dict[Any, list[int]]:
        """The positions of the use cases sharing each ``together`` function, two or more."""
        if not self._flavour.together:
            return {}
        families: dict[Any, list[int]] = {}
        for position, use_case in enumerate(use_cases):
            together = getattr(use_case, "together", None)
            if together is not None:
                families.setdefault(together, []).append(position)
        return {together: found for together, found in families.items() if len(found) > 1}

    def _roll_back_member(self, exc: Exception) -> None:
        """Undo what the current savepoint holds, after ``exc``."""
        # Some SQLite errors end the whole transaction, not only the statement; later
        # statements would then commit one by one. A lost connection ends it too.
        if not self._in_transaction():
            raise GroupBroken("the transaction ended under a use case") from exc
        self._cursor.execute("ROLLBACK TO group_member")

    def _steps_aside(self, exc: DBAPIError) -> bool:
        sqlstate = getattr(exc.orig, "sqlstate", None)
        return sqlstate == _LOCK_NOT_AVAILABLE or self._retryable(exc)

    def _open_member(self) -> None:
        """Open the next member's savepoint (closing the last one's, if any)."""
        if self._opened:
            self._execute(self._flavour.between)
        elif self._flavour.first_begins:
            (statement,) = self._flavour.first
            begin_on_server(self._conn, statement)
        else:
            self._execute(self._flavour.first)
        self._opened = True

    def _execute(self, statements: tuple[str, ...]) -> None:
        for statement in statements:
            self._cursor.execute(statement)

    def commit(self) -> list[Outcome]:
        """Commit (this waits for the disk) and return the outcomes; any thread may call.

        Raises :class:`CommitUnknown` if the connection broke during COMMIT, and the
        driver's error if the server refused the commit (nothing was then written).
        """
        try:
            self._transaction.commit()
        except DBAPIError as exc:
            if exc.connection_invalidated:
                raise CommitUnknown(_first_line(exc)) from exc
            raise
        finally:
            self._close()
        return self.outcomes

    def _close(self) -> None:
        if self._prepare_threshold is not None:
            self._driver.prepare_threshold = self._prepare_threshold
        self._conn.close()

    def _in_transaction(self) -> bool:
        if self._conn.invalidated:
            return False
        info = getattr(self._driver, "info", None)
        if info is not None:  # psycopg: inside a transaction, or inside a failed one
            return str(getattr(info.transaction_status, "name", "")) in {"INTRANS", "INERROR"}
        return bool(getattr(self._driver, "in_transaction", False))


def not_begun(conn: Connection) -> bool:
    """Whether ``conn``, on PostgreSQL, has not yet sent the BEGIN of its transaction.

    psycopg sends it before the first statement: nothing was written in it so far.
    """
    if conn.dialect.name != "postgresql":
        return False
    driver: Any = conn.connection.dbapi_connection
    return bool(driver.info.transaction_status == pq.TransactionStatus.IDLE)


def begin_on_server(conn: Connection, statement: str) -> None:
    """psycopg: run ``statement``, which begins the transaction, as one simple query.

    One round trip, and one message to the server, instead of the driver's BEGIN and
    then the statement. The driver reads the transaction's state from the server's
    answer, so it sends no BEGIN of its own afterwards, and commits or rolls back as
    usual.
    """
    driver: Any = conn.connection.dbapi_connection
    error = conn.dialect.loaded_dbapi.Error
    try:
        result = driver.pgconn.exec_(statement.encode())
        if result.status != pq.ExecStatus.COMMAND_OK:
            raise errors.error_from_result(result, encoding=driver.info.encoding)
    except error as exc:
        # SQLAlchemy's own handling: wraps it, invalidates a broken connection.
        conn._handle_dbapi_exception(exc, statement, (), None, None)


def _first_line(exc: DBAPIError) -> str:
    text = str(exc.orig if exc.orig is not None else exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


@dataclass(eq=False)
class _Job:
    use_case: UseCase
    future: Future[Any] = field(default_factory=Future)


# A coroutine's use case and where its outcome goes; None sends it to the writer threads.
_Waiting = tuple[UseCase, "asyncio.Future[Outcome | None]"]


@dataclass
class _LoopGroups:
    """An event loop's use cases waiting for a group, and its groups under way."""

    pending: list[_Waiting] = field(default_factory=list)
    under_way: int = 0


class GroupCommitter:
    """Runs write use cases many to a commit.

    ``run_alone`` runs one use case in a transaction of its own, with the caller's retry
    policy; it is the fallback when a group cannot commit as a whole. ``retryable`` says
    which of the driver's errors that policy retries.
    """

    def __init__(
        self,
        engine: Engine,
        run_alone: Callable[[UseCase], Any],
        *,
        flavour: Flavour = SQLITE,
        retryable: Callable[[DBAPIError], bool] = lambda exc: False,
    ):
        self._engine = engine
        self._run_alone = run_alone
        self.flavour = flavour
        self._retryable = retryable
        self._queue: queue.SimpleQueue[_Job] = queue.SimpleQueue()
        # Jobs queued and not yet taken into a group: a caller writes alone only when
        # there are none (a writer holding one, waiting for a slot, counts).
        self._queued = 0
        self._lock = threading.Lock()
        self._threads: set[threading.Thread] = set()
        # One per group under way, held by whoever runs it: a writer thread, a worker
        # running a coroutine's group, or a caller writing alone on its own thread.
        self._slots = threading.BoundedSemaphore(flavour.writers)
        self._local = threading.local()
        self._loops: dict[asyncio.AbstractEventLoop, _LoopGroups] = {}
        # Runs coroutines' groups where they do not run on the loop: one thread a group
        # under way, made on demand (the loop's default executor has fewer).
        self._workers: ThreadPoolExecutor | None = None

    def close(self) -> None:
        """Let the threads that ran coroutines' groups end; they start again on demand."""
        with self._lock:
            workers, self._workers = self._workers, None
        if workers is not None:
            workers.shutdown(wait=False)

    # From threads ----------------------------------------------------------------------

    def write(self, use_case: Callable[[Connection], T]) -> T:
        """Run ``use_case`` in a committed write transaction and return its result."""
        if not self.flavour.threads_join or getattr(self._local, "writing", False):
            # Or a write started from inside a write: it can only run alone, as before.
            result: T = self._run_alone(use_case)
            return result
        if self._queued == 0 and self._slots.acquire(blocking=False):
            # Nobody waiting: no group to join, and no reason to hop threads.
            try:
                self._local.writing = True
                alone: T = self._run_alone(use_case)
                return alone
            finally:
                self._local.writing = False
                self._slots.release()
        return self.submit(use_case).result()

    def submit(self, use_case: Callable[[Connection], T]) -> Future[T]:
        """Queue ``use_case`` for the writer threads; the future settles after the commit."""
        job = _Job(use_case)
        with self._lock:
            self._queued += 1
            self._queue.put(job)
            if len(self._threads) < self.flavour.writers:
                thread = threading.Thread(target=self._serve, name="group-commit", daemon=True)
                self._threads.add(thread)
                thread.start()
        return job.future

    def _serve(self) -> None:
        self._local.writing = True
        while True:
            try:
                first = self._queue.get(timeout=IDLE_SECONDS)
            except queue.Empty:
                with self._lock:
                    # Checked under the lock that `submit` enqueues under: no job is
                    # ever left in the queue without a thread.
                    if self._queue.empty():
                        self._threads.discard(threading.current_thread())
                        return
                continue
            with self._slots:
                # Taken once a slot is free: whoever queued meanwhile joins.
                group = [first]
                while len(group) < self.flavour.max_group:
                    try:
                        group.append(self._queue.get_nowait())
                    except queue.Empty:
                        break
                with self._lock:
                    self._queued -= len(group)
                outcomes = self.run_group([job.use_case for job in group])
            for job, (succeeded, value) in zip(group, outcomes, strict=True):
                if succeeded:
                    job.future.set_result(value)
                else:
                    job.future.set_exception(value)

    def run_group(self, use_cases: list[UseCase]) -> list[Outcome]:
        """Run ``use_cases`` as one group on this thread, every fallback included."""
        if len(use_cases) == 1:
            return [self._alone(use_cases[0])]
        try:
            opened = OpenGroup(
                self._engine, use_cases, flavour=self.flavour, retryable=self._retryable
            )
            outcomes = opened.commit()
        except CommitUnknown as unknown:
            return [(False, DatabaseUnavailable(unknown.reason)) for _ in use_cases]
        except Exception:
            return [self._alone(use_case) for use_case in use_cases]
        for position in opened.again:
            outcomes[position] = self._alone(use_cases[position])
        return outcomes

    def _alone(self, use_case: UseCase) -> Outcome:
        try:
            return True, self._run_alone(use_case)
        except Exception as exc:
            return False, exc

    # From an event loop ----------------------------------------------------------------

    async def write_async(self, use_case: Callable[[Connection], T]) -> T:
        """:meth:`write` for a coroutine; see the module's docstring."""
        loop = asyncio.get_running_loop()
        groups = self._loops.setdefault(loop, _LoopGroups())
        if not groups.pending and groups.under_way < self.flavour.writers:
            loop.call_soon(self._flush, loop)
        future: asyncio.Future[Outcome | None] = loop.create_future()
        groups.pending.append((use_case, future))
        outcome = await future
        if outcome is None:  # the group could not run on the loop, or this one stepped aside
            return await asyncio.wrap_future(self.submit(use_case))
        succeeded, value = outcome
        if not succeeded:
            raise value
        result: T = value
        return result

    def _flush(self, loop: asyncio.AbstractEventLoop) -> None:
        groups = self._loops.get(loop)
        if groups is None or groups.under_way >= self.flavour.writers:
            return  # the group under way schedules the next when it is done
        size = self.flavour.max_group
        group, groups.pending = groups.pending[:size], groups.pending[size:]
        if not group:
            self._next(loop)
            return
        use_cases = [use_case for use_case, _ in group]
        done: asyncio.Future[list[Outcome | None]]
        if self.flavour.inline_on_loop:
            try:
                opened = OpenGroup(
                    self._engine,
                    use_cases,
                    flavour=self.flavour,
                    retryable=self._retryable,
                    wait_for_lock=False,
                )
            except Exception:
                _hand_over(group)
                self._next(loop)
                return
            done = loop.run_in_executor(None, _committed_inline, opened)
        else:
            done = loop.run_in_executor(self._executor(), self._run_in_slot, use_cases)
        groups.under_way += 1
        done.add_done_callback(lambda settled: self._settled(loop, group, settled))
        self._next(loop)

    def _executor(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._workers is None:
                self._workers = ThreadPoolExecutor(
                    self.flavour.writers, thread_name_prefix="group-commit"
                )
            return self._workers

    def _run_in_slot(self, use_cases: list[UseCase]) -> list[Outcome | None]:
        with self._slots:
            self._local.writing = True
            try:
                return list(self.run_group(use_cases))
            finally:
                self._local.writing = False

    def _settled(
        self,
        loop: asyncio.AbstractEventLoop,
        group: list[_Waiting],
        done: asyncio.Future[list[Outcome | None]],
    ) -> None:
        self._loops[loop].under_way -= 1
        if done.exception() is None:
            for (_, future), outcome in zip(group, done.result(), strict=True):
                if not future.cancelled():
                    future.set_result(outcome)
        else:
            _hand_over(group)
        self._next(loop)

    def _next(self, loop: asyncio.AbstractEventLoop) -> None:
        """Start the group that gathered meanwhile, or forget an idle loop."""
        groups = self._loops.get(loop)
        if groups is None:
            return
        if groups.pending:
            if groups.under_way < self.flavour.writers:
                loop.call_soon(self._flush, loop)
        elif not groups.under_way:
            del self._loops[loop]


def _committed_inline(opened: OpenGroup) -> list[Outcome | None]:
    """Commit a group run on the loop; a member that stepped aside goes to the writers.

    A commit refused raises: the whole group then goes to the writer threads.
    """
    try:
        outcomes: list[Outcome | None] = list(opened.commit())
    except CommitUnknown as unknown:
        return [(False, DatabaseUnavailable(unknown.reason)) for _ in opened.outcomes]
    for position in opened.again:
        outcomes[position] = None
    return outcomes


def _hand_over(group: list[_Waiting]) -> None:
    """Tell each waiting coroutine to send its use case to the writer threads instead."""
    for _, future in group:
        if not future.cancelled():
            future.set_result(None)
