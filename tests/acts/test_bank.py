"""The acts of the bank accounts and their reconciliation: who enters an account, who
reads the reconciliation, who matches a line by hand; each checked on the API and in
``mlc bank`` alike, with the worked scenario of a treasurer reconciling two accounts."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from monnaie_locale.acts import bank, conversions, notes, offices, reserve
from monnaie_locale.auth import Role
from monnaie_locale.auth.errors import RoleForbidden
from monnaie_locale.operations.bank_errors import InvalidBankDetails
from tests.api.operations_support import OFFICE, STAFF
from tests.bank_files import DIGITAL_IBAN, NOTES_IBAN, Entry, camt053, csv_export

if TYPE_CHECKING:
    # Imported by pytest as a plugin (below): imported here too, it would not be rewritten.
    from tests.acts.edges import Fronts

pytest_plugins = ["tests.acts.edges"]

OPERATOR, AUDITOR = Role.ASSOCIATION_OPERATOR, Role.AUDITOR
NOV2, NOV3 = date(2026, 11, 2), date(2026, 11, 3)
MISTYPED = DIGITAL_IBAN[:-1] + "8"


def user(role: Role) -> str:
    """The name of the staff user who has ``role``."""
    return STAFF[role][0]


def test_an_invalid_iban_is_refused_on_every_front_and_nothing_is_written(
    fronts: Fronts,
) -> None:
    error = fronts.refused(
        OPERATOR,
        lambda ctx: bank.add_bank_account(ctx, "fonds", role="reserve_digital", iban=MISTYPED),
        status=422,
        api=lambda: fronts.ops.post(
            OPERATOR,
            "/v1/bank/accounts",
            {"name": "fonds", "role": "reserve_digital", "iban": MISTYPED},
        ),
        cli=["bank", "accounts", "add", "fonds", "--role", "reserve_digital", "--iban", MISTYPED],
    )

    assert isinstance(error, InvalidBankDetails)
    assert (error.field, error.value) == ("IBAN", MISTYPED)


def test_a_role_no_ledger_account_stands_for_is_refused(fronts: Fronts) -> None:
    error = fronts.refused(
        OPERATOR,
        lambda ctx: bank.add_bank_account(ctx, "caisse", role="cash", iban=NOTES_IBAN),
        status=422,
        api=lambda: fronts.ops.post(
            OPERATOR, "/v1/bank/accounts", {"name": "caisse", "role": "cash", "iban": NOTES_IBAN}
        ),
        cli=["bank", "accounts", "add", "caisse", "--role", "cash", "--iban", NOTES_IBAN],
    )

    assert isinstance(error, InvalidBankDetails) and error.field == "role"


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.OFFICE_OPERATOR, Role.MEMBER])
def test_only_the_association_enters_a_bank_account(fronts: Fronts, role: Role) -> None:
    fronts.refused_alike(
        role,
        RoleForbidden(role),
        api=lambda: fronts.ops.post(
            role,
            "/v1/bank/accounts",
            {"name": "fonds", "role": "reserve_notes", "iban": NOTES_IBAN},
        ),
        cli=["bank", "accounts", "add", "fonds", "--role", "reserve_notes", "--iban", NOTES_IBAN],
    )


def test_a_member_reads_no_reconciliation(fronts: Fronts) -> None:
    fronts.refused_alike(
        Role.MEMBER,
        RoleForbidden(Role.MEMBER),
        api=lambda: fronts.ops.get(Role.MEMBER, "/v1/bank/accounts/reserve/reconciliation"),
        cli=["bank", "report", "reserve"],
    )


def test_an_auditor_reads_the_accounts_and_matches_no_line(fronts: Fronts) -> None:
    bank.add_bank_account(
        fronts.context(OPERATOR), "fonds-billets", role="reserve_notes", iban=NOTES_IBAN
    )

    (seen,) = bank.list_bank_accounts(fronts.context(AUDITOR))
    assert (seen.name, seen.ledger_account, seen.updated_by) == (
        "fonds-billets",
        "reserve:notes",
        user(OPERATOR),
    )
    fronts.refused_alike(
        AUDITOR,
        RoleForbidden(AUDITOR),
        api=lambda: fronts.ops.post(AUDITOR, "/v1/bank/lines/1/match", {"transaction_id": 1}),
        cli=["bank", "match", "1", "1"],
    )


def _cash_in_transit(fronts: Fronts, amount: int) -> str:
    """Cash taken from office ``gare``'s till to the bank; the deposit's reference."""
    operator = fronts.context(OPERATOR)
    notes.print_notes(operator, {2000: 5}, key="print")
    notes.deliver_notes(operator, OFFICE, {2000: 5}, key="deliver")
    conversions.convert_cash(operator, OFFICE, "town", 5000, key="cash")
    counter = fronts.context(Role.OFFICE_OPERATOR)
    return offices.bank_till(counter, OFFICE, amount, key="bank").reference


def test_a_treasurer_reconciles_two_accounts_from_the_cli_and_the_api(
    fronts: Fronts, tmp_path: Path
) -> None:
    added = fronts.mlc(
        "bank", "accounts", "add", "fonds-numerique", "--role", "reserve_digital",
        "--iban", DIGITAL_IBAN, "--bic", "CCOPFRPP", actor=user(OPERATOR),
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    response = fronts.ops.post(
        OPERATOR,
        "/v1/bank/accounts",
        {"name": "fonds-billets", "role": "reserve_notes", "iban": NOTES_IBAN},
    )
    assert response.status_code == 201, response.text
    listed = fronts.mlc("bank", "accounts", "list", "--json", actor=user(AUDITOR))
    assert [(a["name"], a["ledger_account"]) for a in json.loads(listed.stdout)] == [
        ("fonds-billets", "reserve:notes"),
        ("fonds-numerique", "reserve:digital"),
    ]
    reference = _cash_in_transit(fronts, 3000)
    statement = tmp_path / "billets.xml"
    statement.write_bytes(
        camt053(
            iban=NOTES_IBAN,
            statement_id="B-11",
            opening=0,
            opened=NOV2,
            closed=NOV3,
            entries=(Entry(3000, f"VERSEMENT {reference}", "B1", NOV3),),
        )
    )
    imported = fronts.mlc(
        "reserve", "import-statement", str(statement), "--json",
        actor=user(OPERATOR),
    )  # fmt: skip
    assert imported.exit_code == 0, imported.output
    # Later on the reserve: a card conversion, after the notes statement closed.
    conversions.convert_by_card(
        fronts.context(OPERATOR), "alice", 4000, payment_reference="card-late", key="late"
    )
    digital = csv_export(Entry(4500, "DON ANONYME", "D1", NOV2))
    uploaded = fronts.ops.client.post(
        "/v1/bank/statements",
        files={"file": ("numerique.csv", digital, "text/csv")},
        data={"format": "csv", "account": "fonds-numerique"},
        headers=fronts.ops.auth(OPERATOR, "csv-1"),
    )

    shown = fronts.mlc("bank", "report", "fonds-billets", "--json", actor=user(AUDITOR))
    found = json.loads(shown.stdout)
    assert shown.exit_code == 0, shown.output
    assert (found["ledger_account"], found["statement_balance"], found["difference"]) == (
        "reserve:notes",
        3000,
        0,
    )
    assert uploaded.status_code == 200, uploaded.text
    [result] = uploaded.json()
    assert (result["bank_account"], result["ledger_account"]) == (
        "fonds-numerique",
        "reserve:digital",
    )
    [line] = result["unmatched"]
    assert line["remittance"] == "DON ANONYME"
    report = fronts.ops.get(AUDITOR, "/v1/reserve/report").json()
    assert not [text for text in report["discrepancies"] if "bank statement" in text]
    # The gift is matched by hand to the late card conversion's transaction, then undone.
    reconciled = fronts.ops.get(AUDITOR, "/v1/bank/accounts/fonds-numerique/reconciliation")
    assert reconciled.status_code == 200, reconciled.text
    [card] = [i for i in reconciled.json()["unmatched_books"] if i["amount"] == "40.00"]
    matched = fronts.mlc(
        "bank", "match", str(line["id"]), str(card["transaction_id"]), "--json",
        actor=user(OPERATOR),
    )  # fmt: skip
    assert matched.exit_code == 0, matched.output
    assert json.loads(matched.stdout)["matched_kind"] == "transaction"
    undone = fronts.ops.post(OPERATOR, f"/v1/bank/lines/{line['id']}/unmatch")
    assert undone.status_code == 200, undone.text
    assert [c["action"] for c in undone.json()["changes"]] == ["match", "unmatch"]
    again = reserve.import_statement_file(
        fronts.context(OPERATOR), statement.read_bytes(), file_format="camt053", key="again"
    )
    assert again[0].already_imported
