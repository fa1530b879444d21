"""The acts of the reserve: who reads the report, who imports the bank's statements, who
books the association's own euros. Each refusal is checked on the API and in
``mlc reserve``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from monnaie_locale.acting import Context
from monnaie_locale.acts import reserve
from monnaie_locale.auth import Role
from monnaie_locale.auth.credentials import principal_named
from monnaie_locale.auth.errors import RoleForbidden
from monnaie_locale.deployment import from_settings as deployment_from_settings
from monnaie_locale.store import Database
from tests.api.operations_support import ops_settings
from tests.support import refused

if TYPE_CHECKING:
    # Imported by pytest as a plugin (below): imported here too, it would not be rewritten.
    from tests.acts.cash_edges import Edges

pytest_plugins = ["tests.acts.cash_edges"]

STATEMENT = (
    "Date;Date de valeur;Libellé;Référence;Débit;Crédit\r\n"
    "02/11/2026;02/11/2026;VIR SEPA RECU /MOTIF DON;R1;;120,00\r\n"
).encode("cp1252")


def test_a_member_reads_no_reserve_report(edges: Edges) -> None:
    edges.refused(
        Role.MEMBER,
        RoleForbidden(Role.MEMBER),
        api=lambda ops: ops.get(Role.MEMBER, "/v1/reserve/report"),
        cli=["reserve", "report"],
    )


def test_an_office_operator_imports_no_statement(edges: Edges, tmp_path: Path) -> None:
    file = tmp_path / "releve.csv"
    file.write_bytes(STATEMENT)
    edges.refused(
        Role.OFFICE_OPERATOR,
        RoleForbidden(Role.OFFICE_OPERATOR),
        api=lambda ops: ops.client.post(
            "/v1/bank/statements",
            files={"file": ("releve.csv", STATEMENT, "text/csv")},
            data={"format": "csv"},
            headers=ops.auth(Role.OFFICE_OPERATOR, "k9"),
        ),
        cli=["reserve", "import-statement", str(file), "--format", "csv"],
    )


def _as(database: Database, name: str) -> Context:
    actor = database.read(lambda conn: principal_named(conn, name))
    return Context(
        database=database, actor=actor, deployment=deployment_from_settings(ops_settings())
    )


@pytest.mark.parametrize("name", ["alice", "counter", "auditor"])
def test_only_the_association_books_its_own_euros(edges: Edges, name: str) -> None:
    context = _as(edges.ops.database, name)

    refused(
        edges.ops.database,
        RoleForbidden,
        lambda: reserve.receive_association_funds(context, 5000, memo="gift", key="g1"),
    )


def test_the_association_books_its_own_euros_once_per_key(edges: Edges) -> None:
    context = _as(edges.ops.database, "assoc")
    before = edges.ops.balance("association:operating")

    first = reserve.receive_association_funds(context, 5000, memo="gift", key="g1")
    again = reserve.receive_association_funds(context, 5000, memo="gift", key="g1")

    assert first == again
    assert edges.ops.balance("association:operating") == before - 5000
