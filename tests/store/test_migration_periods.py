"""Migration 0016: the migrated schema is what ``tables_periods`` and ``tables`` declare."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from monnaie_locale.store import Database, migrate
from monnaie_locale.store.tables import metadata
from tests.operations.test_schema import table_of
from tests.store.test_migration_journal_head import downgrade, revision_of
from tests.store.test_migration_rules import head_revision


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


def test_the_periods_go_with_a_downgrade_and_come_back(database: Database) -> None:
    downgrade(database, "0011")
    assert "closed_periods" not in inspect(database.engine).get_table_names()
    columns = {c["name"] for c in inspect(database.engine).get_columns("transactions")}
    assert "operation_date" not in columns

    migrate(database)

    assert revision_of(database) == head_revision(database)
    assert "closed_periods" in inspect(database.engine).get_table_names()
