"""Shared fixtures: a fresh database per test, on SQLite and on PostgreSQL.

Each test process migrates one template per engine, once, and every test gets a copy:
on SQLite a copy of the template's file, on PostgreSQL a database of its own made with
``CREATE DATABASE ... TEMPLATE`` on the server of ``MLC_TEST_POSTGRES_URL`` (a copy
costs a tenth of running the migrations again). Where the server refuses to create
databases, each test migrates a schema of its own in that URL's database instead. When
the server cannot be reached the PostgreSQL tests are skipped, and the run says so at
the end; under ``CI=true`` an unreachable server fails the run instead.

Passwords are hashed with argon2's cheapest parameters in every test: the production
ones cost tens of milliseconds a hash on purpose, and the tests try who may sign in, not
argon2. The tests of the parameters themselves set their own hasher.
"""

from __future__ import annotations

import atexit
import itertools
import os
import shutil
import uuid
import weakref
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from argon2 import PasswordHasher
from psycopg.conninfo import conninfo_to_dict
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import DBAPIError

from monnaie_locale.auth import passwords
from monnaie_locale.checkout.notify import PostgresNotifier
from monnaie_locale.model import AccountKind
from monnaie_locale.money import EUR, Currency
from monnaie_locale.store import Database, connect, migrate
from monnaie_locale.store.group_commit import POSTGRES, GroupCommitter
from tests.engine import Engine

POSTGRES_URL = os.environ.get(
    "MLC_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
MLC = Currency(code="MLC", name="monnaie locale", symbol="Ml")
_postgres_problem: str | None = None


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(
        passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )
    passwords._dummy_hash.cache_clear()
    yield
    passwords._dummy_hash.cache_clear()


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


_templates: dict[str, str] = {}


def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> str:
    """This process's migrated SQLite file, made on first use."""
    if "sqlite" not in _templates:
        path = tmp_path_factory.mktemp("template") / "ledger.db"
        template = connect(f"sqlite:///{path}")
        migrate(template)
        template.dispose()  # every connection closed: the file alone holds the schema
        _templates["sqlite"] = str(path)
    return _templates["sqlite"]


def _sqlite_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    path = tmp_path_factory.mktemp("db") / "ledger.db"
    shutil.copyfile(_sqlite_template(tmp_path_factory), path)
    database = connect(f"sqlite:///{path}")
    yield database
    database.dispose()


def _server() -> Any:
    """An engine on the PostgreSQL server's maintenance database, outside transactions."""
    return create_engine(
        make_url(POSTGRES_URL).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )


def _postgres_template() -> str | None:
    """This process's migrated PostgreSQL template database, made on first use; None where
    the server refuses to create databases."""
    if "postgresql" not in _templates:
        name = f"mlc_template_{uuid.uuid4().hex[:12]}"
        server = _server()
        try:
            with server.connect() as conn:
                conn.execute(text(f"CREATE DATABASE {name}"))
        except DBAPIError:
            _templates["postgresql"] = ""
            return None
        finally:
            server.dispose()
        template = connect(make_url(POSTGRES_URL).set(database=name).render_as_string(False))
        migrate(template)
        template.dispose()  # a template copies only while nobody is connected to it
        _templates["postgresql"] = name
        atexit.register(_drop_database, name)
    return _templates["postgresql"] or None


# The checkout listeners made during the run, each remembered as it is made: an
# application a test builds and never starts (no lifespan) never closes the listener its
# first checkout page opened, which would go on retrying against the test's database once
# dropped, logging each try until the run ends.
_listeners: weakref.WeakSet[PostgresNotifier] = weakref.WeakSet()
_make_listener = PostgresNotifier.__init__


def _remembered(listener: PostgresNotifier, *args: Any, **options: Any) -> None:
    _make_listener(listener, *args, **options)
    _listeners.add(listener)


PostgresNotifier.__init__ = _remembered  # type: ignore[method-assign]


def _drop_database(name: str) -> None:
    for listener in list(_listeners):
        if conninfo_to_dict(listener._conninfo).get("dbname") == name:
            listener.close()
    server = _server()
    with server.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    server.dispose()


def _postgres_database() -> Iterator[Database]:
    if _postgres_problem:
        pytest.skip(f"PostgreSQL unreachable: {_postgres_problem}")
    template = _postgres_template()
    if template is None:
        yield from _postgres_schema()
        return
    name = f"t_{uuid.uuid4().hex[:12]}"
    server = _server()
    with server.connect() as conn:
        # WAL_LOG copies block by block: no checkpoint per copy, as FILE_COPY would force.
        conn.execute(text(f"CREATE DATABASE {name} TEMPLATE {template} STRATEGY WAL_LOG"))
    server.dispose()
    database = Database(
        create_engine(make_url(POSTGRES_URL).set(database=name), pool_size=20, max_overflow=20)
    )
    yield database
    database.dispose()
    _drop_database(name)


def _postgres_schema() -> Iterator[Database]:
    """A schema of its own in the test database, migrated: where no database can be made."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
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
def grouped(database: Database) -> Iterator[Database]:
    """The test's PostgreSQL database, its writes grouped, on a committer of its own."""
    grouped = Database(database.engine, group_commit=True)
    yield grouped
    grouped.dispose()


@pytest.fixture
def committer(grouped: Database) -> GroupCommitter:
    """The group committer of :func:`grouped`."""
    assert grouped.committer is not None
    assert grouped.committer.flavour is POSTGRES
    return grouped.committer


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
