"""The database connection and its unit of work.

One use case is one database transaction, owned here: :meth:`Database.write` opens it,
runs the use case with the connection, commits on success and rolls back on any error.
Use cases only execute statements; they never commit.

Concurrency. On PostgreSQL the ledger runs at READ COMMITTED and every balance change
is a conditional ``UPDATE ... WHERE balance - held + delta >= lower_limit``, taken in
account-id order; a waiting update re-checks its condition against the committed row,
so no update is lost and no limit is crossed, and the fixed order prevents most
deadlocks. The few that remain, and serialization failures, are retried here. Callers
writing at once share transactions and commits, each in a savepoint of its own, with the
same outcome as alone; payments met in one group are written together (see
:mod:`monnaie_locale.store.group_commit`). On SQLite
a writer takes the database's write lock at BEGIN (``BEGIN IMMEDIATE``), so writers
queue instead of failing half-way; readers use plain ``BEGIN`` and never wait (WAL).

Reads. :meth:`Database.read` and its context-manager form :meth:`Database.reading` are
the one way to read: on PostgreSQL a READ ONLY, REPEATABLE READ transaction, so every
statement of a report, an export or a journal verification sees one state of the books
(at READ COMMITTED a payment committed between two statements would look like a
discrepancy), and the server itself refuses a write there. SQLite's deferred read
transaction is a snapshot already.

One statement that reads, the credential check of every request, may run outside any
transaction (:meth:`Database.look_up`): on PostgreSQL in autocommit, a snapshot of its
own, two round trips fewer.

Reports on a standby. With a read URL (:meth:`Database.add_replica`, the setting
``MLC_DATABASE_READ_URL``), the reads that ask for it with ``replica=True`` (reports and
exports: pure reads, never followed by a write) go to a streaming standby, and the
primary keeps its cores for payments; every other read, and any read when the standby
cannot be reached, goes to the primary. A standby may lag: ``synchronous_commit = on``
waits for the standby to flush a commit, not to make it visible (``remote_apply``
would), so a report there may miss the last milliseconds of payments. The journal's
verification, which must see the latest, stays on the primary.

Errors. The driver's exceptions stop here: a server out of reach becomes
:class:`~monnaie_locale.errors.DatabaseUnavailable`, missing tables
:class:`~monnaie_locale.errors.SchemaMissing`, a value the database cannot store
:class:`~monnaie_locale.errors.InvalidData` (see :func:`translated`). The refusals the
ledger means (a broken constraint, a reused key) are turned into ledger errors inside
the use cases, before they get here; any other driver error is a bug and keeps its type.
"""

from __future__ import annotations

import logging
import random
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import URL, Connection, Engine, create_engine, event, make_url, select
from sqlalchemy.exc import DataError, DBAPIError, OperationalError, ProgrammingError
from sqlalchemy.pool import QueuePool

from monnaie_locale.database_url import engine_url
from monnaie_locale.errors import (
    DatabaseUnavailable,
    InvalidData,
    MonnaieLocaleError,
    SchemaMissing,
)
from monnaie_locale.journal_content import DEVELOPMENT_KEY
from monnaie_locale.journal_content import OPTION as JOURNAL_KEY_OPTION
from monnaie_locale.store import binary_arrays  # noqa: F401 (registers its dumpers)
from monnaie_locale.store.group_commit import BUSY_TIMEOUT_MS, POSTGRES, SQLITE, GroupCommitter
from monnaie_locale.store.tables import transaction_ids, transactions

T = TypeVar("T")
_log = logging.getLogger(__name__)

# SQLSTATEs worth retrying on PostgreSQL: serialization failure, deadlock detected.
_RETRYABLE_SQLSTATES = {"40001", "40P01"}
# PostgreSQL's undefined_table; SQLite says "no such table".
_UNDEFINED_TABLE = "42P01"
# SQLite's result codes (extended ones start with these) for a database that cannot
# serve: busy past the timeout, a file it cannot open or write, not a database or no
# longer a sound one. Its generic SQLITE_ERROR also stands for bad SQL, a bug.
_SQLITE_UNAVAILABLE = (
    "SQLITE_BUSY",
    "SQLITE_LOCKED",
    "SQLITE_CANTOPEN",
    "SQLITE_IOERR",
    "SQLITE_FULL",
    "SQLITE_READONLY",
    "SQLITE_PERM",
    "SQLITE_NOTADB",
    "SQLITE_CORRUPT",
    "SQLITE_NOMEM",
)
MAX_ATTEMPTS = 8


