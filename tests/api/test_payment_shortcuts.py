"""The payment routes' shortcut (api.shortcuts) answers exactly what the ordinary route
answers: the same status, problem, headers and body, and the same writes.

A request whose ``Content-Type`` is a ``+json`` type is parsed as JSON by FastAPI but
never taken by the shortcut, which takes ``application/json`` only: the same request,
sent once with each, takes each path once.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import APIRouter
from fastapi.routing import APIRoute

import api.shortcuts
from api.routers import transfers
from api.schemas.ledger import TransferIn
from api.shortcuts import Shortcut
from monnaie_locale.acts import transfers as transfer_acts
from monnaie_locale.auth import Role
from tests.api.conftest import World
from tests.e2e.support import issue

PAYMENT = {"payer": "alice", "payee": "bakery", "amount": "12.50", "memo": "bread"}
# What changes from one answer to the next, whichever path gave it.
_VARYING_FIELDS = ("id", "created_at", "transaction_id", "payment_id", "event_id", "receipt")
_VARYING_HEADERS = ("x-request-id", "content-length", "date")


@pytest.fixture
def shortcut_answers(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[bool]]:
    """One item per request the shortcut took, True once it gave the answer itself."""
    taken: list[bool] = []
    answer = api.shortcuts._answer

    async def counted(*args: Any, **kwargs: Any) -> bytes:
        taken.append(False)
        body = await answer(*args, **kwargs)
        taken[-1] = True
        return body

    monkeypatch.setattr(api.shortcuts, "_answer", counted)
    yield taken


def _post(
    world: World, path: str, body: Any, headers: dict[str, str], *, shortcut: bool
) -> httpx.Response:
    content = json.dumps(body).encode()
    kind = "application/json" if shortcut else "application/vnd.monnaie-locale+json"
    response: httpx.Response = world.client.post(
        path, content=content, headers={**headers, "Content-Type": kind}
    )
    return response


def _comparable(response: httpx.Response) -> tuple[int, dict[str, str], Any]:
    headers = {k: v for k, v in response.headers.items() if k not in _VARYING_HEADERS}
    body = response.json()
    if isinstance(body, dict):
        body = {k: v for k, v in body.items() if k not in _VARYING_FIELDS and k != "request_id"}
    return response.status_code, headers, body


def _both_ways(
    world: World, path: str, body: Any, headers: dict[str, str], key: str
) -> tuple[httpx.Response, httpx.Response]:
    fast = _post(world, path, body, headers | {"Idempotency-Key": f"{key}-a"}, shortcut=True)
    slow = _post(world, path, body, headers | {"Idempotency-Key": f"{key}-b"}, shortcut=False)
    return fast, slow


CASES = {
    "a payment": (Role.MEMBER, PAYMENT, 201),
    "an unknown payee": (Role.MEMBER, PAYMENT | {"payee": "nobody"}, 404),
    "more than the payer holds": (Role.MEMBER, PAYMENT | {"amount": "1000000.00"}, 409),
    "from someone else's account": (Role.MERCHANT_OWNER, PAYMENT, 403),
    "by a role that never pays": (Role.AUDITOR, PAYMENT, 403),
    "into a system account": (Role.MEMBER, PAYMENT | {"payee": "issuance"}, 403),
}


@pytest.mark.parametrize("case", CASES)
def test_a_transfer_gets_the_same_answer_either_way(
    world: World, shortcut_answers: list[bool], case: str
) -> None:
    role, body, status = CASES[case]
    key = "case-" + str(list(CASES).index(case))
    fast, slow = _both_ways(world, "/v1/transfers", body, world.auth(role), key)
    assert fast.status_code == status
    assert _comparable(fast) == _comparable(slow)
    assert shortcut_answers == [status == 201]  # the first only; a refusal raised inside


def test_the_shortcut_speaks_the_callers_language_in_a_refusal(
    world: World, shortcut_answers: list[bool]
) -> None:
    headers = world.auth(Role.MEMBER) | {"Accept-Language": "fr"}
    fast, slow = _both_ways(world, "/v1/transfers", PAYMENT | {"payee": "nobody"}, headers, "fr")
    assert fast.headers["content-language"] == "fr"
    assert _comparable(fast) == _comparable(slow)


def test_without_a_valid_credential_both_ways_say_401(
    world: World, shortcut_answers: list[bool]
) -> None:
    for headers in ({}, {"Authorization": "Bearer nonsense"}, {"Authorization": "Basic eDp5"}):
        fast, slow = _both_ways(world, "/v1/transfers", PAYMENT, headers, "anonymous")
        assert fast.status_code == 401
        assert _comparable(fast) == _comparable(slow)


@pytest.mark.parametrize(
    "body",
    [PAYMENT | {"amount": 12.5}, PAYMENT | {"extra": 1}, [PAYMENT], "text", {"payer": "alice"}],
)
def test_a_body_the_model_refuses_takes_the_ordinary_route(
    world: World, shortcut_answers: list[bool], body: Any
) -> None:
    fast, slow = _both_ways(world, "/v1/transfers", body, world.auth(Role.MEMBER), "bad")
    assert fast.status_code == 422
    assert _comparable(fast) == _comparable(slow)
    assert shortcut_answers == []


@pytest.mark.parametrize("key", [None, "", "with space", "é" * 3, "k" * 101])
def test_a_missing_or_malformed_key_takes_the_ordinary_route(
    world: World, shortcut_answers: list[bool], key: str | None
) -> None:
    headers = world.auth(Role.MEMBER) | ({} if key is None else {"Idempotency-Key": key})
    content = json.dumps(PAYMENT).encode()
    headers["Content-Type"] = "application/json"
    response = world.client.post(
        "/v1/transfers", content=content, headers={k: v.encode() for k, v in headers.items()}
    )
    assert response.status_code == 422
    assert shortcut_answers == []


def test_a_retry_through_the_shortcut_returns_the_first_answer(
    world: World, shortcut_answers: list[bool]
) -> None:
    headers = world.auth(Role.MEMBER) | {"Idempotency-Key": "once"}
    first = _post(world, "/v1/transfers", PAYMENT, headers, shortcut=True)
    again = _post(world, "/v1/transfers", PAYMENT, headers, shortcut=True)
    slow = _post(world, "/v1/transfers", PAYMENT, headers, shortcut=False)
    assert first.status_code == again.status_code == slow.status_code == 201
    assert first.json() == again.json() == slow.json()
    assert world.ledger.account("bakery").balance == 1250


def test_a_qr_payment_gets_the_same_answer_either_way(
    world: World, shortcut_answers: list[bool]
) -> None:
    cashier = world.auth(Role.MERCHANT_CASHIER)
    answers = []
    for shortcut in (True, False):
        sale = issue(world.client, cashier, amount="3.00", key=f"sale-{shortcut}")
        headers = world.auth(Role.MEMBER) | {"Idempotency-Key": f"pay-{shortcut}"}
        answers.append(
            _post(world, "/v1/checkout/pay", {"request": sale["url"]}, headers, shortcut=shortcut)
        )
    fast, slow = answers
    assert fast.status_code == 201
    assert _comparable(fast) == _comparable(slow)
    assert shortcut_answers == [True]
    assert world.ledger.account("bakery").balance == 600


def test_the_shortcut_payments_are_counted_by_route(
    world: World, shortcut_answers: list[bool]
) -> None:
    headers = world.auth(Role.MEMBER) | {"Idempotency-Key": "counted"}
    assert _post(world, "/v1/transfers", PAYMENT, headers, shortcut=True).status_code == 201
    exposition = world.client.app.state.metrics.exposition().decode()
    assert 'mlc_payments_total{route="/v1/transfers"} 1.0' in exposition
    assert shortcut_answers == [True]


def test_a_shortcut_refuses_a_route_taking_what_it_does_not_pass() -> None:
    router = APIRouter()

    @router.post("/v1/transfers", status_code=201)
    async def create_transfer(body: TransferIn, idempotency_key: str, ctx: Any, extra: int) -> Any:
        raise AssertionError("never called")

    [route] = [r for r in router.routes if isinstance(r, APIRoute)]
    with pytest.raises(ValueError, match="the shortcut passes"):
        Shortcut(route, TransferIn, transfer_acts.transfer_async)
    # The real route takes exactly what the shortcut passes.
    [real] = [r for r in transfers.router.routes if getattr(r, "path", "") == "/v1/transfers"]
    assert isinstance(real, APIRoute)
    Shortcut(real, TransferIn, transfer_acts.transfer_async)
