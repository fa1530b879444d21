"""Shared fixtures: a fresh database per test, on SQLite and on PostgreSQL.

PostgreSQL tests run in a schema of their own inside the ``test`` database (URL from
``MLC_TEST_POSTGRES_URL``). When the server cannot be reached they are skipped, and the
run says so at the end; under ``CI=true`` an unreachable server fails the run instead.
"""

from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, text

from monnaie_locale.model import AccountKind
from monnaie_locale.money import EUR, Currency
from monnaie_locale.store import Database, connect, migrate
from tests.engine import Engine

POSTGRES_URL = os.environ.get(
    "MLC_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
MLC = Currency(code="MLC", name="monnaie locale", symbol="Ml")
_postgres_problem: str | None = None


def _probe_postgres() -> str | None:
    try:
        engine = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # any failure means: no PostgreSQL for this run
        return f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
    return None


def pytest_configure(config: pytest.Config) -> None:
    global _postgres_problem
    _postgres_problem = _probe_postgres()
    if _postgres_problem and os.environ.get("CI") == "true":
        raise pytest.UsageError(
            f"PostgreSQL at {POSTGRES_URL} cannot be reached in CI: {_postgres_problem}"
        )


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _postgres_problem:
        terminalreporter.write_line(
            f"PostgreSQL part SKIPPED: {POSTGRES_URL} unreachable ({_postgres_problem}). "
            "Only the SQLite suite ran.",
            yellow=True,
            bold=True,
        )


def _sqlite_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    path = tmp_path_factory.mktemp("db") / "ledger.db"
    database = connect(f"sqlite:///{path}")
    migrate(database)
    yield database
    database.dispose()


def _postgres_database() -> Iterator[Database]:
    if _postgres_problem:
        pytest.skip(f"PostgreSQL unreachable: {_postgres_problem}")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    database = connect(POSTGRES_URL)
    database.engine.dispose()
    database = Database(
        create_engine(
            POSTGRES_URL,
            connect_args={"options": f"-c search_path={schema}"},
            pool_size=20,
            max_overflow=20,
        )
    )
    migrate(database)
    yield database
    database.dispose()
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Database]:
    """An empty, migrated database: SQLite file, then a PostgreSQL schema."""
    if request.param == "sqlite":
        yield from _sqlite_database(tmp_path_factory)
    else:
        yield from _postgres_database()


@pytest.fixture
def postgres_database() -> Iterator[Database]:
    """An empty, migrated PostgreSQL schema, for tests that only make sense there."""
    yield from _postgres_database()


class SteppingClock:
    """A clock for tests: each reading is one millisecond after the previous one."""

    def __init__(self, start: datetime = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)) -> None:
        self._ticks = itertools.count()
        self.start = start
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return self.start + self.offset + timedelta(milliseconds=next(self._ticks))

    def advance(self, delta: timedelta) -> None:
        self.offset += delta


@pytest.fixture
def clock() -> SteppingClock:
    return SteppingClock()


@pytest.fixture
def ledger(database: Database, clock: SteppingClock) -> Engine:
    """A ledger with the euro and a local unit, ``MLC``, and the system accounts."""
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
