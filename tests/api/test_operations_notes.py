"""Paper notes through the API, from printing to destruction, on both engines."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from monnaie_locale.auth import Role
from monnaie_locale.deployment import (
    NOTES_CIRCULATION,
    NOTES_VAULT,
    RESERVE_NOTES,
    office_notes,
    office_till,
)
from monnaie_locale.store import Database
from tests.api.operations_support import OFFICE, Ops, make_ops
from tests.conftest import SteppingClock

OPERATOR = Role.ASSOCIATION_OPERATOR
COUNTER = Role.OFFICE_OPERATOR
TWENTIES = [{"denomination": "20", "count": 5}]  # 100.00


@pytest.fixture
def ops(database: Database, clock: SteppingClock) -> Iterator[Ops]:
    yield from make_ops(database, clock)


def stocked(ops: Ops) -> None:
    """Print ten 20 notes and deliver five to the office."""
    printed = ops.post(
        OPERATOR, "/v1/notes/print", {"notes": [{"denomination": "20", "count": 10}]}
    )
    assert printed.status_code == 201, printed.text
    delivered = ops.post(
        OPERATOR, "/v1/notes/deliver", {"office": OFFICE, "notes": TWENTIES}, key="deliver"
    )
    assert delivered.status_code == 201, delivered.text


def test_printed_notes_go_to_the_vault_and_delivered_ones_to_the_office(ops: Ops) -> None:
    stocked(ops)

    assert ops.balance(NOTES_VAULT) == 10_000
    assert ops.balance(office_notes(OFFICE)) == 10_000
    assert ops.balance(NOTES_CIRCULATION) == 0


def test_notes_sold_at_the_office_enter_circulation_against_cash(ops: Ops) -> None:
    stocked(ops)
    body = {"office": OFFICE, "notes": [{"denomination": "20", "count": 2}]}

    sold = ops.post(COUNTER, "/v1/notes/sell", body, key="sell")

    assert sold.status_code == 201, sold.text
    assert sold.json()["amount"] == "40.00"
    assert sold.json()["notes"] == {"20.00": 2}
    assert ops.balance(NOTES_CIRCULATION) == 4000
    assert ops.balance(office_notes(OFFICE)) == 6000
    assert ops.balance(office_till(OFFICE)) == -4000


def test_notes_deposited_at_the_office_credit_the_holder(ops: Ops) -> None:
    stocked(ops)
    ops.post(COUNTER, "/v1/notes/sell", {"office": OFFICE, "notes": TWENTIES}, key="sell")
    # The cash the notes were sold for reaches the notes' reserve, which pays them back.
    deposit = ops.post(COUNTER, f"/v1/offices/{OFFICE}/bank-deposits", {"amount": "100"})
    url = f"/v1/bank-deposits/{deposit.json()['id']}/received"
    assert ops.post(OPERATOR, url, {"bank_reference": "D1"}, key="received").status_code == 200
    body = {"office": OFFICE, "account": "alice", "notes": [{"denomination": "20", "count": 1}]}

    deposited = ops.post(COUNTER, "/v1/notes/deposit", body, key="deposit")

    assert deposited.status_code == 201, deposited.text
    assert ops.balance("alice") == 2000
    assert ops.balance(NOTES_CIRCULATION) == 8000


def test_notes_returned_to_the_vault_and_destroyed_leave_the_books(ops: Ops) -> None:
    stocked(ops)
    returned = ops.post(
        OPERATOR, "/v1/notes/return", {"office": OFFICE, "notes": TWENTIES}, key="r"
    )
    assert returned.status_code == 201, returned.text

    body = {"location": "vault", "notes": [{"denomination": "20", "count": 10}]}
    destroyed = ops.post(OPERATOR, "/v1/notes/destroy", body, key="d")

    assert destroyed.status_code == 201, destroyed.text
    assert ops.balance(NOTES_VAULT) == 0
    assert ops.balance(office_notes(OFFICE)) == 0


def test_lost_notes_are_backed_by_the_association_until_found(ops: Ops) -> None:
    stocked(ops)
    reserve = ops.balance(RESERVE_NOTES)
    vault = ops.balance(NOTES_VAULT)
    body = {"location": "vault", "notes": [{"denomination": "20", "count": 1}]}

    lost = ops.post(OPERATOR, "/v1/notes/lose", body, key="lose")
    assert lost.status_code == 201, lost.text
    assert ops.balance(NOTES_VAULT) == vault - 2000
    found = ops.post(OPERATOR, "/v1/notes/find", body, key="find")

    assert found.status_code == 201, found.text
    assert ops.balance(RESERVE_NOTES) == reserve
    assert ops.balance(NOTES_VAULT) == vault


@pytest.mark.parametrize(
    ("notes", "status", "code"),
    [
        ([{"denomination": "3", "count": 1}], 422, "invalid_notes"),
        ([{"denomination": "20", "count": 0}], 422, "validation_failed"),
        ([{"denomination": 20, "count": 1}], 422, "validation_failed"),
        ([], 422, "validation_failed"),
        ([{"denomination": "20", "count": 6}], 409, "notes_unavailable"),
    ],
    ids=["no-such-note", "none", "number", "empty", "more-than-stock"],
)
def test_a_bad_bundle_is_refused_and_changes_nothing(
    ops: Ops, notes: list[dict[str, object]], status: int, code: str
) -> None:
    stocked(ops)
    ops.refused(status, code, COUNTER, "/v1/notes/sell", {"office": OFFICE, "notes": notes})


def test_an_office_operator_sells_only_at_their_own_office(ops: Ops) -> None:
    stocked(ops)
    body = {"office": "port", "notes": TWENTIES}
    ops.refused(403, "not_your_account", COUNTER, "/v1/notes/sell", body)


def test_a_location_that_is_neither_the_vault_nor_an_office_is_refused(ops: Ops) -> None:
    stocked(ops)
    body = {"location": "office:gare", "notes": TWENTIES}
    ops.refused(422, "validation_failed", OPERATOR, "/v1/notes/destroy", body)
