"""The acts of the reserve: who reads the report, who imports the bank's statements, who
books the association's own euros. Each refusal is checked on the API and in
``mlc reserve``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from monnaie_locale.acts import reserve
from monnaie_locale.auth import Role
from monnaie_locale.auth.errors import RoleForbidden
from tests.support import refused

if TYPE_CHECKING:
    # Imported by pytest as a plugin (below): imported here too, it would not be rewritten.
    from tests.acts.edges import Fronts

pytest_plugins = ["tests.acts.edges"]

STATEMENT = (
    "Date;Date de valeur;Libellé;Référence;Débit;Crédit\r\n"
    "02/11/2026;02/11/2026;VIR SEPA RECU /MOTIF DON;R1;;120,00\r\n"
).encode("cp1252")


def test_a_member_reads_no_reserve_report(fronts: Fronts) -> None:
    fronts.refused_alike(
        Role.MEMBER,
        RoleForbidden(Role.MEMBER),
        api=lambda: fronts.ops.get(Role.MEMBER, "/v1/reserve/report"),
        cli=["reserve", "report"],
    )


def test_an_office_operator_imports_no_statement(fronts: Fronts, tmp_path: Path) -> None:
    file = tmp_path / "releve.csv"
    file.write_bytes(STATEMENT)
    fronts.refused_alike(
        Role.OFFICE_OPERATOR,
        RoleForbidden(Role.OFFICE_OPERATOR),
        api=lambda: fronts.ops.client.post(
            "/v1/bank/statements",
            files={"file": ("releve.csv", STATEMENT, "text/csv")},
            data={"format": "csv"},
            headers=fronts.ops.auth(Role.OFFICE_OPERATOR, "k9"),
        ),
        cli=["reserve", "import-statement", str(file), "--format", "csv"],
    )


@pytest.mark.parametrize("role", [Role.MEMBER, Role.OFFICE_OPERATOR, Role.AUDITOR])
def test_only_the_association_books_its_own_euros(fronts: Fronts, role: Role) -> None:
    context = fronts.context(role)

    refused(
        fronts.ops.database,
        RoleForbidden,
        lambda: reserve.receive_association_funds(context, 5000, memo="gift", key="g1"),
    )


def test_the_association_books_its_own_euros_once_per_key(fronts: Fronts) -> None:
    context = fronts.context(Role.ASSOCIATION_OPERATOR)
    before = fronts.ops.balance("association:operating")

    first = reserve.receive_association_funds(context, 5000, memo="gift", key="g1")
    again = reserve.receive_association_funds(context, 5000, memo="gift", key="g1")

    assert first == again
    assert fronts.ops.balance("association:operating") == before - 5000
