"""Bring a database to the latest schema with Alembic, from code or from the CLI."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from monnaie_locale.store.database import Database, translated

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(database: Database) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # The option goes through configparser interpolation: a literal % (URL-encoded
    # passwords or libpq options) must be doubled.
    url = database.engine.url.render_as_string(hide_password=False)
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(database: Database, *, revision: str = "head") -> None:
    """Upgrade ``database`` to ``revision`` (the latest by default); safe to run twice.

    A database out of reach raises :class:`~monnaie_locale.errors.DatabaseUnavailable`,
    as a read or a write would.
    """
    config = alembic_config(database)
    with translated(), database.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)