@dataclass
class Database:
    """An engine and the way this project runs transactions on it."""

    engine: Engine
    # Writes of all threads and coroutines many to a commit (see
    # monnaie_locale.store.group_commit). None: on a SQLite file and on PostgreSQL, not
    # on an in-memory SQLite database, which lives in one connection that threads share.
    group_commit: bool | None = None
    # Marks the journal rows this service writes (see monnaie_locale.journal_content); every
    # connection of the engine carries it.
    journal_key: bytes = field(default=DEVELOPMENT_KEY, repr=False)
    committer: GroupCommitter | None = field(default=None, init=False, repr=False)
    # A standby's engine for the reads that ask for it (see add_replica).
    replica: Engine | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.engine.update_execution_options(**{JOURNAL_KEY_OPTION: self.journal_key})
        if self.group_commit is None:
            self.group_commit = isinstance(self.engine.pool, QueuePool)
        if self.group_commit:
            self.committer = GroupCommitter(
                self.engine,
                self._write_alone,
                flavour=POSTGRES if self.is_postgres else SQLITE,
                retryable=_is_retryable,
            )

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    @property
    def is_postgres(self) -> bool:
        return self.dialect == "postgresql"

    def write(self, use_case: Callable[[Connection], T]) -> T:
        """Run ``use_case`` in a write transaction and commit it; return its result.

        Raises what ``use_case`` raises, with nothing of it written; the driver's errors
        translated (see the module's docstring).
        """
        with translated():
            if self.committer is not None:
                return self.committer.write(use_case)
            return self._write_alone(use_case)

    async def write_in_loop(self, use_case: Callable[[Connection], T]) -> T:
        """:meth:`write` from an event loop, through the group committer.

        Only for a database with a committer (not an in-memory SQLite one): see
        :meth:`GroupCommitter.write_async
        <monnaie_locale.store.group_commit.GroupCommitter.write_async>`.
        """
        if self.committer is None:
            raise TypeError("write_in_loop needs a group committer")
        with translated():
            return await self.committer.write_async(use_case)

    def _write_alone(self, use_case: Callable[[Connection], T]) -> T:
        """Run ``use_case`` in one write transaction, retrying transient conflicts.

        A connection found broken before COMMIT is retried too, on a fresh one (the pool
        does not ping connections at checkout, see :func:`connect`): nothing of the
        transaction was committed. Broken during COMMIT, the outcome is unknown, so the
        error goes to the caller, as before.
        """
        for attempt in range(1, MAX_ATTEMPTS + 1):
            committing = False
            try:
                with self.engine.begin() as conn:
                    result = use_case(conn)
                    committing = True
                return result
            except DBAPIError as exc:
                broken = exc.connection_invalidated and not committing
                if attempt == MAX_ATTEMPTS or not (broken or _is_retryable(exc)):
                    raise
            # Jittered backoff so colliding writers do not collide again in lockstep.
            time.sleep(random.uniform(0, 0.002 * 2**attempt))
        raise AssertionError("unreachable")

    def read(self, query: Callable[[Connection], T], *, replica: bool = False) -> T:
        """Run ``query`` in a read-only snapshot (see the module's docstring); return its result.

        It never waits for writers and is never refused for a conflict. Retried once on a
        fresh connection if the pooled one turns out broken. ``replica``: on the standby,
        if there is one (see the module's docstring).
        """

        def in_snapshot() -> T:
            with self._read_only(replica) as conn, conn.begin():
                return query(conn)

        return _again_if_broken(in_snapshot)

    def look_up(self, query: Callable[[Connection], T]) -> T:
        """Run ``query``, one statement that reads, outside any transaction; its result.

        One statement is a snapshot of its own, so on PostgreSQL it runs in autocommit,
        without the BEGIN and COMMIT round trips around :meth:`read`'s: for the credential
        check of every request, about 100 µs of client CPU less. Nothing here makes the
        server refuse a write, as :meth:`read`'s READ ONLY does: only for statements that
        read. On SQLite it is :meth:`read`. Retried once if the connection was broken.
        """
        if not self.is_postgres:
            return self.read(query)

        def on_its_own() -> T:
            with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                return query(conn)

        return _again_if_broken(on_its_own)

    @contextmanager
    def reading(self, *, replica: bool = False) -> Iterator[Connection]:
        """:meth:`read` as a context manager, for work that reads over several calls.

        An export streamed chunk by chunk, for one: it sees one state of the books from
        start to end. Not retried, since the work inside may already have been handed on.
        """
        with translated(), self._read_only(replica) as conn, conn.begin():
            yield conn

    def add_replica(self, url: str, *, pool_size: int = 5) -> None:
        """Send the reads made with ``replica=True`` to the standby at ``url``.

        PostgreSQL only: a standby of this database, made by deploy/postgres/make-standby.sh.
        A few connections do: reports and exports are rare next to payments.
        """
        # As the primary's: libpq's spellings, and a short connect timeout, so that a
        # standby out of reach sends a report to the primary in seconds, not minutes.
        url = engine_url(url)
        if not (self.is_postgres and url.startswith("postgresql")):
            raise ValueError("a read URL is a PostgreSQL standby of a PostgreSQL database")
        self.replica = create_engine(url, pool_size=pool_size, max_overflow=10)
        self.replica.update_execution_options(**{JOURNAL_KEY_OPTION: self.journal_key})

    def _read_only(self, replica: bool = False) -> Connection:
        if self.is_postgres:
            # Per transaction: the pool resets both when the connection is checked in.
            options: dict[str, Any] = {
                "isolation_level": "REPEATABLE READ",
                "postgresql_readonly": True,
            }
        else:
            # Read by the begin listener of _configure_sqlite: plain BEGIN, not IMMEDIATE.
            options = {"readonly": True}
        if replica and self.replica is not None:
            try:
                return self.replica.connect().execution_options(**options)
            except OperationalError as exc:
                # A report need not wait for the standby's return: the primary has the
                # same books.
                _log.warning("standby unreachable, reading from the primary: %s", exc.orig)
        return self.engine.connect().execution_options(**options)

    def dispose(self) -> None:
        if self.committer is not None:
            self.committer.close()
        self.engine.dispose()
        if self.replica is not None:
            self.replica.dispose()


