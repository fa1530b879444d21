"""Migration 0020: the log of administrative acts, as the store declares it, and its way back."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from monnaie_locale.store import Database, migrate
from monnaie_locale.store.tables import metadata
from monnaie_locale.store.tables_admin_log import admin_acts
from tests.store.test_migration_journal_head import downgrade, revision_of, table_of


def test_the_migrated_schema_matches_the_log_table(database: Database) -> None:
    with database.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, metadata)

    assert admin_acts.name in inspect(database.engine).get_table_names()
    assert [d for d in differences if table_of(d) == admin_acts.name] == []


def test_the_log_goes_with_a_downgrade_and_comes_back(database: Database) -> None:
    downgrade(database, "0019")
    assert admin_acts.name not in inspect(database.engine).get_table_names()

    migrate(database, revision="0020")

    assert revision_of(database) == "0020"
    assert admin_acts.name in inspect(database.engine).get_table_names()
