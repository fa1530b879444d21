"""Migration 0014: the tables of the other money flows, the conversions' new statuses, and
the way back."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

from monnaie_locale.store import Database, migrate
from monnaie_locale.store import tables_flows as flows_tables
from monnaie_locale.store.tables import metadata
from tests.store.test_migration_journal_head import downgrade, table_of

FLOWS_TABLES = {getattr(flows_tables, name).name for name in flows_tables.__all__}


def test_the_migrated_schema_matches_the_flows_tables_and_the_conversions(
    database: Database,
) -> None:
    with database.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, metadata)

    assert set(inspect(database.engine).get_table_names()) >= FLOWS_TABLES
    assert [d for d in differences if table_of(d) in {*FLOWS_TABLES, "conversions"}] == []


def _conversion(database: Database, status: str) -> None:
    """A card conversion of a new member's, recorded straight in SQL with ``status``."""
    with database.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO currencies (code, name, symbol) SELECT 'MLC', 'unit', 'U' "
                "WHERE NOT EXISTS (SELECT 1 FROM currencies WHERE code = 'MLC')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO accounts (code, kind, currency, created_at) SELECT 'm', "
                "'member', 'MLC', CURRENT_TIMESTAMP WHERE NOT EXISTS "
                "(SELECT 1 FROM accounts WHERE code = 'm')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO conversions (account_id, method, amount, bonus, status, "
                "created_at) SELECT id, 'card', 100, 0, :status, CURRENT_TIMESTAMP "
                "FROM accounts WHERE code = 'm'"
            ),
            {"status": status},
        )


def test_a_conversion_may_end_charged_back_only_once_migrated(database: Database) -> None:
    downgrade(database, "0011")
    assert not FLOWS_TABLES & set(inspect(database.engine).get_table_names())
    with pytest.raises(DBAPIError):  # the check on SQLite; the column's width first on PG
        _conversion(database, "charged_back")

    migrate(database)

    _conversion(database, "charged_back")
    assert set(inspect(database.engine).get_table_names()) >= FLOWS_TABLES
