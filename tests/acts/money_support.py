"""One deployment reached three ways, for the acts of conversions and reconversions.

The books of :mod:`tests.api.operations_support` (an office ``gare``, holders alice,
bakery and town, one user per role) are reached through the core's acts, through the HTTP
API and through ``mlc``, each acting as the same user. :meth:`Fronts.refused` checks that
an actor refused by an act is refused alike by the route and by the command, with the
same error code, and that none of the three changed anything: neither the ledger nor the
records of conversions, reconversions and payout batches.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher
from sqlalchemy import Connection, select
from typer.testing import CliRunner

from cli.errors import exit_code_for, explain
from cli.messages import Messages
from monnaie_locale.acting import Context
from monnaie_locale.auth import Role, passwords
from monnaie_locale.auth.credentials import principal_named
from monnaie_locale.deployment import from_settings as deployment_from_settings
from monnaie_locale.errors import MonnaieLocaleError
from monnaie_locale.store import Database
from monnaie_locale.store.tables_operations import (
    conversions,
    reconversion_batches,
    reconversions,
)
from tests.api.helpers import assert_problem
from tests.api.operations_support import BAKERY_IBAN, STAFF, Ops, make_ops, ops_settings
from tests.cli.conftest import Mlc, database_url
from tests.conftest import SteppingClock
from tests.engine import Engine
from tests.support import Snapshot, snapshot

__all__ = ["BAKERY_IBAN", "Fronts", "fronts"]


def _records(conn: Connection) -> tuple[tuple[Any, ...], ...]:
    """The state of every conversion, reconversion and payout batch."""
    return (
        tuple(conn.execute(select(conversions.c.id, conversions.c.status)).all()),
        tuple(conn.execute(select(reconversions.c.id, reconversions.c.status)).all()),
        tuple(conn.execute(select(reconversion_batches.c.id, reconversion_batches.c.status)).all()),
    )


@dataclass
class Fronts:
    """The acts, the API and the CLI, over one database."""

    ops: Ops
    mlc: Mlc

    @property
    def database(self) -> Database:
        return self.ops.database

    def context(self, role: Role) -> Context:
        """The acting context of the user who has ``role``."""
        name = STAFF[role][0]
        actor = self.database.read(lambda conn: principal_named(conn, name))
        return Context(
            database=self.database,
            actor=actor,
            deployment=deployment_from_settings(ops_settings()),
            clock=self.ops.clock,
        )

    def state(self) -> tuple[Snapshot, tuple[tuple[Any, ...], ...]]:
        # Chained first (see Ops.unchanged): the journal can then only move by the call.
        Engine(self.database, clock=self.ops.clock).seal_journal()
        return snapshot(self.database), self.database.read(_records)

    def refused(
        self,
        role: Role,
        act: Callable[[Context], object],
        *,
        status: int,
        api: Callable[[], httpx.Response] | None = None,
        cli: Sequence[str] | None = None,
    ) -> MonnaieLocaleError:
        """The act refuses the user with ``role``; so do the route and the command (those
        the act has), with the same code; nothing changes. Returns the act's error."""
        before = self.state()
        with pytest.raises(MonnaieLocaleError) as caught:
            act(self.context(role))
        error = caught.value
        assert self.state() == before, "a refused act changed the books"
        if api is not None:
            assert_problem(api(), status, error.code)
            assert self.state() == before, "a refused request changed the books"
        if cli is not None:
            result = self.mlc(*cli, actor=STAFF[role][0])
            assert result.exit_code == exit_code_for(error), result.output
            assert explain(error, Messages("en")) in result.output
            assert self.state() == before, "a refused command changed the books"
        return error


@pytest.fixture
def fronts(
    database: Database, clock: SteppingClock, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Fronts]:
    # The production password parameters are slow on purpose; no sign-in happens here.
    monkeypatch.setattr(
        passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )
    passwords._dummy_hash.cache_clear()
    for ops in make_ops(database, clock):
        yield Fronts(ops=ops, mlc=Mlc(database_url(database), CliRunner()))
    passwords._dummy_hash.cache_clear()
