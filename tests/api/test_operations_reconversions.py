"""Reconversions through the API: request, payout batch, pain.001, paid; on both engines."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from monnaie_locale.auth import Role
from monnaie_locale.store import Database
from tests.api.operations_support import BAKERY_IBAN, RESERVE_IBAN, Ops, make_ops
from tests.conftest import SteppingClock

OPERATOR = Role.ASSOCIATION_OPERATOR
OWNER = Role.MERCHANT_OWNER


@pytest.fixture
def ops(database: Database, clock: SteppingClock) -> Iterator[Ops]:
    made = make_ops(database, clock)
    books = next(made)
    books.converted("bakery", "200", key="fund-bakery")
    books.converted("alice", "50", key="fund-alice")
    yield books
    made.close()


def request_body(amount: str = "100", **changes: str) -> dict[str, str]:
    body = {
        "account": "bakery",
        "amount": amount,
        "creditor_name": "Boulangerie du Port",
        "iban": BAKERY_IBAN,
    }
    body.update(changes)
    return body


def test_a_business_reconversion_is_batched_exported_and_paid(ops: Ops) -> None:
    before = ops.balance("bakery")
    requested = ops.post(OWNER, "/v1/reconversions", request_body("100"))
    assert requested.status_code == 201, requested.text
    item = requested.json()
    assert (item["status"], item["amount"]) == ("requested", "100.00")
    assert item["fee"] == "5.00" and item["payout"] == "95.00"  # the 5 % business fee

    batch = ops.post(OPERATOR, "/v1/payout-batches", {"request_ids": [item["id"]]}, key="b1")
    assert batch.status_code == 201, batch.text
    assert batch.json()["total_payout"] == "95.00"
    batch_id = batch.json()["id"]

    exported = ops.client.post(
        f"/v1/payout-batches/{batch_id}/pain001",
        params={"execution_date": "2026-11-05"},
        headers=ops.auth(OPERATOR),
    )
    assert exported.status_code == 200, exported.text
    assert exported.headers["content-type"].startswith("application/xml")
    assert BAKERY_IBAN.encode() in exported.content and RESERVE_IBAN.encode() in exported.content

    paid = ops.post(OPERATOR, f"/v1/payout-batches/{batch_id}/paid", {"bank_reference": "P-1"})
    assert paid.status_code == 200, paid.text
    assert paid.json()["status"] == "paid"
    assert ops.get(OWNER, f"/v1/reconversions/{item['id']}").json()["status"] == "paid"
    assert ops.balance("bakery") == before - 10_000


def test_a_request_holds_the_units_until_it_is_cancelled(ops: Ops) -> None:
    requested = ops.post(OWNER, "/v1/reconversions", request_body("100")).json()
    url = f"/v1/reconversions/{requested['id']}/cancel"

    cancelled = ops.post(OWNER, url)

    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"
    ops.refused(409, "wrong_state", OWNER, url)


@pytest.mark.parametrize(
    ("changes", "status", "code"),
    [
        ({"iban": "FR7630006000011234567890188"}, 422, "invalid_payout_account"),
        ({"iban": "not an iban!"}, 422, "validation_failed"),
        ({"creditor_name": ""}, 422, "validation_failed"),
        ({"amount": "10.001"}, 422, "validation_failed"),
        ({"amount": "100000"}, 409, "insufficient_funds"),
    ],
    ids=["checksum", "shape", "no-name", "3dp", "too-much"],
)
def test_a_bad_request_is_refused_and_changes_nothing(
    ops: Ops, changes: dict[str, str], status: int, code: str
) -> None:
    ops.refused(status, code, OWNER, "/v1/reconversions", request_body(**changes))


def test_a_member_may_not_reconvert_when_the_deployment_says_so(ops: Ops) -> None:
    body = request_body("10", account="alice")
    ops.refused(409, "operation_not_allowed", Role.MEMBER, "/v1/reconversions", body)


def test_nobody_reconverts_an_account_they_do_not_hold(ops: Ops) -> None:
    body = request_body("10")
    ops.refused(403, "not_your_account", Role.AUTHORITY_AGENT, "/v1/reconversions", body)


def test_an_unknown_request_cannot_be_batched(ops: Ops) -> None:
    ops.refused(404, "unknown_record", OPERATOR, "/v1/payout-batches", {"request_ids": [999]})


def test_an_empty_batch_is_refused(ops: Ops) -> None:
    ops.refused(422, "validation_failed", OPERATOR, "/v1/payout-batches", {"request_ids": []})


def test_a_request_not_yet_exported_cannot_be_marked_paid(ops: Ops) -> None:
    requested = ops.post(OWNER, "/v1/reconversions", request_body("100")).json()
    url = f"/v1/reconversions/{requested['id']}/paid"
    ops.refused(409, "wrong_state", OPERATOR, url, {"bank_reference": "P-2"})
