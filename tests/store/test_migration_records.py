"""Migration 0023: a ``reserve_statement`` may have no postings, and may have none; the way
back restores the rule that every transaction has postings (SQLite) and drops the record's
check (PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Connection, insert
from sqlalchemy.exc import DBAPIError

from monnaie_locale.ledger.records import RESERVE_STATEMENT
from monnaie_locale.store import Database, migrate
from monnaie_locale.store.tables import transactions
from tests.store.test_migration_journal_head import downgrade, revision_of

NOW = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)


def bare_record(database: Database, transaction_id: int) -> None:
    def write(conn: Connection) -> None:
        conn.execute(
            insert(transactions).values(
                id=transaction_id, kind=RESERVE_STATEMENT, memo="", created_at=NOW
            )
        )

    database.write(write)


def test_a_record_without_postings_is_accepted_and_the_way_back_refuses_it_on_sqlite(
    database: Database,
) -> None:
    bare_record(database, 1)

    downgrade(database, "0022")

    if database.engine.dialect.name == "sqlite":
        with pytest.raises(DBAPIError, match="does not balance"):
            bare_record(database, 2)
    else:
        bare_record(database, 2)  # PostgreSQL never required postings of a header
    migrate(database, revision="0023")
    assert revision_of(database) == "0023"
    bare_record(database, 3)
