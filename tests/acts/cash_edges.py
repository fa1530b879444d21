"""The operations deployment behind both edges, for the acts of notes, offices, fees and
the reserve: the API of :mod:`tests.api.operations_support` and ``mlc`` on the same books.

:meth:`Edges.refused` makes one request through the API and the same through the CLI, as
the same user, and checks both are refused with the core's error and changed nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import httpx
import pytest
from typer.testing import CliRunner

from cli.errors import explain
from cli.messages import Messages
from monnaie_locale.auth import Role
from monnaie_locale.errors import MonnaieLocaleError
from monnaie_locale.store import Database
from tests.api.operations_support import (
    MEMBER_FEE,
    RESERVE_IBAN,
    STAFF,
    Ops,
    make_ops,
)
from tests.cli.conftest import ADMIN, Mlc, add_user, database_url
from tests.conftest import SteppingClock
from tests.support import snapshot

__all__ = ["Edges", "edges"]

EXIT_FORBIDDEN = 5
ENGLISH = Messages("en")


@dataclass
class Edges:
    ops: Ops
    mlc: Mlc

    def refused(
        self,
        role: Role,
        error: MonnaieLocaleError,
        *,
        api: Callable[[Ops], httpx.Response],
        cli: list[str],
    ) -> None:
        """``role``'s user is refused ``error`` by the route and by the command alike."""
        self.ops.unchanged(403, error.code, lambda: api(self.ops))
        before = snapshot(self.ops.database)
        result = self.mlc(*cli, actor=STAFF[role][0])
        assert result.exit_code == EXIT_FORBIDDEN, result.output
        assert explain(error, ENGLISH) in " ".join(result.output.split())
        assert snapshot(self.ops.database) == before, "a refused command changed the ledger"


@pytest.fixture
def edges(
    database: Database, clock: SteppingClock, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Edges]:
    # The CLI reads the deployment's rules from the settings, as the API was given them.
    monkeypatch.setenv("MLC_MEMBERSHIP_FEES", f'{{"member": {MEMBER_FEE}}}')
    monkeypatch.setenv("MLC_RESERVE_IBAN", RESERVE_IBAN)
    for ops in make_ops(database, clock):
        add_user(database, ADMIN, Role.ADMIN)
        yield Edges(ops=ops, mlc=Mlc(database_url(database), CliRunner()))
