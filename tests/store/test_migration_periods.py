"""Migration 0016: the migrated schema is what ``tables_periods`` and ``tables`` declare."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from monnaie_locale.store import Database
from monnaie_locale.store.tables import metadata
from tests.operations.test_schema import table_of


def test_the_migrated_schema_matches_the_periods_tables(database: Database) -> None:
    with database.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences: list[Any] = compare_metadata(context, metadata)

    assert [
        diff for diff in differences if table_of(diff) in ("closed_periods", "transactions")
    ] == []


def test_the_operation_date_column_is_there_and_optional(database: Database) -> None:
    column = metadata.tables["transactions"].c.operation_date
    assert column.nullable
    with database.engine.connect() as conn:
        context = MigrationContext.configure(conn)
        assert "operation_date" in {
            c["name"] for c in context.dialect.get_columns(conn, "transactions")
        }
