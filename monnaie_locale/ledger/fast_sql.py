"""The posting path's statements, rendered once per dialect and run on the DBAPI cursor.

Why it exists. A transfer is about ten small statements. Run through SQLAlchemy's
``Connection.execute``, each one pays for statement building, cache-key computation and
a result object: profiled on SQLite, sqlite3's own ``execute`` was about 6 % of the
time, and the ledger reached 0.18-0.25 of a bare sqlite3 loop making the same writes
(0.04-0.07 in batches of 100), and 0.10-0.13 of pgbench's TPC-B on PostgreSQL. Sent
through the DBAPI cursor of the same connection, inside the same transaction
(``Database.write`` still owns it), the same statements cost a fraction of that.

The schema stays defined once, in :mod:`monnaie_locale.store.tables`: the statements
here are compiled from those Core tables (or, for PostgreSQL's combined insert, written
from their names), once per dialect, and ``tests/store/test_fast_path.py`` runs every
one on both engines. Errors from the driver are handed to SQLAlchemy's own error
handling, so callers still see ``sqlalchemy.exc`` exceptions (retries on deadlock and
serialization failure, ``IntegrityError`` for a concurrent reversal, invalidation of a
broken connection) exactly as before.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from operator import itemgetter
from typing import Any

from sqlalchemy import (
    ClauseElement,
    Connection,
    Date,
    DateTime,
    String,
    bindparam,
    cast,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.compiler import SQLCompiler

from monnaie_locale.store.binary_arrays import packed
from monnaie_locale.store.tables import (
    accounts,
    idempotency_keys,
    journal,
    journal_queue,
    postings,
    transaction_ids,
    transactions,
)

__all__ = [
    "CLAIMED",
    "LOCKED",
    "MOVED",
    "FastCursor",
    "Rendered",
    "Statements",
    "prepared",
    "statements",
]

# How each row of ``Statements.claim_and_move`` and ``lock_and_move`` says what it is.
CLAIMED, LOCKED, MOVED = "c", "l", "m"


@dataclass(frozen=True, slots=True)
class Rendered:
    """One statement's SQL in the dialect's paramstyle, and how to lay out its values."""

    sql: str
    layout: Callable[[Mapping[str, Any]], Any]


def render(statement: ClauseElement, dialect: Dialect) -> Rendered:
    """Compile ``statement`` for ``dialect``; literal values in it become fixed parameters."""
    compiled = statement.compile(dialect=dialect)
    assert isinstance(compiled, SQLCompiler)
    constants = {name: value for name, value in compiled.params.items() if value is not None}
    names = compiled.positiontup
    if names is None:  # named paramstyle (psycopg): a mapping is passed as it is

        def named(values: Mapping[str, Any]) -> Any:
            return {**constants, **values} if constants else values

        return Rendered(compiled.string, named)
    pick = itemgetter(*names) if names else (lambda _: ())
    single = len(names) == 1

    def positional(values: Mapping[str, Any]) -> Any:
        picked = pick({**constants, **values} if constants else values)
        return (picked,) if single else picked

    return Rendered(compiled.string, positional)


def _stamp_processor(dialect: Dialect) -> Callable[[datetime], Any]:
    processor = DateTime(timezone=True).dialect_impl(dialect).bind_processor(dialect)
    return processor if processor is not None else (lambda stamp: stamp)


def _day_processor(dialect: Dialect) -> Callable[[date], Any]:
    processor = Date().dialect_impl(dialect).bind_processor(dialect)
    return processor if processor is not None else (lambda day: day)


_debit_where = (accounts.c.lower_limit.is_(None)) | (
    accounts.c.balance - accounts.c.held + bindparam("delta") >= accounts.c.lower_limit
)
_credit_where = (accounts.c.upper_limit.is_(None)) | (
    accounts.c.balance + bindparam("delta") <= accounts.c.upper_limit
)


def _balance_update(limit: Any) -> Any:
    return (
        update(accounts)
        .where(accounts.c.id == bindparam("account_id"), accounts.c.status == "active", limit)
        .values(balance=accounts.c.balance + bindparam("delta"))
        .returning(accounts.c.balance)
    )


@dataclass(frozen=True)
class Statements:
    """The hot path's statements for one dialect."""

    dialect: str
    stamp: Callable[[datetime], Any]
    day: Callable[[date], Any]
    claim: Rendered  # key insert; on PostgreSQL it also draws the transaction id
    next_id: Rendered
    debit: Rendered
    credit: Rendered
    undo: Rendered  # gives back a balance change of this transaction (a key found taken)
    posting: Rendered
    header: Rendered
    dated_header: Rendered
    last_entry: Rendered
    entry: Rendered
    rendered_for: Dialect
    _lookups: dict[int, Rendered] = field(default_factory=dict)

    @property
    def is_postgres(self) -> bool:
        return self.dialect == "postgresql"

    def accounts_lookup(self, count: int) -> Rendered:
        """Id, code, currency and status of ``count`` accounts named ``code0``...``codeN``."""
        found = self._lookups.get(count)
        if found is None:
            found = self._lookups[count] = _accounts_lookup(self.rendered_for, count)
        return found

    def combined_insert(self, legs: int, *, dated: bool = False) -> str:
        """PostgreSQL: a transaction's postings, header and marked queue row in one statement."""
        return _combined_insert(legs, dated)

    def batch_insert(self, *, dated: bool = False) -> str:
        """PostgreSQL: many transactions' postings, headers and marked queue rows in one
        statement (see :func:`_batch_insert`)."""
        return _batch_insert(dated)

    @property
    def next_ids(self) -> str:
        """PostgreSQL: ``n`` transaction ids from the sequence, in one statement."""
        return _NEXT_IDS

    @property
    def claim_and_move(self) -> str:
        """PostgreSQL: claim many keys, lock accounts in id order and change each, in
        one statement (one round trip, one call into the driver).

        Parameters: arrays ``keys``, ``fingerprints``, ``prefixes`` and ``created`` (the
        values of :attr:`claim`, each key drawing its transaction id); ``codes`` and,
        for each, ``totals``, ``lows`` and ``highs``: the account changes by its total,
        only if it is active and its running balance stays within its limits at every
        step (``lows``: the lowest running change after a debit, NULL if none;
        ``highs``: the highest after a credit). Each row starts with what it is:
        :data:`CLAIMED` (key, result ref) for each key claimed, none for a key already
        taken; :data:`LOCKED` (code, kind, id, currency, status) for each account found;
        :data:`MOVED` (code, None, balance) for each account changed.
        """
        return _CLAIM_AND_MOVE

    @property
    def lock_and_move(self) -> str:
        """PostgreSQL: :attr:`claim_and_move` without the keys."""
        return _LOCK_AND_MOVE


