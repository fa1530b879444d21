"""The one way to read, and the driver's errors translated once at the store's boundary.

A read is a snapshot, and on PostgreSQL a READ ONLY one that the server itself guards. A
database out of reach, one without the ledger's tables and a value the database cannot
store reach callers as core errors, whatever the engine.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Connection, create_engine, func, select, text
from sqlalchemy.exc import DBAPIError

from monnaie_locale.errors import DatabaseUnavailable, InvalidData, SchemaMissing
from monnaie_locale.model import AccountKind
from monnaie_locale.store import Database, connect
from monnaie_locale.store.tables import accounts
from tests.conftest import POSTGRES_URL
from tests.engine import Engine

# Port 1 refuses at once: no server listens there.
UNREACHABLE = "postgresql://nobody:secret@127.0.0.1:1/none?connect_timeout=2"
# Nothing in the ledger is in this currency: a write here changes no row, so only the
# transaction's mode can refuse it.
HARMLESS_WRITE = text("DELETE FROM currencies WHERE code = 'XXX'")


def count_accounts(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(accounts)).scalar_one())


@pytest.mark.postgres
def test_postgresql_refuses_a_write_inside_a_read(postgres_database: Database) -> None:
    with pytest.raises(DBAPIError, match="read-only transaction"):
        postgres_database.read(lambda conn: conn.execute(HARMLESS_WRITE))


@pytest.mark.postgres
def test_postgresql_refuses_a_write_inside_a_reading_block(postgres_database: Database) -> None:
    with (
        pytest.raises(DBAPIError, match="read-only transaction"),
        postgres_database.reading() as conn,
    ):
        conn.execute(HARMLESS_WRITE)


@pytest.mark.postgres
def test_a_read_on_postgresql_is_repeatable_read_and_read_only(
    postgres_database: Database,
) -> None:
    def mode(conn: Connection) -> tuple[str, str]:
        isolation = conn.execute(text("SHOW transaction_isolation")).scalar_one()
        read_only = conn.execute(text("SHOW transaction_read_only")).scalar_one()
        return isolation, read_only

    assert postgres_database.read(mode) == ("repeatable read", "on")
    with postgres_database.reading() as conn:
        assert mode(conn) == ("repeatable read", "on")
    # The pool hands the connection back as it was: writes still work.
    postgres_database.write(lambda conn: conn.execute(HARMLESS_WRITE))
    assert postgres_database.write(mode) == ("read committed", "off")


def _transaction_status(conn: Connection) -> psycopg.pq.TransactionStatus:
    """The server's transaction state once ``conn`` has run one statement."""
    conn.execute(text("SELECT 1"))
    driver = conn.connection.driver_connection
    assert isinstance(driver, psycopg.Connection)
    return driver.info.transaction_status


@pytest.mark.postgres
def test_a_look_up_on_postgresql_runs_outside_any_transaction(
    postgres_database: Database,
) -> None:
    idle, open_ = psycopg.pq.TransactionStatus.IDLE, psycopg.pq.TransactionStatus.INTRANS
    # Its one connection: the write after the look-up gets the one the look-up used.
    one = Database(create_engine(postgres_database.engine.url, pool_size=1, max_overflow=0))
    try:
        assert one.read(_transaction_status) is open_
        assert one.look_up(_transaction_status) is idle
        # Handed back as it was: on the same connection, a write is a transaction again.
        assert one.write(_transaction_status) is open_
    finally:
        one.dispose()


def _backend(conn: Connection) -> int:
    return int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())


@pytest.mark.postgres
@pytest.mark.parametrize("how", ["read", "look_up"])
def test_a_read_on_a_connection_the_server_closed_runs_again_on_a_fresh_one(
    postgres_database: Database, how: str
) -> None:
    # Its one connection: the second read gets the one whose server process was ended.
    one = Database(create_engine(postgres_database.engine.url, pool_size=1, max_overflow=0))
    try:
        first = one.read(_backend)
        with postgres_database.engine.connect() as conn:
            ended = conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
            assert ended.scalar_one() is True

        second = getattr(one, how)(_backend)
    finally:
        one.dispose()

    assert second != first


def test_a_look_up_answers_as_a_read_does(ledger: Engine) -> None:
    database = ledger.database
    assert database.look_up(count_accounts) == database.read(count_accounts)
    _open_bob(ledger)()
    assert database.look_up(count_accounts) == database.read(count_accounts)


