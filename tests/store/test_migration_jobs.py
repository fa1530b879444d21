"""Migration 0011: the scheduled jobs' table, as the store declares it, and its way back."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from monnaie_locale.store import Database, migrate
from monnaie_locale.store.tables import metadata
from monnaie_locale.store.tables_jobs import jobs
from tests.store.test_migration_journal_head import downgrade, revision_of, table_of


def test_the_migrated_schema_matches_the_jobs_table(database: Database) -> None:
    with database.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, metadata)

    assert jobs.name in inspect(database.engine).get_table_names()
    assert [d for d in differences if table_of(d) == jobs.name] == []


def test_the_jobs_table_goes_with_a_downgrade_and_comes_back(database: Database) -> None:
    downgrade(database, "0010")
    assert jobs.name not in inspect(database.engine).get_table_names()

    migrate(database, revision="0011")

    assert revision_of(database) == "0011"
    assert jobs.name in inspect(database.engine).get_table_names()