def _accounts_lookup(dialect: Dialect, count: int) -> Rendered:
    columns = (accounts.c.id, accounts.c.code, accounts.c.currency, accounts.c.status)
    codes: list[Any] = [bindparam(f"code{i}") for i in range(count)]
    return render(select(*columns).where(accounts.c.code.in_(codes)), dialect)


_POSTING_COLUMNS = ("transaction_id", "account_id", "currency", "amount", "balance_after")
# An undated transaction's header leaves ``operation_date`` out (NULL): the hot path's
# statement is the same as before dates existed, and runs on a schema without them.
_HEADER_COLUMNS = tuple(c.name for c in transactions.columns if c.name != "operation_date")
_DATED_HEADER_COLUMNS = (*_HEADER_COLUMNS, "operation_date")


@cache
def _combined_insert(legs: int, dated: bool) -> str:
    """Postings, header and queue row in one round trip.

    All three inserts run in one statement; the postings' deferred foreign key and
    PostgreSQL's balance trigger are checked at COMMIT, as before. Postings come back
    with their account id (an account appears once per transaction), not in row order.
    Parameters: ``tid``, ``at``, the header's, ``mac`` (the queue row's mark, see
    monnaie_locale.journal_content), and ``a<i>``, ``c<i>``, ``m<i>``, ``b<i>`` per leg
    (account id, currency, amount, balance after).
    """
    rows = ", ".join(
        f"(%(tid)s, %(a{i})s, %(c{i})s, %(m{i})s, %(b{i})s, %(at)s)" for i in range(legs)
    )
    columns = _DATED_HEADER_COLUMNS if dated else _HEADER_COLUMNS
    header_values = ", ".join(
        "%(tid)s" if name == "id" else "%(at)s" if name == "created_at" else f"%({name})s"
        for name in columns
    )
    return (
        f"WITH p AS (INSERT INTO {postings.name} ({', '.join(_POSTING_COLUMNS)}, created_at) "
        f"VALUES {rows} RETURNING {postings.c.id.name}, {postings.c.account_id.name}), "
        f"h AS (INSERT INTO {transactions.name} ({', '.join(columns)}) "
        f"VALUES ({header_values})), "
        f"q AS (INSERT INTO {journal_queue.name} "
        f"({journal_queue.c.transaction_id.name}, {journal_queue.c.mac.name}) "
        "VALUES (%(tid)s, %(mac)s)) "
        "SELECT id, account_id FROM p"
    )


