"""Refunds over HTTP: the owner up to what was paid, a cashier within its daily limit."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import delete

from monnaie_locale.auth import Role
from monnaie_locale.config import Settings
from monnaie_locale.store.tables_auth import user_accounts
from tests.api.conftest import ALICE_FUNDS, World
from tests.api.helpers import refused
from tests.e2e.support import issue

CASHIER_LIMIT = 5_00


@pytest.fixture
def settings() -> Settings:
    return Settings(
        max_body_bytes=4096, login_attempts_per_minute=1000, cashier_refund_limit=CASHIER_LIMIT
    )


def _paid(world: World, amount: str = "20.00") -> dict[str, Any]:
    sale = issue(world.client, world.auth(Role.MERCHANT_CASHIER), amount=amount)
    response = world.client.post(
        "/v1/checkout/pay",
        json={"request": sale["url"]},
        headers={**world.auth(Role.MEMBER), "Idempotency-Key": "pay"},
    )
    assert response.status_code == 201, response.text
    world.ledger.seal_journal()
    body: dict[str, Any] = response.json()
    return body


def _refund(world: World, payment_id: int, amount: str, *, role: Role, key: str = "r1") -> Any:
    return world.client.post(
        f"/v1/checkout/payments/{payment_id}/refunds",
        json={"amount": amount},
        headers={**world.auth(role), "Idempotency-Key": key},
    )


def test_the_owner_refunds_part_of_a_payment_to_the_payer(world: World) -> None:
    payment = _paid(world, "20.00")

    response = _refund(world, payment["payment_id"], "7.50", role=Role.MERCHANT_OWNER)

    assert response.status_code == 201, response.text
    assert response.json()["amount"] == "7.50"
    assert world.ledger.account("alice").balance == ALICE_FUNDS - 20_00 + 7_50
    assert world.ledger.account("bakery").balance == 20_00 - 7_50
    read = world.client.get(
        f"/v1/checkout/payments/{payment['payment_id']}", headers=world.auth(Role.MERCHANT_OWNER)
    )
    assert read.json()["refunded"] == "7.50"


def test_a_refund_retried_with_its_key_is_booked_once(world: World) -> None:
    payment = _paid(world)
    first = _refund(world, payment["payment_id"], "2.00", role=Role.MERCHANT_OWNER).json()

    again = _refund(world, payment["payment_id"], "2.00", role=Role.MERCHANT_OWNER)

    assert again.json()["refund_id"] == first["refund_id"] and again.json()["replayed"]
    assert world.ledger.account("bakery").balance == 20_00 - 2_00


def test_refunds_never_exceed_what_was_paid(world: World) -> None:
    payment = _paid(world, "20.00")
    _refund(world, payment["payment_id"], "15.00", role=Role.MERCHANT_OWNER, key="a")
    world.ledger.seal_journal()

    refused(
        world.database,
        409,
        "refund_exceeds_payment",
        lambda: _refund(world, payment["payment_id"], "5.01", role=Role.MERCHANT_OWNER, key="b"),
    )


def test_a_cashier_refunds_within_the_limit_and_not_above(world: World) -> None:
    payment = _paid(world, "20.00")

    within = _refund(world, payment["payment_id"], "5.00", role=Role.MERCHANT_CASHIER, key="a")
    world.ledger.seal_journal()

    assert within.status_code == 201, within.text
    refused(
        world.database,
        409,
        "refund_limit_exceeded",
        lambda: _refund(world, payment["payment_id"], "5.01", role=Role.MERCHANT_CASHIER, key="b"),
    )


def test_a_cashier_s_refunds_of_the_day_count_together_against_the_limit(world: World) -> None:
    payment = _paid(world, "20.00")
    first = _refund(world, payment["payment_id"], "3.00", role=Role.MERCHANT_CASHIER, key="a")
    world.ledger.seal_journal()

    assert first.status_code == 201, first.text
    refused(
        world.database,
        409,
        "refund_limit_exceeded",
        lambda: _refund(world, payment["payment_id"], "3.00", role=Role.MERCHANT_CASHIER, key="b"),
    )
    owner = _refund(world, payment["payment_id"], "3.00", role=Role.MERCHANT_OWNER, key="c")
    assert owner.status_code == 201, owner.text


def test_a_payment_of_another_shop_is_unknown_to_the_caller(world: World) -> None:
    payment = _paid(world)
    world.database.write(lambda conn: _unlink_bakery_from_owner(conn, world))

    refused(
        world.database,
        404,
        "unknown_payment",
        lambda: _refund(world, payment["payment_id"], "1.00", role=Role.MERCHANT_OWNER),
    )


def _unlink_bakery_from_owner(conn: Any, world: World) -> None:
    conn.execute(delete(user_accounts).where(user_accounts.c.user_id == world.user_ids["baker"]))


def test_an_amount_as_a_json_number_is_refused(world: World) -> None:
    payment = _paid(world)

    refused(
        world.database,
        422,
        "validation_failed",
        lambda: world.client.post(
            f"/v1/checkout/payments/{payment['payment_id']}/refunds",
            json={"amount": 1.5},
            headers={**world.auth(Role.MERCHANT_OWNER), "Idempotency-Key": "n"},
        ),
    )