def _again_if_broken(read: Callable[[], T]) -> T:
    """``read()``, once more on a fresh connection if the pooled one turned out broken (a
    restarted server, a failover); the driver's errors translated (see :func:`translated`)."""
    with translated():
        try:
            return read()
        except DBAPIError as exc:
            if not exc.connection_invalidated:
                raise
        return read()


@contextmanager
def translated() -> Iterator[None]:
    """Raise the core's error for a driver error that says the database cannot serve.

    Others pass unchanged: the ledger's own refusals are translated by the use cases, and
    the rest are bugs that keep their traceback.
    """
    try:
        yield
    except DBAPIError as exc:
        error = _core_error(exc)
        if error is None:
            raise
        raise error from exc


def _core_error(exc: DBAPIError) -> MonnaieLocaleError | None:
    reason = _first_line(exc)
    undefined = getattr(exc.orig, "sqlstate", None) == _UNDEFINED_TABLE
    if isinstance(exc, ProgrammingError | OperationalError) and (
        undefined or "no such table" in reason
    ):
        return SchemaMissing(reason)
    if _unavailable(exc):
        return DatabaseUnavailable(reason)
    if isinstance(exc, DataError):
        return InvalidData(reason)
    return None


def _unavailable(exc: DBAPIError) -> bool:
    sqlite_name = getattr(exc.orig, "sqlite_errorname", None)
    if isinstance(sqlite_name, str):
        return sqlite_name.startswith(_SQLITE_UNAVAILABLE)
    # PostgreSQL's drivers raise OperationalError for a server out of reach or gone, and
    # for one out of resources or shutting down: each time, try again later.
    return isinstance(exc, OperationalError)