_POSTGRES = postgresql.dialect()  # type: ignore[no-untyped-call]


# Array parameters go in binary (``%(name)b``), each with its type in a cast:
# FastCursor packs them from those casts (monnaie_locale.store.binary_arrays). psycopg
# would dump a text array element by element, testing each against a regular expression
# to decide its quoting. Measured on three arrays (text, bigint, timestamptz) of 200
# elements: 1,256 µs of client CPU a statement in text, 214 through psycopg's binary
# dumpers; of 8: 138 and 73.


def _array_of(column: Any) -> str:
    return f"{column.type.compile(dialect=_POSTGRES)}[]"


def _unnest(prefix: str, columns: Sequence[Any]) -> str:
    arrays = ", ".join(f"%({prefix}{c.name})b::{_array_of(c)}" for c in columns)
    return f"SELECT * FROM unnest({arrays})"


@cache
def _batch_insert(dated: bool) -> str:
    """Postings, headers and queue rows of many transactions in one statement: one array
    per column (``p_<column>`` for postings, ``h_<column>`` for headers, ``q_<column>``
    for queue rows), so its text is the same whatever their number. Postings come back
    as (id, transaction id, account id).
    """
    posting_columns = [postings.c[name] for name in (*_POSTING_COLUMNS, "created_at")]
    header_columns = [
        transactions.c[name] for name in (_DATED_HEADER_COLUMNS if dated else _HEADER_COLUMNS)
    ]
    queue_columns = [journal_queue.c.transaction_id, journal_queue.c.mac]

    def names(columns: Sequence[Any]) -> str:
        return ", ".join(column.name for column in columns)

    return (
        f"WITH p AS (INSERT INTO {postings.name} ({names(posting_columns)}) "
        f"{_unnest('p_', posting_columns)} RETURNING id, transaction_id, account_id), "
        f"h AS (INSERT INTO {transactions.name} ({names(header_columns)}) "
        f"{_unnest('h_', header_columns)}), "
        f"q AS (INSERT INTO {journal_queue.name} ({names(queue_columns)}) "
        f"{_unnest('q_', queue_columns)}) "
        "SELECT id, transaction_id, account_id FROM p"
    )


