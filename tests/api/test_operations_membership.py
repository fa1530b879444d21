"""Membership fees through the API: paying, the status list, and refusals; on both engines."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from monnaie_locale.auth import Role
from monnaie_locale.deployment import ASSOCIATION_FEES, ASSOCIATION_OPERATING
from monnaie_locale.store import Database
from tests.api.operations_support import MEMBER_FEE, Ops, make_ops
from tests.conftest import SteppingClock

OPERATOR = Role.ASSOCIATION_OPERATOR
URL = "/v1/membership/fees"


@pytest.fixture
def ops(database: Database, clock: SteppingClock) -> Iterator[Ops]:
    made = make_ops(database, clock)
    books = next(made)
    books.converted("alice", "50", key="fund-alice")
    yield books
    made.close()


def statuses(ops: Ops) -> dict[str, bool]:
    response = ops.get(Role.AUDITOR, "/v1/membership/status", on="2026-11-02")
    assert response.status_code == 200, response.text
    return {row["account"]: row["paid"] for row in response.json()}


def test_a_member_pays_their_fee_in_units_and_is_up_to_date(ops: Ops) -> None:
    before = ops.balance("alice")
    assert statuses(ops) == {"alice": False}

    paid = ops.post(Role.MEMBER, URL, {"account": "alice", "period": "2026", "paid_in": "units"})

    assert paid.status_code == 201, paid.text
    assert ops.balance("alice") == before - MEMBER_FEE
    assert ops.balance(ASSOCIATION_FEES) == MEMBER_FEE
    assert statuses(ops) == {"alice": True}


def test_an_operator_records_a_fee_paid_in_euros(ops: Ops) -> None:
    funds = ops.balance(ASSOCIATION_OPERATING)

    paid = ops.post(OPERATOR, URL, {"account": "alice", "period": "2026", "paid_in": "euros"})

    assert paid.status_code == 201, paid.text
    assert ops.balance(ASSOCIATION_OPERATING) == funds - MEMBER_FEE
    assert statuses(ops) == {"alice": True}


def test_a_period_paid_once_cannot_be_paid_again(ops: Ops) -> None:
    body = {"account": "alice", "period": "2026", "paid_in": "units"}
    assert ops.post(Role.MEMBER, URL, body).status_code == 201
    ops.refused(409, "wrong_state", Role.MEMBER, URL, body, key="again")


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"account": "alice", "period": "2026-11", "paid_in": "units"}, 422, "invalid_request"),
        ({"account": "alice", "period": "26", "paid_in": "units"}, 422, "validation_failed"),
        ({"account": "alice", "period": "2026", "paid_in": "gold"}, 422, "validation_failed"),
        ({"account": "bakery", "period": "2026", "paid_in": "units"}, 409, "operation_not_allowed"),
        ({"account": "ghost", "period": "2026", "paid_in": "units"}, 404, "unknown_account"),
    ],
    ids=["month-for-a-year", "short-period", "currency", "no-fee-for-kind", "unknown"],
)
def test_a_bad_payment_is_refused_and_changes_nothing(
    ops: Ops, body: dict[str, str], status: int, code: str
) -> None:
    ops.refused(status, code, OPERATOR, URL, body)


def test_a_member_cannot_record_a_fee_paid_in_euros(ops: Ops) -> None:
    body = {"account": "alice", "period": "2026", "paid_in": "euros"}
    ops.refused(403, "role_forbidden", Role.MEMBER, URL, body)


def test_a_member_cannot_pay_from_an_account_they_do_not_hold(ops: Ops) -> None:
    body = {"account": "bakery", "period": "2026", "paid_in": "units"}
    ops.refused(403, "not_your_account", Role.MEMBER, URL, body)
