"""Migration 0012: the rules' table and the columns naming the rule an operation applied.

The schema it builds is the one the store declares; its way back removes them, and its
way forward again keeps the conversions already recorded (SQLite rebuilds the table to
add a column with a foreign key).
"""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect, select

from monnaie_locale.config import Settings
from monnaie_locale.deployment import create_system_accounts, from_settings, open_holder_account
from monnaie_locale.model import AccountKind
from monnaie_locale.operations.conversion import convert_by_card
from monnaie_locale.store import Database, migrate
from monnaie_locale.store.migrate import alembic_config
from monnaie_locale.store.tables import metadata
from monnaie_locale.store.tables_operations import conversions
from monnaie_locale.store.tables_rules import rule_changes
from tests.conftest import SteppingClock
from tests.store.test_migration_journal_head import downgrade, revision_of, table_of

OURS = {rule_changes.name, "conversions", "reconversions"}


def head_revision(database: Database) -> str:
    return str(ScriptDirectory.from_config(alembic_config(database)).get_current_head())


def _columns(database: Database, table: str) -> set[str]:
    return {column["name"] for column in inspect(database.engine).get_columns(table)}


def test_the_migrated_schema_matches_the_rules_table_and_columns(database: Database) -> None:
    with database.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, metadata)

    assert [d for d in differences if table_of(d) in OURS] == []
    assert "bonus_rule" in _columns(database, "conversions")
    assert "fee_rule" in _columns(database, "reconversions")


def test_the_rules_go_with_a_downgrade_and_come_back_keeping_the_conversions(
    database: Database, clock: SteppingClock
) -> None:
    deployment = from_settings(Settings())

    def convert(conn: Connection) -> None:
        create_system_accounts(conn, deployment, now=clock())
        open_holder_account(conn, deployment, "alice", kind=AccountKind.MEMBER, now=clock())
        convert_by_card(
            conn,
            deployment,
            account="alice",
            amount=20_00,
            payment_reference="pi_1",
            idempotency_key="c1",
            clock=clock,
        )

    database.write(convert)
    downgrade(database, "0011")
    assert rule_changes.name not in inspect(database.engine).get_table_names()
    assert "bonus_rule" not in _columns(database, "conversions")

    migrate(database)

    assert revision_of(database) == head_revision(database)
    assert rule_changes.name in inspect(database.engine).get_table_names()
    kept = database.read(lambda conn: conn.execute(select(conversions.c.amount)).scalars().all())
    assert kept == [20_00]