# Claims many keys (arrays ``keys``, ``fingerprints``, ``prefixes``, ``created``), each
# drawing its transaction id; a key already taken claims nothing.
_CLAIMED = (
    f"claimed AS (INSERT INTO {idempotency_keys.name} (key, fingerprint, result_ref, created_at) "
    f"SELECT k, f, p || nextval('{transaction_ids.name}')::text, c "
    "FROM unnest(%(keys)b::text[], %(fingerprints)b::text[], %(prefixes)b::text[], "
    "%(created)b::timestamptz[]) AS v (k, f, p, c) "
    "ON CONFLICT (key) DO NOTHING RETURNING key, result_ref)"
)
# Locks the accounts named ``codes``: the sort sits below the row locks in the plan, so
# rows are locked in id order, as one-by-one updates lock them.
_LOCKED = (
    f"locked AS (SELECT id, code, kind, currency, status FROM {accounts.name} "
    "WHERE code = ANY(%(codes)b::text[]) ORDER BY id FOR UPDATE)"
)
# Changes each locked account by its total. The join on ``locked`` makes every update
# wait for that account's lock, taken in id order, whatever plan the server picks. An
# account changed by another transaction since this statement began is changed from its
# latest balance, the limits checked against it (READ COMMITTED's re-check of an
# UPDATE's conditions on the newest row).
_MOVED = (
    f"moved AS (UPDATE {accounts.name} AS a SET balance = a.balance + m.total "
    "FROM (SELECT l.id, v.total, v.low, v.high FROM locked AS l JOIN unnest(%(codes)b::text[], "
    "%(totals)b::bigint[], %(lows)b::bigint[], %(highs)b::bigint[]) AS v (code, total, low, high) "
    "ON v.code = l.code) AS m "
    "WHERE a.id = m.id AND a.status = 'active' "
    "AND (m.low IS NULL OR a.lower_limit IS NULL OR a.balance - a.held + m.low >= a.lower_limit) "
    "AND (m.high IS NULL OR a.upper_limit IS NULL OR a.balance + m.high <= a.upper_limit) "
    "RETURNING a.code, a.balance)"
)
# Their rows in one result, each tagged with what it is (see Statements.claim_and_move).
_LOCKED_ROWS = (
    f"SELECT '{LOCKED}', code, kind, id, currency, status FROM locked "
    f"UNION ALL SELECT '{MOVED}', code, NULL, balance, NULL, NULL FROM moved"
)
_CLAIM_AND_MOVE = (
    f"WITH {_CLAIMED}, {_LOCKED}, {_MOVED} "
    f"SELECT '{CLAIMED}', key, result_ref, NULL::bigint, NULL, NULL FROM claimed "
    f"UNION ALL {_LOCKED_ROWS}"
)
_LOCK_AND_MOVE = f"WITH {_LOCKED}, {_MOVED} {_LOCKED_ROWS}"
_NEXT_IDS = f"SELECT nextval('{transaction_ids.name}') FROM generate_series(1, %(n)s::integer)"


def _build(dialect: Dialect) -> Statements:
    postgres = dialect.name == "postgresql"
    dialect_insert = postgresql.insert if postgres else sqlite.insert
    # The new transaction's id is drawn inside the key's insert, saving a statement: from
    # the sequence on PostgreSQL, as max + 1 on SQLite (one writer at a time).
    new_id: Any = transaction_ids.next_value()
    if not postgres:
        new_id = select(func.coalesce(func.max(transactions.c.id), 0) + 1).scalar_subquery()
    result_ref: Any = bindparam("prefix") + cast(new_id, String)
    claim = (
        dialect_insert(idempotency_keys)
        .values(
            key=bindparam("key"),
            fingerprint=bindparam("fingerprint"),
            result_ref=result_ref,
            created_at=bindparam("created_at"),
        )
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(idempotency_keys.c.result_ref)
    )
    next_id: Any = select(transaction_ids.next_value())
    if not postgres:  # one writer at a time: max + 1 (see allocate_transaction_id)
        next_id = select(func.coalesce(func.max(transactions.c.id), 0) + 1)
    return Statements(
        dialect=dialect.name,
        stamp=_stamp_processor(dialect),
        day=_day_processor(dialect),
        claim=render(claim, dialect),
        next_id=render(next_id, dialect),
        debit=render(_balance_update(_debit_where), dialect),
        credit=render(_balance_update(_credit_where), dialect),
        undo=render(
            update(accounts)
            .where(accounts.c.id == bindparam("account_id"))
            .values(balance=accounts.c.balance - bindparam("delta")),
            dialect,
        ),
        posting=render(
            insert(postings)
            .values({name: bindparam(name) for name in (*_POSTING_COLUMNS, "created_at")})
            .returning(postings.c.id),
            dialect,
        ),
        header=render(
            insert(transactions).values({name: bindparam(name) for name in _HEADER_COLUMNS}),
            dialect,
        ),
        dated_header=render(
            insert(transactions).values({name: bindparam(name) for name in _DATED_HEADER_COLUMNS}),
            dialect,
        ),
        last_entry=render(
            select(journal.c.seq, journal.c.hash).order_by(journal.c.seq.desc()).limit(1),
            dialect,
        ),
        entry=render(
            insert(journal).values({column.name: bindparam(column.name) for column in journal.c}),
            dialect,
        ),
        rendered_for=dialect,
    )


