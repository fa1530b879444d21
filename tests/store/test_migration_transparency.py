"""Migration 0022: the transparency' tables, as the store declares them, and the way back."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from monnaie_locale.store import Database, migrate, tables_transparency
from monnaie_locale.store.tables import metadata
from tests.store.test_migration_journal_head import downgrade, revision_of, table_of

NAMES = {
    getattr(tables_transparency, name).name
    for name in tables_transparency.__all__
    if not name.isupper()
}


def test_the_migrated_schema_matches_the_authorities_tables(database: Database) -> None:
    with database.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, metadata)

    assert set(inspect(database.engine).get_table_names()) >= NAMES
    assert [d for d in differences if table_of(d) in NAMES] == []


def test_the_authorities_tables_go_with_a_downgrade_and_come_back(database: Database) -> None:
    downgrade(database, "0021")
    assert not NAMES & set(inspect(database.engine).get_table_names())

    migrate(database, revision="0022")

    assert revision_of(database) == "0022"
    assert set(inspect(database.engine).get_table_names()) >= NAMES
