"""Reads that ask for the standby (``replica=True``) without one, or with one out of reach,
read the primary: a report never fails for want of a standby. The standby itself is tried
in tests/deploy/test_read_replica.py, on clusters of its own."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import text

from monnaie_locale.store import Database
from tests.deploy.clusters import free_port


def _one(database: Database, *, replica: bool) -> int:
    return int(
        database.read(lambda conn: conn.execute(text("SELECT 1")).scalar_one(), replica=replica)
    )


def test_without_a_standby_every_read_reads_the_primary(database: Database) -> None:
    assert _one(database, replica=True) == 1
    with database.reading(replica=True) as conn:
        assert conn.execute(text("SELECT 2")).scalar_one() == 2


def test_only_postgresql_has_a_standby(database: Database) -> None:
    if database.is_sqlite:
        with pytest.raises(ValueError, match="PostgreSQL"):
            database.add_replica("postgresql://postgres@127.0.0.1/ledger")
    with pytest.raises(ValueError, match="PostgreSQL"):
        database.add_replica("sqlite:///elsewhere.db")


def test_a_standby_out_of_reach_leaves_reports_on_the_primary(
    postgres_database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    # Nothing listens there: connecting is refused at once.
    postgres_database.add_replica(f"postgresql://postgres@127.0.0.1:{free_port()}/test")
    with caplog.at_level(logging.WARNING, logger="monnaie_locale.store.database"):
        assert _one(postgres_database, replica=True) == 1
    assert "standby unreachable" in caplog.text
