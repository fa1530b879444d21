"""Transfers, transactions and reversals over HTTP: the happy paths and every refusal.

alice holds 100.00 and pays the bakery; each refusal is checked to leave the ledger
exactly as it was.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from monnaie_locale.auth import Role
from monnaie_locale.model import AccountStatus
from tests.api.conftest import ALICE_FUNDS, World
from tests.api.helpers import assert_problem, refused

PAYMENT = {"payer": "alice", "payee": "bakery", "amount": "12.50", "memo": "bread"}


def pay(
    world: World,
    body: Any = PAYMENT,
    *,
    key: str | None = "key-1",
    role: Role = Role.MEMBER,
) -> httpx.Response:
    headers = world.auth(role) | ({"Idempotency-Key": key} if key is not None else {})
    response: httpx.Response = world.client.post("/v1/transfers", headers=headers, json=body)
    return response


def balance(world: World, code: str) -> int:
    return world.ledger.account(code).balance


def test_a_member_pays_a_merchant(world: World) -> None:
    response = pay(world)
    assert response.status_code == 201
    body = response.json()
    assert {(p["account"], p["amount"]) for p in body["postings"]} == {
        ("alice", "-12.50"),
        ("bakery", "12.50"),
    }
    assert body["memo"] == "bread"
    assert body["created_at"].endswith(("Z", "+00:00"))
    assert balance(world, "alice") == ALICE_FUNDS - 1250
    assert balance(world, "bakery") == 1250


def test_a_comma_decimal_amount_is_accepted(world: World) -> None:
    assert pay(world, PAYMENT | {"amount": "12,5"}).status_code == 201
    assert balance(world, "bakery") == 1250


def test_a_retry_with_the_same_key_and_body_returns_the_first_response(world: World) -> None:
    first = pay(world)
    second = pay(world)
    assert second.status_code == first.status_code == 201
    assert second.json() == first.json()
    assert balance(world, "alice") == ALICE_FUNDS - 1250


def test_the_same_key_with_another_body_is_a_conflict(world: World) -> None:
    pay(world)
    other = PAYMENT | {"amount": "13.00"}
    refused(world.database, 409, "idempotency_conflict", lambda: pay(world, other))


def test_two_users_may_use_the_same_key_independently(world: World) -> None:
    assert pay(world, key="shared").status_code == 201
    body = {"payer": "bob", "payee": "alice", "amount": "1.00"}
    world.ledger.transfer("issuance", "bob", 100, idempotency_key="fund-bob")
    response = world.client.post(
        "/v1/transfers", headers=world.as_bob() | {"Idempotency-Key": "shared"}, json=body
    )
    assert response.status_code == 201
    assert balance(world, "bob") == 0


def test_a_missing_idempotency_key_is_refused(world: World) -> None:
    body = refused(world.database, 422, "validation_failed", lambda: pay(world, key=None))
    assert "Idempotency-Key" in str(body["errors"])


@pytest.mark.parametrize(
    "amount",
    ["12.505", "-5.00", "-5", "0", "0.00", "1e3", "", "12.5.0", "1 000", "NaN", "١٢"],
)
def test_an_invalid_amount_text_is_refused(world: World, amount: str) -> None:
    refused(
        world.database, 422, "validation_failed", lambda: pay(world, PAYMENT | {"amount": amount})
    )


@pytest.mark.parametrize("amount", [12.5, 12, 1250, None, True, ["12.50"]])
def test_an_amount_that_is_not_a_string_is_refused(world: World, amount: object) -> None:
    body = refused(
        world.database, 422, "validation_failed", lambda: pay(world, PAYMENT | {"amount": amount})
    )
    assert "amount" in str(body["errors"])


def test_an_unknown_field_is_refused(world: World) -> None:
    refused(
        world.database,
        422,
        "validation_failed",
        lambda: pay(world, PAYMENT | {"currency": "EUR"}),
    )


@pytest.mark.parametrize("missing", ["payer", "payee", "amount"])
def test_a_missing_field_is_refused(world: World, missing: str) -> None:
    body = {k: v for k, v in PAYMENT.items() if k != missing}
    refused(world.database, 422, "validation_failed", lambda: pay(world, body))


@pytest.mark.parametrize(
    "content", [b'{"payer": "alice",', b"not json", b"\xff\xfe", b'{"payer": "alice"}}']
)
def test_malformed_json_is_refused(world: World, content: bytes) -> None:
    headers = world.auth(Role.MEMBER) | {
        "Idempotency-Key": "k",
        "Content-Type": "application/json",
    }
    refused(
        world.database,
        400,
        "malformed_json",
        lambda: world.client.post("/v1/transfers", headers=headers, content=content),
    )


@pytest.mark.parametrize("body", [[PAYMENT], "a string", 12])
def test_a_body_that_is_not_an_object_is_refused(world: World, body: object) -> None:
    refused(world.database, 422, "validation_failed", lambda: pay(world, body))


def test_an_oversized_body_is_refused(world: World) -> None:
    big = PAYMENT | {"memo": "x" * 10_000}
    refused(world.database, 413, "body_too_large", lambda: pay(world, big))


def test_an_unknown_payee_is_refused(world: World) -> None:
    refused(
        world.database, 404, "unknown_account", lambda: pay(world, PAYMENT | {"payee": "nobody"})
    )


def test_paying_from_someone_elses_account_is_forbidden(world: World) -> None:
    theft = PAYMENT | {"payer": "bakery", "payee": "alice"}
    refused(world.database, 403, "not_your_account", lambda: pay(world, theft))


def test_insufficient_funds_is_a_conflict(world: World) -> None:
    too_much = PAYMENT | {"amount": "100.01"}
    body = refused(world.database, 409, "insufficient_funds", lambda: pay(world, too_much))
    assert "alice" in str(body["detail"])


def test_a_refused_payment_can_be_retried_with_its_key_once_funds_arrive(world: World) -> None:
    too_much = PAYMENT | {"amount": "150.00"}
    assert_problem(pay(world, too_much), 409, "insufficient_funds")
    world.ledger.transfer("issuance", "alice", 5000, idempotency_key="top-up")
    assert pay(world, too_much).status_code == 201


def test_a_frozen_payee_is_refused(world: World) -> None:
    world.ledger.set_status("bakery", AccountStatus.FROZEN)
    refused(world.database, 409, "account_not_active", lambda: pay(world))


@pytest.mark.parametrize("side", ["payer", "payee"])
def test_system_accounts_never_move_by_plain_transfer(world: World, side: str) -> None:
    body = PAYMENT | {side: "issuance"}
    refused(world.database, 403, "not_transferable", lambda: pay(world, body, role=Role.ADMIN))


def test_an_account_cannot_pay_itself(world: World) -> None:
    body = PAYMENT | {"payee": "alice"}
    refused(world.database, 422, "invalid_request", lambda: pay(world, body))


def test_an_operator_moves_money_between_any_holder_accounts(world: World) -> None:
    body = {"payer": "alice", "payee": "town", "amount": "1.00"}
    assert pay(world, body, role=Role.ASSOCIATION_OPERATOR).status_code == 201
    assert balance(world, "town") == 100


def test_an_auditor_cannot_move_money(world: World) -> None:
    refused(world.database, 403, "role_forbidden", lambda: pay(world, role=Role.AUDITOR))


# Transactions and reversals -----------------------------------------------------------


def test_a_party_reads_the_transaction(world: World) -> None:
    created = pay(world).json()
    for role in (Role.MEMBER, Role.MERCHANT_OWNER, Role.AUDITOR):
        response = world.client.get(f"/v1/transactions/{created['id']}", headers=world.auth(role))
        assert response.json() == created


def test_a_stranger_cannot_read_the_transaction(world: World) -> None:
    created = pay(world).json()
    response = world.client.get(f"/v1/transactions/{created['id']}", headers=world.as_bob())
    assert_problem(response, 403, "not_yours")


@pytest.mark.parametrize(
    ("path_id", "status", "code"),
    [
        ("999", 404, "unknown_transaction"),
        ("0", 422, "validation_failed"),
        ("x", 422, "validation_failed"),
        (str(2**64), 422, "validation_failed"),
    ],
)
def test_an_unknown_or_invalid_transaction_id_is_refused(
    world: World, path_id: str, status: int, code: str
) -> None:
    response = world.client.get(f"/v1/transactions/{path_id}", headers=world.auth(Role.AUDITOR))
    assert_problem(response, status, code)


def reverse(world: World, transaction_id: int, *, key: str, role: Role) -> httpx.Response:
    response: httpx.Response = world.client.post(
        f"/v1/transactions/{transaction_id}/reversal",
        headers=world.auth(role) | {"Idempotency-Key": key},
        json={"memo": "charged twice"},
    )
    return response


def test_an_operator_reverses_a_payment(world: World) -> None:
    created = pay(world).json()
    response = reverse(world, created["id"], key="r1", role=Role.ASSOCIATION_OPERATOR)
    assert response.status_code == 201
    assert response.json()["reverses"] == created["id"]
    assert balance(world, "alice") == ALICE_FUNDS
    assert balance(world, "bakery") == 0


def test_a_payment_is_reversed_only_once(world: World) -> None:
    created = pay(world).json()
    reverse(world, created["id"], key="r1", role=Role.ADMIN)
    refused(
        world.database,
        409,
        "already_reversed",
        lambda: reverse(world, created["id"], key="r2", role=Role.ADMIN),
    )


def test_a_merchant_cannot_reverse_a_payment(world: World) -> None:
    created = pay(world).json()
    refused(
        world.database,
        403,
        "role_forbidden",
        lambda: reverse(world, created["id"], key="r1", role=Role.MERCHANT_OWNER),
    )


def test_reversing_an_unknown_transaction_is_refused(world: World) -> None:
    refused(
        world.database,
        404,
        "unknown_transaction",
        lambda: reverse(world, 999, key="r1", role=Role.ADMIN),
    )


@pytest.mark.parametrize(
    "field", [{"memo": "a\u0000b"}, {"memo": "line\nbreak"}, {"payee": "bak\u0000ery"}]
)
def test_control_characters_in_text_are_refused(world: World, field: dict[str, str]) -> None:
    refused(world.database, 422, "validation_failed", lambda: pay(world, PAYMENT | field))


@pytest.mark.parametrize("key", ["k\u0000", "with space", "é" * 3, "x" * 101])
def test_an_idempotency_key_outside_visible_ascii_is_refused(world: World, key: str) -> None:
    headers = world.auth(Role.MEMBER) | {"Idempotency-Key": key}
    refused(
        world.database,
        422,
        "validation_failed",
        lambda: world.client.post(
            "/v1/transfers", headers={k: v.encode() for k, v in headers.items()}, json=PAYMENT
        ),
    )
