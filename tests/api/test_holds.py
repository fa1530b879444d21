"""Holds over HTTP: reserve, post in full or in part, void; and the refusals."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from monnaie_locale.auth import Role
from tests.api.conftest import ALICE_FUNDS, World
from tests.api.helpers import assert_problem, refused

HOLD = {"payer": "alice", "payee": "bakery", "amount": "20.00", "memo": "order 42"}


def place(
    world: World, body: Any = HOLD, *, key: str = "hold-1", role: Role = Role.MEMBER
) -> httpx.Response:
    response: httpx.Response = world.client.post(
        "/v1/holds", headers=world.auth(role) | {"Idempotency-Key": key}, json=body
    )
    return response


def settle(
    world: World, hold_id: int, body: Any = None, *, key: str = "post-1", role: Role
) -> httpx.Response:
    response: httpx.Response = world.client.post(
        f"/v1/holds/{hold_id}/post",
        headers=world.auth(role) | {"Idempotency-Key": key},
        json=body,
    )
    return response


def void(world: World, hold_id: int, *, role: Role) -> httpx.Response:
    response: httpx.Response = world.client.post(
        f"/v1/holds/{hold_id}/void", headers=world.auth(role)
    )
    return response


def test_a_hold_lowers_what_the_payer_can_spend(world: World) -> None:
    response = place(world)
    assert response.status_code == 201
    assert response.json()["status"] == "pending"
    account = world.client.get("/v1/accounts/alice", headers=world.auth(Role.MEMBER)).json()
    assert account["balance"] == "100.00"
    assert account["held"] == "20.00"
    assert account["available"] == "80.00"


def test_the_cashier_takes_part_of_the_hold_and_the_rest_is_released(world: World) -> None:
    hold_id = place(world).json()["id"]
    response = settle(world, hold_id, {"amount": "15.00"}, role=Role.MERCHANT_CASHIER)
    assert response.status_code == 201
    assert world.ledger.account("bakery").balance == 1500
    alice = world.ledger.account("alice")
    assert (alice.balance, alice.held) == (ALICE_FUNDS - 1500, 0)
    hold = world.client.get(f"/v1/holds/{hold_id}", headers=world.auth(Role.MEMBER)).json()
    assert (hold["status"], hold["posted_amount"]) == ("posted", "15.00")


def test_posting_without_a_body_takes_the_whole_hold(world: World) -> None:
    hold_id = place(world).json()["id"]
    assert settle(world, hold_id, role=Role.MERCHANT_OWNER).status_code == 201
    assert world.ledger.account("bakery").balance == 2000


def test_posting_is_idempotent(world: World) -> None:
    hold_id = place(world).json()["id"]
    first = settle(world, hold_id, role=Role.MERCHANT_CASHIER)
    again = settle(world, hold_id, role=Role.MERCHANT_CASHIER)
    assert again.json() == first.json()
    assert world.ledger.account("bakery").balance == 2000


def test_voiding_releases_the_hold_once(world: World) -> None:
    hold_id = place(world).json()["id"]
    response = void(world, hold_id, role=Role.MEMBER)
    assert response.status_code == 200 and response.json()["status"] == "voided"
    assert world.ledger.account("alice").held == 0
    refused(world.database, 409, "hold_not_pending", lambda: void(world, hold_id, role=Role.MEMBER))


def test_posting_more_than_the_hold_is_refused(world: World) -> None:
    hold_id = place(world).json()["id"]
    refused(
        world.database,
        422,
        "invalid_amount",
        lambda: settle(world, hold_id, {"amount": "20.01"}, role=Role.MERCHANT_CASHIER),
    )


def test_holding_more_than_available_is_refused(world: World) -> None:
    body = HOLD | {"amount": "100.01"}
    refused(world.database, 409, "insufficient_funds", lambda: place(world, body))


def test_a_hold_from_someone_elses_account_is_forbidden(world: World) -> None:
    body = HOLD | {"payer": "town"}
    refused(world.database, 403, "not_your_account", lambda: place(world, body))


def test_a_stranger_can_neither_read_post_nor_void_the_hold(world: World) -> None:
    hold_id = place(world).json()["id"]
    stranger = world.as_bob()
    for response in (
        world.client.get(f"/v1/holds/{hold_id}", headers=stranger),
        world.client.post(f"/v1/holds/{hold_id}/void", headers=stranger),
        world.client.post(f"/v1/holds/{hold_id}/post", headers=stranger | {"Idempotency-Key": "x"}),
    ):
        assert_problem(response, 403, "not_yours")
    assert world.ledger.get_hold(hold_id).status == "pending"


def test_a_hold_that_expired_cannot_be_posted(world: World) -> None:
    expires = (world.clock() + timedelta(minutes=5)).isoformat()
    hold_id = place(world, HOLD | {"expires_at": expires}).json()["id"]
    world.clock.advance(timedelta(minutes=6))
    refused(
        world.database,
        409,
        "hold_expired",
        lambda: settle(world, hold_id, role=Role.MERCHANT_CASHIER),
    )


@pytest.mark.parametrize(
    ("expires_at", "code"),
    [
        ("2020-01-01T00:00:00+00:00", "invalid_request"),
        ("2030-01-01T00:00:00", "validation_failed"),
        ("tomorrow", "validation_failed"),
    ],
)
def test_an_expiry_in_the_past_or_without_zone_is_refused(
    world: World, expires_at: str, code: str
) -> None:
    body = HOLD | {"expires_at": expires_at}
    refused(world.database, 422, code, lambda: place(world, body))


@pytest.mark.parametrize(
    "body", [HOLD | {"amount": 20}, HOLD | {"amount": "20.001"}, HOLD | {"extra": 1}]
)
def test_invalid_hold_bodies_are_refused(world: World, body: dict[str, object]) -> None:
    refused(world.database, 422, "validation_failed", lambda: place(world, body))


def test_an_unknown_hold_is_not_found(world: World) -> None:
    response = void(world, 999, role=Role.ADMIN)
    assert_problem(response, 404, "unknown_hold")


def test_a_hold_key_reused_for_another_hold_is_a_conflict(world: World) -> None:
    place(world)
    refused(
        world.database,
        409,
        "idempotency_conflict",
        lambda: place(world, HOLD | {"amount": "5.00"}),
    )
