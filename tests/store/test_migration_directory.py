"""Migration 0018: the migrated schema is what ``tables_directory`` declares, and the
directory goes with a downgrade and comes back empty."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from monnaie_locale.store import Database, migrate, tables_directory
from monnaie_locale.store.tables import metadata
from tests.operations.test_schema import table_of
from tests.store.test_migration_journal_head import downgrade, revision_of
from tests.store.test_migration_rules import head_revision

DIRECTORY_TABLES = {getattr(tables_directory, name).name for name in tables_directory.__all__}


def test_the_migrated_schema_matches_the_directory_tables(database: Database) -> None:
    with database.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences: list[Any] = compare_metadata(context, metadata)

    assert {"business_profiles", "office_places"} == DIRECTORY_TABLES
    assert [diff for diff in differences if table_of(diff) in DIRECTORY_TABLES] == []


def test_the_directory_goes_with_a_downgrade_and_comes_back(database: Database) -> None:
    downgrade(database, "0017")
    assert DIRECTORY_TABLES.isdisjoint(inspect(database.engine).get_table_names())

    migrate(database)

    assert revision_of(database) == head_revision(database)
    assert set(inspect(database.engine).get_table_names()) >= DIRECTORY_TABLES
