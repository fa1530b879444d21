"""Migration 0019: the passkeys' tables, as the store declares them, and their way back."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from monnaie_locale.store import Database, migrate
from monnaie_locale.store.tables import metadata
from monnaie_locale.store.tables_passkeys import passkey_challenges, passkeys
from tests.store.test_migration_journal_head import downgrade, revision_of, table_of

TABLES = (passkeys.name, passkey_challenges.name)


def test_the_migrated_schema_matches_the_passkeys_tables(database: Database) -> None:
    with database.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, metadata)

    assert set(TABLES) <= set(inspect(database.engine).get_table_names())
    assert [d for d in differences if table_of(d) in TABLES] == []


def test_the_passkeys_tables_go_with_a_downgrade_and_come_back(database: Database) -> None:
    downgrade(database, "0018")
    assert not set(TABLES) & set(inspect(database.engine).get_table_names())

    migrate(database, revision="0019")

    assert revision_of(database) == "0019"
    assert set(TABLES) <= set(inspect(database.engine).get_table_names())
