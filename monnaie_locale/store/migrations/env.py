"""Alembic environment: runs migrations on the connection handed over by ``migrate()``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

from monnaie_locale.store.tables import metadata


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    url = context.config.get_main_option("sqlalchemy.url")
    assert url, "set sqlalchemy.url or pass a connection"
    with create_engine(url).begin() as conn:
        _run(conn)
