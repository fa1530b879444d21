"""Helpers shared by the store tests: fresh ledgers and snapshots of everything stored.

A refused call must change nothing. :func:`snapshot` reads every row that a call could
touch (balances, holds, postings, transactions, idempotency keys, journal), so a test
compares the snapshot before and after instead of guessing which table might have moved.

The stateful model needs a fresh database per generated example, outside pytest's
fixtures: :func:`fresh_sqlite` and :func:`fresh_postgres` build one and return it with
the function that disposes of it.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import Connection, MetaData, Table, create_engine, func, inspect, select, text
from sqlalchemy import Engine as SqlEngine

from monnaie_locale.auth import Role
from monnaie_locale.clock import Clock
from monnaie_locale.model import AccountKind
from monnaie_locale.money import EUR, Currency
from monnaie_locale.store import Database, connect, migrate
from monnaie_locale.store.tables import (
    accounts,
    holds,
    idempotency_keys,
    journal,
    journal_queue,
    postings,
    transactions,
)
from tests.engine import Engine

__all__ = [
    "MLC",
    "Cleanup",
    "Snapshot",
    "count_rows",
    "every_row",
    "fresh_postgres",
    "fresh_sqlite",
    "refused",
    "snapshot",
    "standard_ledger",
]

MLC = Currency(code="MLC", name="monnaie locale", symbol="Ml")

Cleanup = Callable[[], None]
E = TypeVar("E", bound=BaseException)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Everything a ledger call could change, as plain values that compare by equality."""

    accounts: tuple[tuple[str, str, int, int], ...]  # code, status, balance, held
    holds: tuple[tuple[int, str, int], ...]  # id, status, posted amount
    postings: int
    transactions: int
    keys: int
    # Entries sealed or queued: the service's sealing job moves a row from one to the
    # other at any moment, which is no change a call made.
    journal: int


def _count(conn: Connection, table: Table) -> int:
    return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def count_rows(database: Database, table: Table) -> int:
    """How many rows ``table`` holds, read in its own transaction."""
    return database.read(lambda conn: _count(conn, table))


def _snapshot(conn: Connection) -> Snapshot:
    account_rows = conn.execute(
        select(accounts.c.code, accounts.c.status, accounts.c.balance, accounts.c.held).order_by(
            accounts.c.code
        )
    ).all()
    hold_rows = conn.execute(
        select(holds.c.id, holds.c.status, holds.c.posted_amount).order_by(holds.c.id)
    ).all()
    return Snapshot(
        accounts=tuple((r.code, r.status, r.balance, r.held) for r in account_rows),
        holds=tuple((r.id, r.status, r.posted_amount) for r in hold_rows),
        postings=_count(conn, postings),
        transactions=_count(conn, transactions),
        keys=_count(conn, idempotency_keys),
        journal=_count(conn, journal) + _count(conn, journal_queue),
    )


def snapshot(database: Database) -> Snapshot:
    """The stored state of the whole ledger, to compare before and after a refused call."""
    return database.read(_snapshot)


_reflected: weakref.WeakKeyDictionary[SqlEngine, MetaData] = weakref.WeakKeyDictionary()


def every_row(database: Database) -> dict[str, tuple[tuple[Any, ...], ...]]:
    """Every row of every table of the schema, in a stable order: to show that something
    that must keep nothing (a preview, a refusal) left the whole database as it was."""

    def read(conn: Connection) -> dict[str, tuple[tuple[Any, ...], ...]]:
        # The tables the database holds, not those of the modules this process imported;
        # read again whenever their names change (reading them all took a quarter of a
        # second on PostgreSQL, and a refusal matrix asks twice per refused call).
        names = set(inspect(conn).get_table_names())
        schema = _reflected.get(database.engine)
        if schema is None or set(schema.tables) != names:
            schema = _reflected[database.engine] = MetaData()
            schema.reflect(bind=conn)
        return {
            table.name: tuple(sorted((tuple(row) for row in conn.execute(select(table))), key=str))
            for table in schema.sorted_tables
        }

    return database.read(read)


def refused(database: Database, error: type[E], call: Callable[[], object]) -> E:
    """Run ``call``, expect ``error``, and check the ledger's stored state did not move."""
    before = snapshot(database)
    with pytest.raises(error) as caught:
        call()
    assert snapshot(database) == before, "a refused call changed the ledger"
    return caught.value


def standard_ledger(database: Database, *, clock: Clock) -> Engine:
    """A ledger set up like the ``ledger`` fixture: EUR, MLC and the three system accounts."""
    ledger = Engine(database, clock=clock)
    ledger.add_currency(EUR)
    ledger.add_currency(MLC)
    ledger.open_account("issuance", kind=AccountKind.SYSTEM, currency="MLC", lower_limit=None)
    ledger.open_account("external", kind=AccountKind.SYSTEM, currency="EUR", lower_limit=None)
    ledger.open_account(
        "reserve:digital",
        kind=AccountKind.ASSOCIATION,
        currency="EUR",
        lower_limit=None,
        upper_limit=0,
    )
    return ledger


def fresh_sqlite() -> tuple[Database, Cleanup]:
    """A migrated SQLite database in a new temporary directory."""
    directory = Path(tempfile.mkdtemp(prefix="mlc-model-"))
    database = connect(f"sqlite:///{directory / 'ledger.db'}")
    migrate(database)

    def cleanup() -> None:
        database.dispose()
        shutil.rmtree(directory, ignore_errors=True)

    return database, cleanup


def fresh_postgres(url: str) -> tuple[Database, Cleanup]:
    """A migrated PostgreSQL schema of its own inside the database at ``url``."""
    schema = f"m_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    database = Database(
        create_engine(url, connect_args={"options": f"-c search_path={schema}"}, pool_size=5)
    )
    migrate(database)

    def cleanup() -> None:
        database.dispose()
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()

    return database, cleanup


# The access matrices' columns (tests/api/test_access_matrix.py for the API's routes,
# tests/web/test_page_access.py for the pages): one mark per role, in this order.
ROLE_COLUMNS = (
    Role.MEMBER,
    Role.MERCHANT_OWNER,
    Role.MERCHANT_CASHIER,
    Role.AUTHORITY_AGENT,
    Role.OFFICE_OPERATOR,
    Role.ASSOCIATION_OPERATOR,
    Role.AUDITOR,
    Role.ADMIN,
)
PUBLIC = "public"


def read_matrix(text: str) -> dict[tuple[str, str], frozenset[Role] | str]:
    """An access matrix's rows: ``METHOD PATH public``, or a mark per role column (``x``
    allowed, ``.`` refused); who may call each route, by method and path."""
    policy: dict[tuple[str, str], frozenset[Role] | str] = {}
    for line in text.strip().splitlines():
        method, path, *marks = line.split()
        if marks == [PUBLIC]:
            policy[(method, path)] = PUBLIC
        else:
            assert len(marks) == len(ROLE_COLUMNS), line
            policy[(method, path)] = frozenset(
                role for role, mark in zip(ROLE_COLUMNS, marks, strict=True) if mark == "x"
            )
    return policy
