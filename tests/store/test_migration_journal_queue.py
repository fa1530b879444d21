"""Migration 0007: PostgreSQL vacuums the journal queue by a fixed count of dead rows.

On PostgreSQL the settings are the table's storage parameters (``pg_class.reloptions``);
downgrading to 0006 removes them and upgrading again puts them back. SQLite has nothing
of the kind, and the migration goes both ways there without touching the schema.
"""

from __future__ import annotations

from alembic import command
from sqlalchemy import text

from monnaie_locale.store import Database, migrate
from monnaie_locale.store.migrate import alembic_config
from tests.support import fresh_sqlite

# Typed from the migration's docstring, not imported from it.
EXPECTED = {
    "autovacuum_vacuum_scale_factor": "0",
    "autovacuum_vacuum_threshold": "1000",
    "autovacuum_vacuum_cost_delay": "0",
    "autovacuum_analyze_scale_factor": "0",
    "autovacuum_analyze_threshold": "10000",
}


def downgrade(database: Database, revision: str) -> None:
    config = alembic_config(database)
    with database.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, revision)


def revision_of(database: Database) -> str:
    with database.engine.connect() as conn:
        return str(conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one())


def reloptions(database: Database, table: str) -> dict[str, str]:
    with database.engine.connect() as conn:
        options = conn.execute(
            text("SELECT reloptions FROM pg_class WHERE oid = to_regclass(:table)"),
            {"table": table},
        ).scalar_one()
    return dict(option.split("=", 1) for option in options or ())


def test_the_journal_queue_has_its_autovacuum_settings_after_migration(
    postgres_database: Database,
) -> None:
    assert reloptions(postgres_database, "journal_queue") == EXPECTED
    # Only the queue churns: the other tables keep the server's defaults.
    assert reloptions(postgres_database, "journal") == {}
    assert reloptions(postgres_database, "transactions") == {}


def test_downgrading_removes_the_settings_and_upgrading_restores_them(
    postgres_database: Database,
) -> None:
    downgrade(postgres_database, "0006")

    assert revision_of(postgres_database) == "0006"
    assert reloptions(postgres_database, "journal_queue") == {}

    migrate(postgres_database, revision="0007")

    assert revision_of(postgres_database) == "0007"
    assert reloptions(postgres_database, "journal_queue") == EXPECTED


def test_on_sqlite_the_migration_goes_both_ways_without_touching_the_schema() -> None:
    database, cleanup = fresh_sqlite()
    try:
        downgrade(database, "0007")  # from whatever migrations come later
        before = schema_of(database)

        downgrade(database, "0006")
        assert revision_of(database) == "0006"
        assert schema_of(database) == before
        migrate(database, revision="0007")

        assert revision_of(database) == "0007"
        assert schema_of(database) == before
    finally:
        cleanup()


def schema_of(database: Database) -> list[tuple[str, str]]:
    """SQLite's own record of every table, index and trigger, as written."""
    with database.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT name, sql FROM sqlite_master WHERE name != 'alembic_version' ORDER BY name"
            )
        ).all()
    return [(row.name, row.sql) for row in rows]
