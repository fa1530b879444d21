"""Migration 0009: the journal's marks and head, on a journal that already has entries.

Entries sealed before the migration carry no mark; the head records where marks begin,
so they still verify while an unmarked entry added afterwards does not. On PostgreSQL
rows queued before the migration have no mark, so the upgrade waits until they are
sealed. The head itself refuses to move back or to go away.
"""

from __future__ import annotations

from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Table, select, text
from sqlalchemy.exc import DBAPIError

from monnaie_locale.model import AccountKind
from monnaie_locale.store import Database, migrate
from monnaie_locale.store.migrate import alembic_config
from monnaie_locale.store.tables import journal_head, metadata
from tests.engine import Engine
from tests.store.forgery import append_entry, forge_transfer
from tests.support import fresh_sqlite

JOURNAL_TABLES = {"journal", "journal_queue", "journal_head"}


def downgrade(database: Database, revision: str) -> None:
    config = alembic_config(database)
    with database.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, revision)


def revision_of(database: Database) -> str:
    with database.engine.connect() as conn:
        return str(conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one())


def head_of(database: Database) -> Any:
    return database.read(lambda conn: conn.execute(select(journal_head)).one())


def table_of(difference: Any) -> str | None:
    if isinstance(difference, list):
        return str(difference[0][2])
    subject = difference[1]
    if isinstance(subject, Table):
        return subject.name
    table = getattr(subject, "table", None)
    return str(table.name) if table is not None else None


@pytest.fixture
def members(ledger: Engine) -> Engine:
    for code in ("alice", "bob"):
        ledger.open_account(code, kind=AccountKind.MEMBER, currency="MLC")
    ledger.transfer("issuance", "alice", 5000, idempotency_key="fund")
    ledger.transfer("alice", "bob", 700, idempotency_key="pay")
    return ledger


def test_the_migrated_schema_matches_the_journal_tables(database: Database) -> None:
    with database.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, metadata)

    assert [d for d in differences if table_of(d) in JOURNAL_TABLES] == []


def test_entries_sealed_before_the_upgrade_verify_and_marks_begin_after_them(
    members: Engine,
) -> None:
    database = members.database
    downgrade(database, "0008")  # the journal as the previous version left it: no marks
    migrate(database)

    head = head_of(database)
    assert (head.seq, head.marked_from) == (2, 3)
    assert members.verify_journal().ok

    members.transfer("bob", "alice", 100, idempotency_key="after")
    members.seal_journal()
    assert members.verify_journal().ok
    assert head_of(database).seq == 3


def test_an_unmarked_entry_after_the_upgrade_is_reported_and_earlier_ones_are_not(
    members: Engine,
) -> None:
    database = members.database
    downgrade(database, "0008")
    migrate(database)

    forged = forge_transfer(database, "issuance", "bob", 100)
    seq = append_entry(database, forged)

    assert [d.sequence for d in members.verify_journal().discrepancies] == [seq] == [3]


def test_postgresql_refuses_the_upgrade_while_unmarked_rows_wait_in_the_queue(
    members: Engine,
) -> None:
    database = members.database
    if not database.is_postgres:
        pytest.skip("SQLite never queues: nothing can be waiting")
    Engine(database, auto_seal=False).transfer("bob", "alice", 100, idempotency_key="late")
    downgrade(database, "0008")

    with pytest.raises(RuntimeError, match="wait in journal_queue"):
        migrate(database)

    assert revision_of(database) == "0008"
    # Dropped here; the previous version would seal it.
    database.write(lambda conn: conn.execute(text("DELETE FROM journal_queue")))
    migrate(database, revision="0009")
    assert revision_of(database) == "0009"


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE journal_head SET seq = seq - 1",
        "UPDATE journal_head SET marked_from = marked_from + 1",
        "DELETE FROM journal_head",
    ],
    ids=["backwards", "marks-begin-later", "deleted"],
)
def test_the_head_only_moves_forward_with_the_journal(members: Engine, statement: str) -> None:
    before = head_of(members.database)

    with pytest.raises(DBAPIError, match="only moves forward"):
        members.database.write(lambda conn: conn.execute(text(statement)))

    assert head_of(members.database) == before


def test_on_sqlite_the_migration_goes_both_ways_and_back_to_the_same_schema() -> None:
    database, cleanup = fresh_sqlite()
    try:
        before = schema_of(database)
        downgrade(database, "0008")
        assert revision_of(database) == "0008"
        assert "journal_head" not in dict(schema_of(database))

        migrate(database)

        assert schema_of(database) == before
    finally:
        cleanup()


def schema_of(database: Database) -> list[tuple[str, str]]:
    """SQLite's own record of every table, index and trigger, as written."""
    with database.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT name, sql FROM sqlite_master WHERE name != 'alembic_version' ORDER BY name"
            )
        ).all()
    return [(row.name, row.sql) for row in rows]
