"""Migration 0015: the bank accounts' tables and the statements' bank columns, as the store
declares them, and their way back with the lines imported before kept."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select

from monnaie_locale.store import Database, migrate, tables_bank
from monnaie_locale.store.tables import metadata
from monnaie_locale.store.tables_operations import bank_lines, bank_statements
from tests.store.test_migration_journal_head import downgrade, revision_of, table_of
from tests.store.test_migration_rules import head_revision

BANK_TABLES = {getattr(tables_bank, name).name for name in tables_bank.__all__}
TOUCHED = BANK_TABLES | {bank_statements.name, bank_lines.name}


def test_the_migrated_schema_matches_the_bank_tables(database: Database) -> None:
    with database.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, metadata)

    assert set(inspect(database.engine).get_table_names()) >= BANK_TABLES
    assert [d for d in differences if table_of(d) in TOUCHED] == []


def test_the_bank_tables_go_with_a_downgrade_and_lines_imported_before_stay(
    database: Database,
) -> None:
    downgrade(database, "0011")
    assert not BANK_TABLES & set(inspect(database.engine).get_table_names())
    with database.engine.begin() as conn:
        # Only the columns migration 0011 knows.
        conn.exec_driver_sql(
            "INSERT INTO bank_statements (fingerprint, statement_id, imported_at) "
            "VALUES ('" + "f" * 64 + "', 'S1', '2026-11-02 00:00:00+00:00')"
        )
        conn.exec_driver_sql(
            "INSERT INTO bank_lines (statement_row_id, line_id, booking_date, amount) "
            "SELECT id, 'ref:R1', '2026-11-02', 100 FROM bank_statements"
        )

    migrate(database)

    assert revision_of(database) == head_revision(database)
    rows = database.read(
        lambda conn: conn.execute(
            select(bank_lines.c.line_id, bank_lines.c.bank_account_id, bank_lines.c.value_date)
        ).all()
    )
    assert [tuple(row) for row in rows] == [("ref:R1", None, None)]