def _open_bob(ledger: Engine) -> Callable[[], None]:
    return lambda: ledger.open_account("bob", kind=AccountKind.MEMBER, currency="MLC")


def test_a_read_does_not_see_a_commit_made_between_its_statements(ledger: Engine) -> None:
    database, open_bob = ledger.database, _open_bob(ledger)

    def two_counts(conn: Connection) -> tuple[int, int]:
        first = count_accounts(conn)
        open_bob()  # committed by another connection, while this read is open
        return first, count_accounts(conn)

    first, second = database.read(two_counts)

    assert second == first
    assert database.read(count_accounts) == first + 1


def test_a_reading_block_sees_one_state_of_the_books(ledger: Engine) -> None:
    database, open_bob = ledger.database, _open_bob(ledger)

    with database.reading() as conn:
        first = count_accounts(conn)
        open_bob()
        second = count_accounts(conn)

    assert second == first
    assert database.read(count_accounts) == first + 1


def _unreachable_calls(database: Database) -> list[Callable[[], object]]:
    def in_block() -> None:
        with database.reading() as conn:
            count_accounts(conn)

    return [
        lambda: database.read(count_accounts),
        lambda: database.look_up(count_accounts),
        lambda: database.write(count_accounts),
        in_block,
    ]


@pytest.mark.parametrize("call", range(4), ids=["read", "look_up", "write", "reading"])
def test_an_unreachable_server_is_database_unavailable(call: int) -> None:
    database = connect(UNREACHABLE)
    try:
        with pytest.raises(DatabaseUnavailable) as caught:
            _unreachable_calls(database)[call]()
    finally:
        database.dispose()
    assert type(caught.value) is DatabaseUnavailable
    assert "127.0.0.1" in caught.value.reason
    assert "127.0.0.1" not in caught.value.message  # the reason is for the operator only


def test_a_sqlite_file_that_cannot_be_opened_is_database_unavailable(tmp_path: Path) -> None:
    database = connect(f"sqlite:///{tmp_path / 'absent-folder' / 'ledger.db'}")
    try:
        with pytest.raises(DatabaseUnavailable) as caught:
            database.read(count_accounts)
    finally:
        database.dispose()
    assert type(caught.value) is DatabaseUnavailable


def test_a_file_that_is_no_database_is_database_unavailable(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    path.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4096)
    database = connect(f"sqlite:///{path}")
    try:
        with pytest.raises(DatabaseUnavailable):
            database.read(count_accounts)
    finally:
        database.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def bare(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A database that exists but was never migrated."""
    if request.param == "sqlite":
        path = tmp_path / "bare.db"
        sqlite3.connect(path).close()
        database = connect(f"sqlite:///{path}")
        yield database
        database.dispose()
        return
    request.getfixturevalue("postgres_database")  # skips when the server is away
    schema = f"b_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    database = Database(
        create_engine(POSTGRES_URL, connect_args={"options": f"-c search_path={schema}"})
    )
    yield database
    database.dispose()
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


def test_a_database_without_the_tables_is_schema_missing(bare: Database) -> None:
    with pytest.raises(SchemaMissing) as caught:
        bare.read(count_accounts)
    assert "mlc db migrate" in caught.value.message
    assert "accounts" in caught.value.reason
    with pytest.raises(SchemaMissing):
        bare.write(count_accounts)
    with pytest.raises(SchemaMissing), bare.reading() as conn:
        count_accounts(conn)


@pytest.mark.postgres
def test_a_value_postgresql_cannot_store_is_invalid_data(postgres_database: Database) -> None:
    with pytest.raises(InvalidData) as caught:
        postgres_database.read(
            lambda conn: conn.execute(text("SELECT CAST(:n AS integer)"), {"n": 2**40}).all()
        )
    assert "out of range" in caught.value.reason


def test_the_ledgers_own_refusals_and_bugs_keep_their_types(database: Database) -> None:
    # A syntax error is a bug: it keeps the driver's type and its traceback.
    with pytest.raises(DBAPIError) as caught:
        database.read(lambda conn: conn.execute(text("SELEC 1")))
    assert not isinstance(caught.value, DatabaseUnavailable | SchemaMissing | InvalidData)
