"""The association's bank accounts and their lines through the API; on both engines."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from monnaie_locale.auth import Role
from monnaie_locale.store import Database
from tests.api.helpers import assert_problem
from tests.api.operations_support import Ops, make_ops
from tests.bank_files import NOTES_IBAN, OPERATING_IBAN
from tests.conftest import SteppingClock
from tests.support import snapshot

OPERATOR, AUDITOR = Role.ASSOCIATION_OPERATOR, Role.AUDITOR


@pytest.fixture
def ops(database: Database, clock: SteppingClock) -> Iterator[Ops]:
    yield from make_ops(database, clock)


def patch(ops: Ops, name: str, body: dict[str, str]) -> httpx.Response:
    response: httpx.Response = ops.client.patch(
        f"/v1/bank/accounts/{name}", json=body, headers=ops.auth(OPERATOR)
    )
    return response


def test_an_account_is_entered_changed_and_listed(ops: Ops) -> None:
    entered = ops.post(
        OPERATOR,
        "/v1/bank/accounts",
        {
            "name": "fonds-billets",
            "role": "reserve_notes",
            "iban": "fr76 4255 9100 0008 0024 4561 756",
        },
    )
    changed = patch(ops, "fonds-billets", {"bic": "ccopfrpp", "name": "billets"})
    listed = ops.get(AUDITOR, "/v1/bank/accounts")

    assert entered.status_code == 201, entered.text
    assert entered.json()["iban"] == NOTES_IBAN  # kept compact
    assert changed.status_code == 200, changed.text
    assert listed.json() == [changed.json()]
    assert (changed.json()["name"], changed.json()["bic"], changed.json()["ledger_account"]) == (
        "billets",
        "CCOPFRPP",
        "reserve:notes",
    )


def test_a_change_to_an_invalid_iban_is_refused_and_changes_nothing(ops: Ops) -> None:
    ops.post(
        OPERATOR,
        "/v1/bank/accounts",
        {"name": "courant", "role": "operating", "iban": OPERATING_IBAN},
    )
    before = snapshot(ops.database), ops.get(AUDITOR, "/v1/bank/accounts").json()

    refused = patch(ops, "courant", {"iban": OPERATING_IBAN.replace("M0", "N0")})

    body = assert_problem(refused, 422, "invalid_bank_details")
    assert "IBAN" in str(body["detail"])
    assert (snapshot(ops.database), ops.get(AUDITOR, "/v1/bank/accounts").json()) == before


def test_unknown_accounts_lines_and_statements_are_404(ops: Ops) -> None:
    assert_problem(patch(ops, "nowhere", {"bic": "CCOPFRPP"}), 404, "unknown_bank_account")
    assert_problem(ops.get(AUDITOR, "/v1/bank/lines/999"), 404, "unknown_record")
    assert_problem(
        ops.get(AUDITOR, "/v1/bank/accounts/reserve/reconciliation", statement="S-1"),
        404,
        "unknown_record",
    )
    assert_problem(ops.post(OPERATOR, "/v1/bank/lines/999/unmatch"), 404, "unknown_record")
