"""Paying a scanned request over HTTP: money moves once, and every attack is refused with
a clear problem while nothing at all is written."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest

from monnaie_locale.auth import Role
from monnaie_locale.model import AccountStatus
from monnaie_locale.payments import (
    PaymentRequest,
    RequestKind,
    SigningKey,
    encode_request,
    new_request_id,
    verify_receipt,
)
from tests.api.checkout_support import name_account
from tests.api.conftest import ALICE_FUNDS, World
from tests.api.helpers import refused
from tests.checkout import tampering
from tests.e2e.support import checkout_rows, issue, runtime_of


def _pay(
    world: World, request: str, *, key: str = "pay-1", headers: Any = None, **extra: Any
) -> httpx.Response:
    response: httpx.Response = world.client.post(
        "/v1/checkout/pay",
        json={"request": request, **extra},
        headers={**(headers or world.auth(Role.MEMBER)), "Idempotency-Key": key},
    )
    return response


def _sale(world: World, amount: str = "12.50") -> dict[str, Any]:
    return issue(world.client, world.auth(Role.MERCHANT_CASHIER), amount=amount, key=amount)


def _refused_and_unwritten(
    world: World, status: int, code: str, call: Callable[[], httpx.Response]
) -> dict[str, object]:
    # Sealed now, so that the server's background sealer has nothing left to change.
    world.ledger.seal_journal()
    before = checkout_rows(world.database)
    body = refused(world.database, status, code, call)
    assert checkout_rows(world.database) == before, "a refused payment left a record"
    return body


def test_a_member_pays_the_scanned_url_and_gets_a_receipt_signed_by_the_published_key(
    world: World,
) -> None:
    sale = _sale(world, "12.50")

    response = _pay(world, sale["url"])

    assert response.status_code == 201, response.text
    payment = response.json()
    assert (payment["payer_account"], payment["merchant_account"], payment["amount"]) == (
        "alice",
        "bakery",
        "12.50",
    )
    assert payment["merchant_name"] == "bakery"  # no display name: the code
    assert world.ledger.account("alice").balance == ALICE_FUNDS - 12_50
    assert world.ledger.account("bakery").balance == 12_50
    keys = world.client.get("/v1/checkout/keys").json()["keys"]
    receipt = verify_receipt(payment["receipt"], keys=keys)
    assert (receipt.amount_cents, receipt.request_id) == (12_50, sale["request_id"])


def test_the_payment_names_the_merchant_as_the_account_table_does(world: World) -> None:
    name_account(world, "bakery", "Boulangerie Etchegaray")

    payment = _pay(world, _sale(world)["url"]).json()

    assert (payment["merchant_account"], payment["merchant_name"]) == (
        "bakery",
        "Boulangerie Etchegaray",
    )


def test_a_retry_with_the_same_key_returns_the_first_payment_and_moves_nothing(
    world: World,
) -> None:
    sale = _sale(world)
    first = _pay(world, sale["token"], key="same").json()

    again = _pay(world, sale["token"], key="same")

    assert again.status_code == 201
    assert again.json()["payment_id"] == first["payment_id"] and again.json()["replayed"]
    assert world.ledger.account("alice").balance == ALICE_FUNDS - 12_50


def test_a_paid_request_replayed_under_a_new_key_is_refused(world: World) -> None:
    sale = _sale(world)
    _pay(world, sale["token"], key="first")

    _refused_and_unwritten(
        world, 409, "payment_request_already_paid", lambda: _pay(world, sale["token"], key="2nd")
    )


def test_a_counter_code_is_paid_the_amount_the_payer_types(world: World) -> None:
    code = world.client.post(
        "/v1/checkout/static-codes",
        json={"account": "bakery"},
        headers={**world.auth(Role.MERCHANT_OWNER), "Idempotency-Key": "counter"},
    ).json()

    paid = _pay(world, code["url"], amount="3,20")

    assert paid.json()["amount"] == "3.20"
    assert world.ledger.account("bakery").balance == 3_20


@pytest.mark.parametrize(
    ("amount", "status", "code"),
    [
        (None, 422, "amount_required"),
        ("0", 422, "validation_failed"),
        (3, 422, "validation_failed"),
    ],
)
def test_a_counter_code_without_a_positive_amount_is_refused(
    world: World, amount: object, status: int, code: str
) -> None:
    counter = world.client.post(
        "/v1/checkout/static-codes",
        json={"account": "bakery"},
        headers={**world.auth(Role.MERCHANT_OWNER), "Idempotency-Key": "counter"},
    ).json()
    extra: dict[str, Any] = {} if amount is None else {"amount": amount}

    _refused_and_unwritten(world, status, code, lambda: _pay(world, counter["token"], **extra))


def test_a_tampered_amount_is_refused_as_forged(world: World) -> None:
    cheaper = tampering.replace_amount(_sale(world, "50.00")["token"], 1)

    _refused_and_unwritten(world, 422, "forged_payment_request", lambda: _pay(world, cheaper))


def test_a_tampered_payee_is_refused_as_forged(world: World) -> None:
    town = world.ledger.account("town").id
    rerouted = tampering.replace_merchant(_sale(world)["token"], town)

    _refused_and_unwritten(world, 422, "forged_payment_request", lambda: _pay(world, rerouted))


def test_a_forged_signature_is_refused(world: World) -> None:
    body = tampering.payload(_sale(world)["token"])
    forged = tampering.base32(body + SigningKey.generate().sign(body))

    _refused_and_unwritten(world, 422, "forged_payment_request", lambda: _pay(world, forged))


def _signed(world: World, *, key: SigningKey, deployment_id: int) -> str:
    request = PaymentRequest(
        kind=RequestKind.DYNAMIC,
        deployment_id=deployment_id,
        merchant_account_id=world.ledger.account("bakery").id,
        request_id=new_request_id(),
        amount_cents=5_00,
        issued_at=int(world.clock().timestamp()),
        ttl_seconds=600,
    )
    return encode_request(request, key=key)


def test_a_request_signed_by_an_unknown_key_is_refused(world: World) -> None:
    runtime = runtime_of(world.client.app)
    token = _signed(world, key=SigningKey.generate(), deployment_id=runtime.deployment_id)

    _refused_and_unwritten(world, 422, "unknown_signing_key", lambda: _pay(world, token))


def test_a_qr_from_another_deployment_is_refused(world: World) -> None:
    runtime = runtime_of(world.client.app)
    token = _signed(world, key=runtime.keyring.active, deployment_id=runtime.deployment_id + 1)

    _refused_and_unwritten(world, 422, "foreign_payment_request", lambda: _pay(world, token))


def test_an_expired_request_is_refused(world: World) -> None:
    sale = issue(world.client, world.auth(Role.MERCHANT_CASHIER), ttl_seconds=60)
    world.clock.advance(timedelta(minutes=5))

    _refused_and_unwritten(world, 422, "payment_request_expired", lambda: _pay(world, sale["url"]))


def test_a_payment_to_a_frozen_merchant_is_refused(world: World) -> None:
    sale = _sale(world)
    world.ledger.set_status("bakery", AccountStatus.FROZEN)

    _refused_and_unwritten(world, 409, "payee_unavailable", lambda: _pay(world, sale["token"]))


def test_a_frozen_payer_is_refused(world: World) -> None:
    sale = _sale(world)
    world.ledger.set_status("alice", AccountStatus.FROZEN)

    _refused_and_unwritten(world, 409, "account_not_active", lambda: _pay(world, sale["token"]))


def test_a_payer_without_the_funds_is_refused(world: World) -> None:
    sale = _sale(world)

    _refused_and_unwritten(
        world, 409, "insufficient_funds", lambda: _pay(world, sale["token"], headers=world.as_bob())
    )


def test_text_that_is_no_payment_code_is_refused(world: World) -> None:
    _refused_and_unwritten(world, 422, "malformed_payment_request", lambda: _pay(world, "hello"))


def test_paying_from_an_account_the_caller_does_not_hold_is_refused(world: World) -> None:
    sale = _sale(world)

    _refused_and_unwritten(
        world, 403, "not_your_account", lambda: _pay(world, sale["token"], payer="bob")
    )


def test_a_caller_holding_no_account_must_name_one(world: World) -> None:
    sale = _sale(world)

    _refused_and_unwritten(
        world,
        422,
        "invalid_request",
        lambda: _pay(world, sale["token"], headers=world.auth(Role.ADMIN)),
    )
