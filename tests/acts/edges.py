"""One deployment reached three ways: the core's acts, the HTTP API and ``mlc``.

The books of :mod:`tests.api.operations_support` (an office ``gare``, holders alice,
bakery and town, one user per role) are reached through the acts, through the API and
through ``mlc``, each acting as the same user. :meth:`Fronts.refused` checks that an actor
refused by an act is refused alike by the route and by the command, with the same error
code; :meth:`Fronts.refused_alike` does the same for a route and a command alone. Either
way nothing may change: neither the ledger, nor the records of the currency's operations
(conversions, reconversions, payouts, notes, tills, fees, bank statements, closures, note
series written off, conversions taken back, an authority's mandates), nor the accounts'
names, the directory, the users, the accounts they hold, their tokens, the API keys, the
currency's rules and the log of administrative acts.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import Connection, select
from typer.testing import CliRunner, Result

from cli.errors import ExitCode, exit_code_for, explain
from cli.messages import Messages
from monnaie_locale.acting import Context
from monnaie_locale.acts import sessions
from monnaie_locale.auth import Role, passwords, resolve_credential
from monnaie_locale.deployment import from_settings as deployment_from_settings
from monnaie_locale.errors import MonnaieLocaleError
from monnaie_locale.store import Database
from monnaie_locale.store.tables import accounts
from monnaie_locale.store.tables_admin_log import admin_acts
from monnaie_locale.store.tables_auth import api_keys, auth_tokens, user_accounts, users
from monnaie_locale.store.tables_authorities import mandates
from monnaie_locale.store.tables_bank import bank_accounts, bank_line_changes
from monnaie_locale.store.tables_chart import chart_rules
from monnaie_locale.store.tables_directory import business_profiles, office_places
from monnaie_locale.store.tables_flows import (
    account_closures,
    conversion_reversals,
    note_write_offs,
)
from monnaie_locale.store.tables_operations import (
    bank_lines,
    conversions,
    membership_fees,
    note_stocks,
    office_closings,
    reconversion_batches,
    reconversions,
    till_deposits,
)
from monnaie_locale.store.tables_rules import rule_changes
from tests.api.helpers import assert_problem
from tests.api.operations_support import STAFF, Ops, make_ops, ops_settings
from tests.cli.conftest import Mlc, database_url
from tests.conftest import SteppingClock
from tests.engine import Engine
from tests.support import Snapshot, snapshot

__all__ = ["ENGLISH", "Fronts", "error_shown", "fronts"]

Rows = tuple[tuple[Any, ...], ...]
ENGLISH = Messages("en")


def _records(conn: Connection) -> tuple[Rows, ...]:
    """What the acts change besides balances: operations' records, names, users, keys."""

    def rows(*columns: Any) -> Rows:
        return tuple(tuple(row) for row in conn.execute(select(*columns).order_by(*columns)))

    return (
        rows(conversions.c.id, conversions.c.status),
        rows(reconversions.c.id, reconversions.c.status),
        rows(reconversion_batches.c.id, reconversion_batches.c.status),
        rows(till_deposits.c.id, till_deposits.c.status),
        rows(note_stocks.c.location, note_stocks.c.denomination, note_stocks.c.count),
        rows(office_closings.c.id),
        rows(membership_fees.c.id),
        rows(account_closures.c.id),
        rows(note_write_offs.c.id),
        rows(conversion_reversals.c.id),
        rows(bank_lines.c.id, bank_lines.c.matched_kind, bank_lines.c.matched_id),
        rows(bank_accounts.c.name, bank_accounts.c.role, bank_accounts.c.iban, bank_accounts.c.bic),
        rows(bank_line_changes.c.id),
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
        rows(rule_changes.c.id),
        rows(chart_rules.c.pattern, chart_rules.c.currency, chart_rules.c.number),
        rows(*business_profiles.c),
        rows(*office_places.c),
        rows(admin_acts.c.id),
        rows(mandates.c.id, mandates.c.status, mandates.c.decided_by, mandates.c.transaction_id),
    )


def error_shown(result: Result) -> MonnaieLocaleError | None:
    """The core's error that ``mlc`` reported, read from the run's chain of exceptions.

    The command line prints a message and exits with a code; the error behind them is
    the cause of the exit it raised (see :class:`cli.main.ReportingGroup`).
    """
    seen: BaseException | None = result.exception
    while seen is not None and not isinstance(seen, MonnaieLocaleError):
        seen = seen.__cause__ or seen.__context__
    return seen


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
        return Context(
            database=self.database,
            actor=sessions.acting_as(self.database, name),
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
            assert explain(error, ENGLISH) in result.output
            assert self.state() == before, "a refused command changed the books"
        return error

    def refused_alike(
        self,
        role: Role | None,
        refusal: str | MonnaieLocaleError,
        *,
        api: Callable[[], httpx.Response] | None,
        cli: Sequence[str],
    ) -> MonnaieLocaleError:
        """The route and the command both refuse the user with ``role`` (``None``: nobody)
        with the code of ``refusal``, 403 and exit 5 (401 and 5 for nobody); nothing
        changes. A ``refusal`` given as an error is also the message the command shows,
        fields and all. Returns the error the command reported."""
        code = refusal if isinstance(refusal, str) else refusal.code
        before = self.state()
        if api is not None:
            assert_problem(api(), 403 if role is not None else 401, code)
            assert self.state() == before, "a refused request changed the books"
        result = self.mlc(*cli, actor=None if role is None else STAFF[role][0])
        error = error_shown(result)
        assert error is not None, result.output
        assert (result.exit_code, error.code) == (ExitCode.FORBIDDEN, code), result.output
        shown = refusal if isinstance(refusal, MonnaieLocaleError) else error
        assert " ".join(explain(shown, ENGLISH).split()) in " ".join(result.stderr.split())
        assert self.state() == before, "a refused command changed the books"
        return error


@pytest.fixture
def fronts(
    database: Database, clock: SteppingClock, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Fronts]:
    # The CLI reads the deployment's rules from the settings, as the API was given them.
    settings = ops_settings()
    monkeypatch.setenv("MLC_CONVERSION_BONUS_BPS", str(settings.conversion_bonus_bps))
    monkeypatch.setenv("MLC_MEMBERSHIP_FEES", json.dumps(settings.membership_fees))
    monkeypatch.setenv("MLC_RESERVE_IBAN", str(settings.reserve_iban))
    monkeypatch.setenv("MLC_RESERVE_BIC", str(settings.reserve_bic))
    for ops in make_ops(database, clock):
        yield Fronts(ops=ops, mlc=Mlc(database_url(database), CliRunner()))
    passwords._dummy_hash.cache_clear()
