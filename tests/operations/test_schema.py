"""Migration 0003 creates exactly the tables the operations are written against."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Table

from monnaie_locale.store import Database
from monnaie_locale.store import tables_operations as operations_tables
from monnaie_locale.store.tables import metadata

OPERATIONS_TABLES = {getattr(operations_tables, name).name for name in operations_tables.__all__}


def table_of(difference: Any) -> str | None:
    """The table an autogenerate difference is about."""
    if isinstance(difference, list):  # column modifications come as a list of tuples
        return str(difference[0][2])
    subject = difference[1]
    if isinstance(subject, Table):
        return subject.name
    table = getattr(subject, "table", None)
    if table is not None:
        return str(table.name)
    return str(difference[2]) if len(difference) > 2 else None


def test_the_migrated_schema_matches_the_operations_tables(database: Database) -> None:
    with database.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, metadata)

    ours = [diff for diff in differences if table_of(diff) in OPERATIONS_TABLES]
    assert ours == []
    assert len(OPERATIONS_TABLES) == 10
