"""One deployment reached three ways, for the acts of accounts, users, sessions and keys.

The books of :mod:`tests.api.operations_support` (holders alice, bakery and town, one user
per role) are reached through the core's acts, through the HTTP API and through ``mlc``,
each acting as the same user. :meth:`Fronts.refused` checks that an actor refused by an
act is refused alike by the route and by the command, with the same error code, and that
none of the three changed anything: neither the ledger, nor the accounts' names, nor the
users, the accounts they hold, their tokens and the API keys.
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
from monnaie_locale.auth import Role, passwords, resolve_credential
from monnaie_locale.auth.credentials import principal_named
from monnaie_locale.deployment import from_settings as deployment_from_settings
from monnaie_locale.errors import MonnaieLocaleError
from monnaie_locale.store import Database
from monnaie_locale.store.tables import accounts
from monnaie_locale.store.tables_auth import api_keys, auth_tokens, user_accounts, users
from tests.api.helpers import assert_problem
from tests.api.operations_support import STAFF, Ops, make_ops, ops_settings
from tests.cli.conftest import Mlc, database_url
from tests.conftest import SteppingClock
from tests.engine import Engine
from tests.support import Snapshot, snapshot

__all__ = ["Fronts", "people"]

Rows = tuple[tuple[Any, ...], ...]


def _records(conn: Connection) -> tuple[Rows, ...]:
    """What the acts of this feature change besides balances: names, users, credentials."""

    def rows(*columns: Any) -> Rows:
        return tuple(tuple(row) for row in conn.execute(select(*columns).order_by(*columns)))

    return (
        rows(accounts.c.code, accounts.c.display_name),
        rows(
            users.c.username,
            users.c.role,
            users.c.status,
            users.c.password_hash,
            users.c.failed_logins,
            users.c.locked_until,
        ),
        rows(user_accounts.c.user_id, user_accounts.c.account_code),
        rows(auth_tokens.c.id, auth_tokens.c.revoked_at),
        rows(api_keys.c.id, api_keys.c.revoked_at),
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

    def signed_in(self, role: Role) -> Context:
        """The acting context of the same user, signed in: with their API token."""
        token = self.ops.tokens[role]
        actor = self.database.read(
            lambda conn: resolve_credential(conn, token, now=self.ops.clock())
        )
        assert actor is not None
        return Context(
            database=self.database,
            actor=actor,
            deployment=deployment_from_settings(ops_settings()),
            clock=self.ops.clock,
        )

    def state(self) -> tuple[Snapshot, tuple[Rows, ...]]:
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
def people(
    database: Database, clock: SteppingClock, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Fronts]:
    # The production password parameters are slow on purpose.
    monkeypatch.setattr(
        passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )
    passwords._dummy_hash.cache_clear()
    for ops in make_ops(database, clock):
        yield Fronts(ops=ops, mlc=Mlc(database_url(database), CliRunner()))
    passwords._dummy_hash.cache_clear()