_by_dialect: dict[tuple[str, str, str], Statements] = {}
_prepared: dict[tuple[str, str, str, str], Rendered] = {}


def prepared(dialect: Dialect, name: str, build: Callable[[], ClauseElement]) -> Rendered:
    """The statement ``build()`` makes, rendered for ``dialect`` on first use only.

    For other hot statements outside the posting path (the sign-in check of every
    request, for one); ``name`` must say which statement it is, uniquely.
    """
    key = (dialect.name, dialect.driver, dialect.paramstyle, name)
    found = _prepared.get(key)
    if found is None:
        found = _prepared[key] = render(build(), dialect)
    return found


def statements(dialect: Dialect) -> Statements:
    """The statements for ``dialect`` (same name, driver and paramstyle), rendered once."""
    key = (dialect.name, dialect.driver, dialect.paramstyle)
    found = _by_dialect.get(key)
    if found is None:
        found = _by_dialect[key] = _build(dialect)
    return found


class FastCursor:
    """The DBAPI cursor of a SQLAlchemy connection, inside that connection's transaction."""

    __slots__ = ("_conn", "_error", "_raw", "sql")

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self.sql = statements(conn.dialect)
        self._raw: Any = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        self._error: type[Exception] = conn.dialect.loaded_dbapi.Error

    @property
    def connection(self) -> Connection:
        return self._conn

    def run(self, statement: Rendered, values: Mapping[str, Any]) -> Any:
        """Execute ``statement`` with ``values``; return the cursor to fetch from."""
        return self.run_sql(statement.sql, statement.layout(values))

    def run_sql(self, sql: str, parameters: Sequence[Any] | Mapping[str, Any]) -> Any:
        if self.sql.is_postgres and isinstance(parameters, Mapping):
            parameters = packed(sql, parameters)
        try:
            self._raw.execute(sql, parameters)
        except self._error as exc:
            # SQLAlchemy's own handling: wraps it in sqlalchemy.exc, invalidates the
            # connection on a disconnect, runs handle_error hooks.
            self._conn._handle_dbapi_exception(exc, sql, parameters, self._raw, None)
        return self._raw

    def first_rows(self, batch: Sequence[tuple[Rendered, Mapping[str, Any]]]) -> list[Any]:
        """The first row (or None) of each statement, run in order.

        On PostgreSQL the statements go in one round trip (psycopg's pipeline mode); the
        server still runs them one after the other, in this order. On SQLite they stop at
        the first that returns no row.
        """
        if not self.sql.is_postgres:
            rows = []
            for statement, values in batch:
                rows.append(self.run(statement, values).fetchone())
                if rows[-1] is None:
                    break
            return rows
        return [
            rows[0] if rows else None
            for rows in self.pipelined(
                [(statement.sql, statement.layout(values)) for statement, values in batch]
            )
        ]

    def pipelined(self, batch: Sequence[tuple[str, Any]]) -> list[list[Any]]:
        """PostgreSQL: every row of each statement (SQL and parameters), in one round trip.

        psycopg's pipeline mode sends them all, then reads every result: the server runs
        them one after the other, in this order, as if sent one by one. Each statement
        in a pipeline costs the client far more CPU than in a statement of its own (some
        60 µs against 20 here): where statements can be one, they are.
        """
        driver = self._conn.connection.driver_connection
        assert driver is not None
        cursors: list[Any] = []
        try:
            with driver.pipeline():
                for sql, parameters in batch:
                    cursors.append(driver.cursor())
                    if isinstance(parameters, Mapping):
                        parameters = packed(sql, parameters)
                    cursors[-1].execute(sql, parameters)
        except self._error as exc:
            sql, parameters = batch[len(cursors) - 1]
            self._conn._handle_dbapi_exception(exc, sql, parameters, None, None)
        rows = [cursor.fetchall() if cursor.description else [] for cursor in cursors]
        for cursor in cursors:
            cursor.close()
        return rows

    def close(self) -> None:
        self._raw.close()
