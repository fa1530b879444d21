"""Exchange offices through the API: till closings and bank deposits, on both engines."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from monnaie_locale.auth import Role
from monnaie_locale.deployment import ASSOCIATION_LOSSES, RESERVE_NOTES, TRANSIT, office_till
from monnaie_locale.store import Database
from tests.api.operations_support import OFFICE, Ops, make_ops
from tests.api.test_operations_bank import csv_file, upload
from tests.conftest import SteppingClock

COUNTER = Role.OFFICE_OPERATOR
CASH = 10_000


@pytest.fixture
def ops(database: Database, clock: SteppingClock) -> Iterator[Ops]:
    made = make_ops(database, clock)
    books = next(made)
    body = {"office": OFFICE, "account": "alice", "amount": "100"}
    assert books.post(COUNTER, "/v1/conversions/cash", body, key="cash").status_code == 201
    yield books
    made.close()


def test_a_till_counted_right_closes_without_a_difference(ops: Ops) -> None:
    closed = ops.post(COUNTER, f"/v1/offices/{OFFICE}/closings", {"counted": "100.00"})

    assert closed.status_code == 201, closed.text
    assert (closed.json()["expected"], closed.json()["difference"]) == ("100.00", "0.00")
    assert ops.balance(office_till(OFFICE)) == -CASH


def test_a_short_till_books_the_difference_as_a_loss(ops: Ops) -> None:
    closed = ops.post(COUNTER, f"/v1/offices/{OFFICE}/closings", {"counted": "97.50"})

    assert closed.status_code == 201, closed.text
    assert closed.json()["difference"] == "-2.50"
    assert ops.balance(office_till(OFFICE)) == -(CASH - 250)
    assert ops.balance(ASSOCIATION_LOSSES) == -250


def test_an_empty_till_may_be_counted_at_zero(ops: Ops) -> None:
    closed = ops.post(Role.ASSOCIATION_OPERATOR, "/v1/offices/port/closings", {"counted": "0"})

    assert closed.status_code == 201, closed.text
    assert closed.json()["difference"] == "0.00"


@pytest.mark.parametrize("counted", ["-1", "1.234", 100, "abc"])
def test_a_bad_count_is_refused(ops: Ops, counted: object) -> None:
    url = f"/v1/offices/{OFFICE}/closings"
    ops.refused(422, "validation_failed", COUNTER, url, {"counted": counted})


def test_cash_taken_to_the_bank_is_in_transit_until_received(ops: Ops) -> None:
    deposit = ops.post(COUNTER, f"/v1/offices/{OFFICE}/bank-deposits", {"amount": "60"})
    assert deposit.status_code == 201, deposit.text
    assert deposit.json()["status"] == "in_transit"
    assert ops.balance(TRANSIT) == -6000
    reserve = ops.balance(RESERVE_NOTES)

    url = f"/v1/bank-deposits/{deposit.json()['id']}/received"
    received = ops.post(Role.ASSOCIATION_OPERATOR, url, {"bank_reference": "DEP-1"})

    assert received.status_code == 200, received.text
    assert received.json()["status"] == "received"
    assert ops.balance(TRANSIT) == 0
    assert ops.balance(RESERVE_NOTES) == reserve - 6000


def test_a_deposit_gives_the_reference_by_which_the_statement_receives_it(ops: Ops) -> None:
    deposit = ops.post(COUNTER, f"/v1/offices/{OFFICE}/bank-deposits", {"amount": "60"})
    assert deposit.status_code == 201, deposit.text

    line = f"28/11/2026;28/11/2026;VERSEMENT ESPECES {deposit.json()['reference']};V1;;60,00"
    imported = upload(ops, csv_file(line))

    assert imported.status_code == 200, imported.text
    assert [m["matched_kind"] for m in imported.json()[0]["matched"]] == ["till_deposit"]
    assert ops.balance(TRANSIT) == 0


def test_more_cash_than_the_till_holds_cannot_be_banked(ops: Ops) -> None:
    url = f"/v1/offices/{OFFICE}/bank-deposits"
    ops.refused(409, "limit_exceeded", COUNTER, url, {"amount": "100.01"})


def test_an_office_operator_closes_only_their_own_office(ops: Ops) -> None:
    ops.refused(403, "not_your_account", COUNTER, "/v1/offices/port/closings", {"counted": "0"})


def test_an_office_holding_cash_is_not_closed_and_once_banked_it_is(ops: Ops) -> None:
    operator = Role.ASSOCIATION_OPERATOR
    problem = ops.refused(409, "office_not_empty", operator, f"/v1/offices/{OFFICE}/close")
    assert "100.00" in str(problem["detail"])

    # The till's 100 euros go to the bank: EUR Dr transit 100 / Cr office till 100.
    banked = ops.post(COUNTER, f"/v1/offices/{OFFICE}/bank-deposits", {"amount": "100"})
    assert banked.status_code == 201, banked.text
    closed = ops.post(operator, f"/v1/offices/{OFFICE}/close")

    assert closed.status_code == 200, closed.text
    assert closed.json()["accounts"] == [office_till(OFFICE), f"notes:office:{OFFICE}"]
    body = {"office": OFFICE, "account": "alice", "amount": "10"}
    refused = ops.post(COUNTER, "/v1/conversions/cash", body, key="after")
    assert refused.status_code == 409, refused.text
    assert refused.json()["code"] == "account_not_active"
