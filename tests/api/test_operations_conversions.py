"""Conversions through the API: transfer orders, card and cash, on both engines."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from monnaie_locale.auth import Role
from monnaie_locale.deployment import RESERVE_DIGITAL, office_till
from monnaie_locale.store import Database
from tests.api.operations_support import BONUS_BPS, OFFICE, Ops, make_ops
from tests.conftest import SteppingClock

OPERATOR = Role.ASSOCIATION_OPERATOR


@pytest.fixture
def ops(database: Database, clock: SteppingClock) -> Iterator[Ops]:
    yield from make_ops(database, clock)


def bonus(minor_units: int) -> int:
    return minor_units * BONUS_BPS // 10_000


def test_a_member_orders_a_conversion_and_the_credit_issues_units_with_the_bonus(
    ops: Ops,
) -> None:
    order = ops.post(Role.MEMBER, "/v1/conversions/orders", {"account": "alice", "amount": "50"})
    assert order.status_code == 201, order.text
    assert (order.json()["status"], order.json()["amount"]) == ("pending", "50.00")
    reference = order.json()["reference"]
    assert ops.balance("alice") == 0

    body = {"amount": "50.00", "bank_reference": "BANK-1"}
    credited = ops.post(OPERATOR, f"/v1/conversions/orders/{reference}/credit", body)

    assert credited.status_code == 200, credited.text
    assert credited.json()["status"] == "credited"
    assert ops.balance("alice") == 5000 + bonus(5000)
    # The bonus's euros come from the association's own funds into the reserve.
    assert ops.balance(RESERVE_DIGITAL) == -(5000 + bonus(5000))


def test_crediting_again_with_the_same_bank_reference_moves_nothing(ops: Ops) -> None:
    order = ops.post(Role.MEMBER, "/v1/conversions/orders", {"account": "alice", "amount": "20"})
    url = f"/v1/conversions/orders/{order.json()['reference']}/credit"
    body = {"amount": "20", "bank_reference": "BANK-2"}
    first = ops.post(OPERATOR, url, body)
    balance = ops.balance("alice")

    again = ops.post(OPERATOR, url, body)

    assert again.status_code == 200
    assert again.json() == first.json()
    assert ops.balance("alice") == balance


def test_a_credit_key_reused_for_another_bank_reference_is_refused(ops: Ops) -> None:
    order = ops.post(Role.MEMBER, "/v1/conversions/orders", {"account": "alice", "amount": "20"})
    url = f"/v1/conversions/orders/{order.json()['reference']}/credit"
    assert ops.post(OPERATOR, url, {"amount": "20", "bank_reference": "BANK-3"}).status_code == 200

    body = {"amount": "20", "bank_reference": "BANK-4"}
    ops.refused(409, "idempotency_conflict", OPERATOR, url, body, key="k1")


def test_a_credit_without_an_idempotency_key_is_refused(ops: Ops) -> None:
    order = ops.post(Role.MEMBER, "/v1/conversions/orders", {"account": "alice", "amount": "20"})
    url = f"/v1/conversions/orders/{order.json()['reference']}/credit"
    body = {"amount": "20", "bank_reference": "BANK-5"}

    problem = ops.unchanged(
        422,
        "validation_failed",
        lambda: ops.client.post(url, json=body, headers=ops.auth(OPERATOR)),
    )

    assert "Idempotency-Key" in str(problem["errors"])
    assert ops.balance("alice") == 0


def test_a_credit_of_another_amount_is_refused_and_changes_nothing(ops: Ops) -> None:
    order = ops.post(Role.MEMBER, "/v1/conversions/orders", {"account": "alice", "amount": "20"})
    url = f"/v1/conversions/orders/{order.json()['reference']}/credit"
    ops.refused(409, "amount_mismatch", OPERATOR, url, {"amount": "19.99", "bank_reference": "B"})


def test_a_cancelled_order_cannot_be_cancelled_or_credited_again(ops: Ops) -> None:
    order = ops.post(Role.MEMBER, "/v1/conversions/orders", {"account": "alice", "amount": "20"})
    reference = order.json()["reference"]

    cancelled = ops.post(OPERATOR, f"/v1/conversions/orders/{reference}/cancel")

    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    ops.refused(409, "wrong_state", OPERATOR, f"/v1/conversions/orders/{reference}/cancel")
    body = {"amount": "20", "bank_reference": "B"}
    ops.refused(409, "wrong_state", OPERATOR, f"/v1/conversions/orders/{reference}/credit", body)


@pytest.mark.parametrize(
    "amount", ["12.345", "-5", 5, "0", "", "1e3"], ids=["3dp", "neg", "num", "zero", "empty", "exp"]
)
def test_an_order_with_a_bad_amount_is_refused(ops: Ops, amount: object) -> None:
    body = {"account": "alice", "amount": amount}
    ops.refused(422, "validation_failed", Role.MEMBER, "/v1/conversions/orders", body)


def test_an_order_with_an_unknown_field_is_refused(ops: Ops) -> None:
    body = {"account": "alice", "amount": "5", "bonus": "100"}
    ops.refused(422, "validation_failed", Role.MEMBER, "/v1/conversions/orders", body)


def test_a_member_cannot_order_a_conversion_for_an_account_they_do_not_hold(ops: Ops) -> None:
    body = {"account": "bakery", "amount": "5"}
    ops.refused(403, "not_your_account", Role.MEMBER, "/v1/conversions/orders", body)


def test_crediting_an_unknown_order_is_not_found(ops: Ops) -> None:
    body = {"amount": "5", "bank_reference": "B"}
    ops.refused(404, "unknown_record", OPERATOR, "/v1/conversions/orders/MLC-ZZZZZZ/credit", body)


def test_an_idempotency_key_replays_the_first_order_and_refuses_another_body(ops: Ops) -> None:
    first = ops.post(Role.MEMBER, "/v1/conversions/orders", {"account": "alice", "amount": "5"})
    again = ops.post(Role.MEMBER, "/v1/conversions/orders", {"account": "alice", "amount": "5"})
    assert again.json()["id"] == first.json()["id"]

    body = {"account": "alice", "amount": "6"}
    ops.refused(409, "idempotency_conflict", Role.MEMBER, "/v1/conversions/orders", body, key="k1")


def test_cash_at_an_office_fills_its_till_and_issues_units(ops: Ops) -> None:
    body = {"office": OFFICE, "account": "bakery", "amount": "100"}

    response = ops.post(Role.OFFICE_OPERATOR, "/v1/conversions/cash", body)

    assert response.status_code == 201, response.text
    assert (response.json()["method"], response.json()["office"]) == ("cash", OFFICE)
    assert ops.balance("bakery") == 10_000 + bonus(10_000)
    assert ops.balance(office_till(OFFICE)) == -10_000


def test_an_office_operator_cannot_take_cash_for_another_office(ops: Ops) -> None:
    body = {"office": "port", "account": "bakery", "amount": "100"}
    ops.refused(403, "not_your_account", Role.OFFICE_OPERATOR, "/v1/conversions/cash", body)


def test_cash_for_an_office_the_deployment_does_not_have_is_refused(ops: Ops) -> None:
    body = {"office": "nowhere", "account": "bakery", "amount": "100"}
    ops.refused(404, "unknown_account", OPERATOR, "/v1/conversions/cash", body)


def test_a_card_payment_reference_is_used_once(ops: Ops) -> None:
    body = {"account": "alice", "amount": "30", "payment_reference": "CB-778"}
    first = ops.post(OPERATOR, "/v1/conversions/card", body, key="c1")
    assert first.status_code == 201, first.text
    assert ops.balance("alice") == 3000 + bonus(3000)

    ops.refused(409, "wrong_state", OPERATOR, "/v1/conversions/card", body, key="c2")


def test_a_holder_reads_their_conversion_and_nobody_else_does(ops: Ops) -> None:
    order = ops.post(Role.MEMBER, "/v1/conversions/orders", {"account": "alice", "amount": "5"})
    url = f"/v1/conversions/{order.json()['id']}"

    assert ops.get(Role.MEMBER, url).json() == order.json()
    assert ops.get(Role.AUDITOR, url).status_code == 200
    assert ops.get(Role.MERCHANT_OWNER, url).json()["code"] == "not_your_account"
