"""A shop's payments and payment requests, listed newest first in pages, for those who hold
the shop's account or see every account; documented with their response schemas."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from monnaie_locale.auth import Role
from tests.api.conftest import World
from tests.api.helpers import assert_problem
from tests.e2e.support import issue

LISTS = ["/v1/checkout/payments", "/v1/checkout/requests"]


def _pay(world: World, amount: str, key: str) -> dict[str, Any]:
    sale = issue(world.client, world.auth(Role.MERCHANT_CASHIER), amount=amount, key=key)
    paid = world.client.post(
        "/v1/checkout/pay",
        json={"request": sale["token"]},
        headers={**world.auth(Role.MEMBER), "Idempotency-Key": key},
    )
    assert paid.status_code == 201, paid.text
    body: dict[str, Any] = paid.json()
    return body


def _counter_payment(world: World, amount: str) -> dict[str, Any]:
    code = world.client.post(
        "/v1/checkout/static-codes",
        json={"account": "bakery", "reference": "COUNTER"},
        headers={**world.auth(Role.MERCHANT_OWNER), "Idempotency-Key": "counter"},
    ).json()
    paid = world.client.post(
        "/v1/checkout/pay",
        json={"request": code["token"], "amount": amount},
        headers={**world.auth(Role.MEMBER), "Idempotency-Key": "counter-" + amount},
    )
    assert paid.status_code == 201, paid.text
    body: dict[str, Any] = paid.json()
    return body


def _list(world: World, path: str, role: Role, **params: Any) -> Any:
    return world.client.get(path, params={"account": "bakery", **params}, headers=world.auth(role))


def test_the_shop_lists_its_payments_newest_first_counter_code_included(world: World) -> None:
    first = _pay(world, "4.00", "a")
    counter = _counter_payment(world, "3.20")
    world.client.post(
        f"/v1/checkout/payments/{first['payment_id']}/refunds",
        json={"amount": "1.00"},
        headers={**world.auth(Role.MERCHANT_OWNER), "Idempotency-Key": "r"},
    )

    listed = _list(world, "/v1/checkout/payments", Role.MERCHANT_CASHIER)

    assert listed.status_code == 200, listed.text
    items = listed.json()["items"]
    assert [(p["payment_id"], p["kind"], p["amount"], p["refunded"]) for p in items] == [
        (counter["payment_id"], "static", "3.20", "0.00"),
        (first["payment_id"], "dynamic", "4.00", "1.00"),
    ]
    assert items[0]["receipt"] == counter["receipt"]
    assert items[1]["payer_account"] == "alice"
    assert (items[1]["event_id"], items[1]["transaction_id"]) == (
        first["event_id"],
        first["transaction_id"],
    )
    assert listed.json()["next_cursor"] is None


def test_payments_come_in_pages_that_meet_without_a_gap(world: World) -> None:
    paid = [_pay(world, f"{n + 1}.00", f"p{n}")["payment_id"] for n in range(5)]

    seen: list[int] = []
    cursor = None
    while True:
        page = _list(
            world,
            "/v1/checkout/payments",
            Role.MERCHANT_OWNER,
            limit=2,
            **({"cursor": cursor} if cursor else {}),
        ).json()
        seen += [p["payment_id"] for p in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert seen == sorted(paid, reverse=True)


def test_the_shop_lists_its_requests_with_what_became_of_each(world: World) -> None:
    paid = _pay(world, "2.00", "paid")
    cancelled = issue(world.client, world.auth(Role.MERCHANT_CASHIER), amount="3.00", key="c")
    world.client.post(
        f"/v1/checkout/requests/{cancelled['request_id']}/cancel",
        headers=world.auth(Role.MERCHANT_CASHIER),
    )
    stale = issue(
        world.client, world.auth(Role.MERCHANT_CASHIER), amount="5.00", key="s", ttl_seconds=60
    )
    world.clock.advance(timedelta(seconds=61))
    fresh = issue(world.client, world.auth(Role.MERCHANT_CASHIER), amount="6.00", key="f")

    listed = _list(world, "/v1/checkout/requests", Role.MERCHANT_OWNER, limit=3)

    assert listed.status_code == 200, listed.text
    first = listed.json()
    rest = _list(
        world, "/v1/checkout/requests", Role.MERCHANT_OWNER, cursor=first["next_cursor"]
    ).json()
    statuses = [(r["request_id"], r["status"]) for r in first["items"] + rest["items"]]
    assert statuses == [
        (fresh["request_id"], "open"),
        (stale["request_id"], "expired"),
        (cancelled["request_id"], "cancelled"),
        (paid["request_id"], "paid"),
    ]
    assert rest["next_cursor"] is None


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize("role", [Role.AUDITOR, Role.ASSOCIATION_OPERATOR, Role.ADMIN])
def test_a_role_that_sees_every_account_lists_any_shop(world: World, path: str, role: Role) -> None:
    _pay(world, "1.00", "p")

    listed = _list(world, path, role)

    assert listed.status_code == 200, listed.text
    assert len(listed.json()["items"]) == 1


@pytest.mark.parametrize("path", LISTS)
def test_a_member_lists_no_shop_it_does_not_hold(world: World, path: str) -> None:
    assert_problem(_list(world, path, Role.MEMBER), 403, "not_your_account")
    assert_problem(_list(world, path, Role.AUTHORITY_AGENT), 403, "not_your_account")


@pytest.mark.parametrize("path", LISTS)
def test_an_unknown_shop_and_a_foreign_cursor_are_refused(world: World, path: str) -> None:
    unknown = world.client.get(path, params={"account": "nowhere"}, headers=world.auth(Role.ADMIN))
    foreign = _list(world, path, Role.MERCHANT_OWNER, cursor="eDE")

    assert_problem(unknown, 404, "unknown_account")
    assert_problem(foreign, 422, "invalid_request")


@pytest.mark.parametrize("path", LISTS)
def test_the_lists_are_documented_with_their_response_schema(world: World, path: str) -> None:
    document = world.client.get("/openapi.json").json()
    operation = document["paths"][path]["get"]

    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    page = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    assert set(page["required"]) >= {"items", "next_cursor"}
    assert {"401", "403", "404", "422"} <= set(operation["responses"])
    assert operation["security"]
