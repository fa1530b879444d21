"""Migration 0013: the chart rules' table, as the store declares it, and its way back."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from monnaie_locale.store import Database, migrate
from monnaie_locale.store.migrate import alembic_config
from monnaie_locale.store.tables import metadata
from monnaie_locale.store.tables_chart import chart_rules
from tests.store.test_migration_journal_head import downgrade, revision_of, table_of


def test_the_migrated_schema_matches_the_chart_rules_table(database: Database) -> None:
    with database.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, metadata)

    assert chart_rules.name in inspect(database.engine).get_table_names()
    assert [d for d in differences if table_of(d) == chart_rules.name] == []


def test_the_chart_rules_table_goes_with_a_downgrade_and_comes_back(database: Database) -> None:
    downgrade(database, "0011")
    assert chart_rules.name not in inspect(database.engine).get_table_names()

    migrate(database)

    # The newest revision, whichever it is once other migrations follow.
    head = ScriptDirectory.from_config(alembic_config(database)).get_current_head()
    assert revision_of(database) == head
    assert chart_rules.name in inspect(database.engine).get_table_names()
