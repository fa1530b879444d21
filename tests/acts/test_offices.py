"""The acts of exchange offices: who closes and banks a till, who records the bank's
receipt, who opens an office. Each refusal is checked on the API and in ``mlc offices``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from monnaie_locale.auth import Role
from monnaie_locale.auth.errors import NotYourAccount, RoleForbidden
from monnaie_locale.deployment import office_till
from tests.api.operations_support import OFFICE

if TYPE_CHECKING:
    # Imported by pytest as a plugin (below): imported here too, it would not be rewritten.
    from tests.acts.edges import Fronts

pytest_plugins = ["tests.acts.edges"]

OTHER = "port"


def test_an_office_operator_closes_no_other_offices_till(fronts: Fronts) -> None:
    fronts.refused_alike(
        Role.OFFICE_OPERATOR,
        NotYourAccount(office_till(OTHER)),
        api=lambda: fronts.ops.post(
            Role.OFFICE_OPERATOR, f"/v1/offices/{OTHER}/closings", {"counted": "0"}
        ),
        cli=["offices", "close-till", OTHER, "--counted", "0", "--key", "k9"],
    )


def test_an_auditor_closes_no_till(fronts: Fronts) -> None:
    fronts.refused_alike(
        Role.AUDITOR,
        RoleForbidden(Role.AUDITOR),
        api=lambda: fronts.ops.post(
            Role.AUDITOR, f"/v1/offices/{OFFICE}/closings", {"counted": "0"}
        ),
        cli=["offices", "close-till", OFFICE, "--counted", "0", "--key", "k9"],
    )


def test_an_office_operator_banks_no_other_offices_cash(fronts: Fronts) -> None:
    fronts.refused_alike(
        Role.OFFICE_OPERATOR,
        NotYourAccount(office_till(OTHER)),
        api=lambda: fronts.ops.post(
            Role.OFFICE_OPERATOR, f"/v1/offices/{OTHER}/bank-deposits", {"amount": "1"}
        ),
        cli=["offices", "bank", OTHER, "--amount", "1", "--key", "k9"],
    )


def test_only_the_association_records_the_banks_receipt(fronts: Fronts) -> None:
    # Refused for who asks, before the deposit is even looked up.
    fronts.refused_alike(
        Role.OFFICE_OPERATOR,
        RoleForbidden(Role.OFFICE_OPERATOR),
        api=lambda: fronts.ops.post(
            Role.OFFICE_OPERATOR, "/v1/bank-deposits/1/received", {"bank_reference": "B-1"}
        ),
        cli=["offices", "received", "1", "--bank-ref", "B-1"],
    )


def test_only_the_association_opens_an_office(fronts: Fronts) -> None:
    # No route opens an office: the command alone.
    fronts.refused_alike(
        Role.OFFICE_OPERATOR,
        RoleForbidden(Role.OFFICE_OPERATOR),
        api=None,
        cli=["offices", "add", "halles"],
    )
    opened = fronts.mlc("offices", "add", "halles", actor="assoc")
    assert opened.exit_code == 0, opened.output
    assert fronts.ops.balance(office_till("halles")) == 0