def _first_line(exc: DBAPIError) -> str:
    text = str(exc.orig if exc.orig is not None else exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def allocate_transaction_id(conn: Connection) -> int:
    """A fresh transaction id, taken before the transaction's postings are written.

    PostgreSQL draws it from a sequence (ids may then have gaps; the journal's sequence
    is the gap-free one). SQLite has one writer at a time, so the next id is max + 1.
    """
    if conn.dialect.name == "postgresql":
        return int(conn.execute(select(transaction_ids.next_value())).scalar_one())
    last = conn.execute(
        select(transactions.c.id).order_by(transactions.c.id.desc()).limit(1)
    ).scalar()
    return int(last or 0) + 1


def _is_retryable(exc: DBAPIError) -> bool:
    sqlstate = getattr(exc.orig, "sqlstate", None)
    if sqlstate in _RETRYABLE_SQLSTATES:
        return True
    # SQLite reports a busy database as OperationalError "database is locked".
    return isinstance(exc, OperationalError) and "database is locked" in str(exc.orig)


def connect(
    url: str,
    *,
    echo: bool = False,
    pool_size: int = 40,
    connect_args: dict[str, Any] | None = None,
    journal_key: bytes = DEVELOPMENT_KEY,
    group_commit: bool | None = None,
) -> Database:
    """Open the database at ``url`` (``sqlite:///path.db`` or ``postgresql+psycopg://...``).

    A PostgreSQL URL may name a primary and its standbys (see
    :func:`~monnaie_locale.database_url.engine_url`): a connection found broken makes the
    pool drop every connection opened before it, and new ones go to whichever server
    takes writes by then; while none does, a request fails with
    :class:`~monnaie_locale.errors.DatabaseUnavailable` as soon as each server has
    refused (a read-only standby refuses at once) or let ``connect_timeout`` pass.

    ``connect_args`` go to the driver's connect (e.g. ``{"options": "-csearch_path=s"}``).
    The PostgreSQL pool keeps ``pool_size`` connections, as many as the API's worker
    threads: one opened and closed per request past the pool cost the server a process
    start each time. Connections are not pinged at checkout: a ping is one more round
    trip per transaction (of about seven for a transfer); a broken connection is found on
    its first statement instead, and :meth:`Database.write` retries on a fresh one.
    ``journal_key`` marks the journal rows this process writes: the deployment's, from
    ``MLC_SECRET_KEY`` (see :mod:`monnaie_locale.journal_content`). ``group_commit``
    overrides the engine's default (see :class:`Database`).
    """
    # Several servers, a libpq-style URL, a short connect timeout: see database_url.
    url = engine_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, echo=echo, connect_args=connect_args or {})
        _configure_sqlite(engine)
        return Database(engine, journal_key=journal_key, group_commit=group_commit)
    else:
        pooled, driver_options = _driver_options(url)
        engine = create_engine(
            pooled,
            echo=echo,
            pool_size=pool_size,
            max_overflow=10,
            connect_args={**driver_options, **(connect_args or {})},
        )
    return Database(engine, journal_key=journal_key, group_commit=group_commit)


def _driver_options(url: str) -> tuple[URL, dict[str, Any]]:
    """The PostgreSQL URL without ``prepare_threshold``, and that option for psycopg.

    psycopg prepares a statement on the server once it ran five times on a connection.
    Behind a pool in transaction mode (PgBouncer before 1.21) the next transaction may get
    another server connection, where that statement does not exist: such a URL ends with
    ``?prepare_threshold=none``, and nothing is prepared.
    """
    parsed = make_url(url)
    value = parsed.query.get("prepare_threshold")
    if value is None:
        return parsed, {}
    if not isinstance(value, str) or not (value.lower() == "none" or value.isdigit()):
        raise ValueError("prepare_threshold in the database URL: give none or a number")
    threshold = None if value.lower() == "none" else int(value)
    return parsed.difference_update_query(["prepare_threshold"]), {"prepare_threshold": threshold}


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's begin event emit BEGIN itself (pysqlite would defer it).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # FULL: a committed payment survives a power cut, not only a crash.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "checkin")
    def _on_checkin(dbapi_connection: Any, _record: Any) -> None:
        # A COMMIT refused by a deferred constraint leaves SQLite's transaction open,
        # and SQLAlchemy, counting it as ended, hands the connection back as it is: the
        # next BEGIN on it would fail. Nothing uncommitted may outlive a checkout.
        if dbapi_connection is not None and dbapi_connection.in_transaction:
            dbapi_connection.rollback()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        readonly = conn.get_execution_options().get("readonly", False)
        statement = "BEGIN" if readonly else "BEGIN IMMEDIATE"
        # On the DBAPI cursor: through exec_driver_sql this one statement cost about a
        # tenth of a one-transfer commit. Errors still reach callers as sqlalchemy.exc
        # (a busy database is then retried by Database.write).
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(statement)
        except sqlite3.Error as exc:
            conn._handle_dbapi_exception(exc, statement, (), cursor, None)
        finally:
            cursor.close()
