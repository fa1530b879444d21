"""A plain transfer moves units between holders only; every other account moves through
its own operation, whatever the caller's role. On both engines.

Each test reproduces a hole found from outside: units made with no euro behind them, cash
booked that never came into a till, a reconversion taken back after its batch, units
pushed into an office's note stock.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import Connection

from monnaie_locale.auth import Role, find_user, issue_token, link_account
from monnaie_locale.deployment import (
    ASSOCIATION_LOSSES,
    ISSUANCE,
    RESERVE_DIGITAL,
    office_notes,
    office_till,
)
from monnaie_locale.deployment import from_settings as deployment_from_settings
from monnaie_locale.operations.reconversion import load_reconversion
from monnaie_locale.reserve import position
from monnaie_locale.store import Database
from tests.api.operations_support import BAKERY_IBAN, OFFICE, Ops, make_ops, ops_settings
from tests.conftest import SteppingClock

OPERATOR = Role.ASSOCIATION_OPERATOR
TWENTIES = [{"denomination": "20", "count": 5}]  # 100.00


@pytest.fixture
def ops(database: Database, clock: SteppingClock) -> Iterator[Ops]:
    made = make_ops(database, clock)
    books = next(made)
    books.converted("alice", "50", key="fund-alice")
    books.converted("bakery", "200", key="fund-bakery")
    printed = books.post(
        OPERATOR, "/v1/notes/print", {"notes": [{"denomination": "20", "count": 10}]}
    )
    assert printed.status_code == 201, printed.text
    body = {"office": OFFICE, "notes": TWENTIES}
    assert books.post(OPERATOR, "/v1/notes/deliver", body, key="deliver").status_code == 201
    yield books
    made.close()


def coverage_figures(ops: Ops) -> tuple[int, int]:
    """The reserve and the circulation the reserve report divides."""
    deployment = deployment_from_settings(ops_settings())
    now = ops.database.read(lambda conn: position(conn, deployment))
    return now.reserve_total, now.circulation


def office_operator_holding_both_office_accounts(ops: Ops) -> dict[str, str]:
    """The office operator of the report: linked to the office's till and its note stock."""

    def link(conn: Connection) -> str:
        user = find_user(conn, "counter")
        assert user is not None
        link_account(conn, user.id, account_code=office_notes(OFFICE))
        return issue_token(conn, user.id, now=ops.clock(), ttl=timedelta(hours=1)).token

    return {"Authorization": f"Bearer {ops.database.write(link)}"}


def transfer(
    ops: Ops, headers: dict[str, str], payer: str, payee: str, amount: str
) -> httpx.Response:
    body = {"payer": payer, "payee": payee, "amount": amount}
    response: httpx.Response = ops.client.post(
        "/v1/transfers", json=body, headers=headers | {"Idempotency-Key": "x"}
    )
    return response


def test_an_office_operator_cannot_turn_the_note_stock_into_units(ops: Ops) -> None:
    counter = office_operator_holding_both_office_accounts(ops)
    figures = coverage_figures(ops)

    body = ops.unchanged(
        403,
        "not_transferable",
        lambda: transfer(ops, counter, office_notes(OFFICE), "alice", "50.00"),
    )

    assert office_notes(OFFICE) in str(body["detail"])
    assert coverage_figures(ops) == figures


def test_an_office_operator_cannot_book_cash_that_never_came_into_the_till(ops: Ops) -> None:
    counter = office_operator_holding_both_office_accounts(ops)
    figures = coverage_figures(ops)

    ops.unchanged(
        403,
        "not_transferable",
        lambda: transfer(ops, counter, office_till(OFFICE), ASSOCIATION_LOSSES, "100.00"),
    )

    assert coverage_figures(ops) == figures


def test_a_member_cannot_pay_into_an_office_note_stock(ops: Ops) -> None:
    ops.unchanged(
        403,
        "not_transferable",
        lambda: transfer(ops, ops.auth(Role.MEMBER), "alice", office_notes(OFFICE), "20.00"),
    )


@pytest.mark.parametrize("account", [ISSUANCE, RESERVE_DIGITAL, office_notes(OFFICE)])
def test_not_even_an_administrator_moves_an_operation_account_by_transfer(
    ops: Ops, account: str
) -> None:
    ops.unchanged(
        403,
        "not_transferable",
        lambda: transfer(ops, ops.auth(Role.ADMIN), account, "alice", "1.00"),
    )


@pytest.mark.parametrize("role", [Role.MERCHANT_OWNER, Role.MERCHANT_CASHIER])
def test_a_business_cannot_take_back_a_reconversion_its_batch_pays(ops: Ops, role: Role) -> None:
    body = {
        "account": "bakery",
        "amount": "20",
        "creditor_name": "Boulangerie du Port",
        "iban": BAKERY_IBAN,
    }
    item = ops.post(Role.MERCHANT_OWNER, "/v1/reconversions", body, key="r1").json()
    batch = ops.post(OPERATOR, "/v1/payout-batches", {"request_ids": [item["id"]]}, key="b1")
    assert batch.status_code == 201, batch.text
    hold_id = ops.database.read(lambda conn: load_reconversion(conn, item["id"]).hold_id)

    refusal = ops.refused(403, "not_transferable", role, f"/v1/holds/{hold_id}/void")

    assert "reconversion" in str(refusal["detail"])
    # The batch still goes through to the end, and pays what the books hold.
    batch_id = batch.json()["id"]
    exported = ops.client.post(
        f"/v1/payout-batches/{batch_id}/pain001",
        params={"execution_date": "2026-11-05"},
        headers=ops.auth(OPERATOR),
    )
    assert exported.status_code == 200, exported.text
    paid = ops.post(
        OPERATOR, f"/v1/payout-batches/{batch_id}/paid", {"bank_reference": "P-1"}, key="paid"
    )
    assert paid.status_code == 200, paid.text
    assert paid.json()["status"] == "paid"


def test_a_reconversion_hold_is_not_posted_as_a_plain_payment(ops: Ops) -> None:
    body = {
        "account": "bakery",
        "amount": "20",
        "creditor_name": "Boulangerie du Port",
        "iban": BAKERY_IBAN,
    }
    item = ops.post(Role.MERCHANT_OWNER, "/v1/reconversions", body, key="r1").json()
    hold_id = ops.database.read(lambda conn: load_reconversion(conn, item["id"]).hold_id)

    ops.refused(403, "not_transferable", Role.MERCHANT_OWNER, f"/v1/holds/{hold_id}/post")


def test_a_conversion_is_corrected_by_its_own_operation_not_by_a_plain_reversal(
    ops: Ops,
) -> None:
    conversion = ops.database.read(
        lambda conn: conn.exec_driver_sql(
            "SELECT min(id) FROM transactions WHERE kind = 'conversion'"
        ).scalar_one()
    )

    ops.refused(
        403,
        "not_transferable",
        Role.ADMIN,
        f"/v1/transactions/{conversion}/reversal",
        {"memo": "mistake"},
    )


def test_plain_transfers_between_holders_still_go_through(ops: Ops) -> None:
    figures = coverage_figures(ops)
    paid = transfer(ops, ops.auth(Role.MEMBER), "alice", "bakery", "12.50")
    assert paid.status_code == 201, paid.text
    assert coverage_figures(ops) == figures
