"""Reports and exports read from the standby of MLC_DATABASE_READ_URL, the rest from the
primary; with no read URL, or the standby down, everything reads the primary.

The proof is the standby's lag, made long on purpose: its replay paused, a payment
committed on the primary (a synchronous commit waits for the standby's flush, not its
replay) is in the primary's exports and not yet in the standby's.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC
from io import StringIO

import pytest
from sqlalchemy import make_url, text

from monnaie_locale.acting import Context
from monnaie_locale.acts import exports
from monnaie_locale.auth import Role
from monnaie_locale.auth.principal import Principal
from monnaie_locale.config import Settings
from monnaie_locale.deployment import from_settings
from monnaie_locale.model import AccountKind
from monnaie_locale.store import Database, connect, migrate
from tests.conftest import MLC
from tests.deploy.clusters import (
    Cluster,
    cluster,
    dropping,
    free_port,
    script,
    unique_name,
    wait_for,
)
from tests.engine import Engine


def _ledger_url(made: Cluster) -> str:
    return make_url(made.url).set(database="ledger").render_as_string(False)


def _auditor(database: Database) -> Context:
    actor = Principal(role=Role.AUDITOR, accounts=frozenset(), name="auditor", user_id=1)
    return Context(database=database, actor=actor, deployment=from_settings(Settings()))


def _statement_lines(ctx: Context) -> int:
    out = StringIO()
    return exports.write_statement_csv(
        ctx, "alice", out, start=None, end=None, delimiter=";", decimal_separator=",", zone=UTC
    )


def _in_recovery(database: Database, *, replica: bool) -> bool:
    query = text("SELECT pg_is_in_recovery()")
    return bool(database.read(lambda conn: conn.execute(query).scalar(), replica=replica))


@pytest.fixture
def pair() -> Iterator[tuple[Cluster, Cluster]]:
    """A primary with the ledger's schema and two funded accounts, and its standby."""
    with cluster("primary") as primary:
        primary.scalar("CREATE DATABASE ledger")
        database = connect(_ledger_url(primary))
        try:
            migrate(database)
            ledger = Engine(database)
            ledger.add_currency(MLC)
            ledger.open_account(
                "issuance", kind=AccountKind.SYSTEM, currency="MLC", lower_limit=None
            )
            for member in ("alice", "bob"):
                ledger.open_account(member, kind=AccountKind.MEMBER, currency="MLC")
                ledger.transfer("issuance", member, 10_000, idempotency_key=f"fund-{member}")
        finally:
            database.dispose()
        name = unique_name("standby")
        with dropping(name):
            port = free_port()
            script("make-standby.sh", primary.port, name, port)
            yield primary, Cluster(name=name, version=primary.version, port=port)


def test_exports_read_the_standby_and_the_rest_the_primary(
    pair: tuple[Cluster, Cluster],
) -> None:
    primary, standby = pair
    with_standby = connect(_ledger_url(primary))
    with_standby.add_replica(_ledger_url(standby))
    primary_only = connect(_ledger_url(primary))
    try:
        assert _in_recovery(with_standby, replica=True) is True
        assert _in_recovery(with_standby, replica=False) is False
        assert _in_recovery(primary_only, replica=True) is False
        wait_for(lambda: _statement_lines(_auditor(with_standby)) == 1, "the standby to replay")

        standby.scalar("SELECT pg_wal_replay_pause()")
        Engine(with_standby).transfer("alice", "bob", 250, idempotency_key="while-paused")

        # The payment is on the primary: what does not ask for the standby sees it.
        assert Engine(with_standby).account("alice").balance == 10_000 - 250
        assert _statement_lines(_auditor(primary_only)) == 2
        assert exports.count_postings(_auditor(primary_only)) == 6
        # The exports read the standby, which has not replayed it yet.
        assert _statement_lines(_auditor(with_standby)) == 1
        assert exports.count_postings(_auditor(with_standby)) == 4

        standby.scalar("SELECT pg_wal_replay_resume()")
        wait_for(lambda: _statement_lines(_auditor(with_standby)) == 2, "the standby to catch up")

        # The standby down, exports read the primary rather than fail.
        standby.ctl("stop")
        with_standby.replica.dispose()  # type: ignore[union-attr]
        assert exports.count_postings(_auditor(with_standby)) == 6
        assert _in_recovery(with_standby, replica=True) is False
    finally:
        with_standby.dispose()
        primary_only.dispose()
