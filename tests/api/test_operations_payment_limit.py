"""The per-caller limit on payment attempts: transfers, holds and the currency operations."""

from __future__ import annotations

import httpx
import pytest

from monnaie_locale.auth import Role
from monnaie_locale.config import Settings
from tests.api.conftest import World
from tests.api.helpers import assert_problem, refused

LIMIT = 3


@pytest.fixture
def settings() -> Settings:
    return Settings(
        max_body_bytes=4096, login_attempts_per_minute=1000, payment_attempts_per_minute=LIMIT
    )


def pay(
    world: World, headers: dict[str, str], key: str, *, route: str = "/v1/transfers", payer: str
) -> httpx.Response:
    payee = "bob" if payer == "alice" else "alice"
    response: httpx.Response = world.client.post(
        route,
        json={"payer": payer, "payee": payee, "amount": "1.00"},
        headers={**headers, "Idempotency-Key": key},
    )
    return response


def test_payment_attempts_over_the_limit_are_refused_and_change_nothing(world: World) -> None:
    member = world.auth(Role.MEMBER)
    for n in range(LIMIT):
        assert pay(world, member, f"p{n}", payer="alice").status_code == 201
    # On PostgreSQL the server's sealer chains the transfers into the journal in the
    # background; chained first, the journal can only move by the refused call.
    world.ledger.seal_journal()

    refused(
        world.database,
        429,
        "too_many_attempts",
        lambda: pay(world, member, "over", route="/v1/holds", payer="alice"),
    )


def test_the_currency_operations_count_as_payment_attempts(world: World) -> None:
    member = world.auth(Role.MEMBER)
    for n in range(LIMIT):
        assert pay(world, member, f"c{n}", payer="alice").status_code == 201
    world.ledger.seal_journal()

    refused(
        world.database,
        429,
        "too_many_attempts",
        lambda: world.client.post(
            "/v1/conversions/orders",
            json={"account": "alice", "amount": "5.00"},
            headers={**member, "Idempotency-Key": "order"},
        ),
    )


def test_the_limit_is_per_caller_and_reads_are_free(world: World) -> None:
    member = world.auth(Role.MEMBER)
    for n in range(LIMIT):
        pay(world, member, f"q{n}", payer="alice")

    read = world.client.get("/v1/transactions/1", headers=member)
    other = pay(world, world.as_bob(), "bob-1", payer="bob")

    assert read.status_code != 429
    assert other.status_code == 201, other.text
    assert_problem(pay(world, member, "q-last", payer="alice"), 429, "too_many_attempts")


def test_a_refusal_says_when_to_try_again(world: World) -> None:
    member = world.auth(Role.MEMBER)
    for n in range(LIMIT):
        pay(world, member, f"r{n}", payer="alice")

    response = pay(world, member, "r-last", payer="alice")

    assert response.status_code == 429
    assert 1 <= int(response.headers["Retry-After"]) <= 60
