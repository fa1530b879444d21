"""The live event stream through the HTTP route, on a real server: a payment reaches an
open stream with its journal sequence as the event id, a reconnection with
``Last-Event-ID`` resumes after the last event seen, and browser tickets open the stream of
their shop only."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from api.app import create_app
from monnaie_locale.auth import Role
from monnaie_locale.config import Settings
from monnaie_locale.store.tables import journal
from tests.api.conftest import World
from tests.api.helpers import assert_problem
from tests.e2e.support import issue, live_server

Event = tuple[int, str, dict[str, Any]]


@pytest.fixture
def live(world: World, settings: Settings) -> Iterator[httpx.Client]:
    app = create_app(settings, database=world.database, clock=world.clock)
    with live_server(app) as base, httpx.Client(base_url=base, timeout=10) as client:
        yield client


def _pay(client: httpx.Client, world: World, amount: str) -> dict[str, Any]:
    sale = issue(client, world.auth(Role.MERCHANT_CASHIER), amount=amount, key=amount)
    paid = client.post(
        "/v1/checkout/pay",
        json={"request": sale["url"]},
        headers={**world.auth(Role.MEMBER), "Idempotency-Key": amount},
    )
    assert paid.status_code == 201, paid.text
    body: dict[str, Any] = paid.json()
    return body


def _sequence(world: World, payment: dict[str, Any]) -> int:
    """The journal sequence of a payment's transaction, sealing what is queued first (the
    service's sealer does the same on PostgreSQL within a moment)."""
    world.ledger.seal_journal()
    transaction_id = payment["transaction_id"]
    seq = world.database.read(
        lambda conn: conn.execute(
            select(journal.c.seq).where(journal.c.transaction_id == transaction_id)
        ).scalar_one()
    )
    return int(seq)


def _read_events(response: httpx.Response, count: int, *, after_open: Any = None) -> list[Event]:
    """Parse SSE messages until ``count`` events came; call ``after_open`` once connected."""
    events: list[Event] = []
    fields: dict[str, str] = {}
    for line in response.iter_lines():
        if after_open is not None and line.startswith("retry:"):
            after_open()
            after_open = None
        if line == "":
            if "id" in fields:
                events.append((int(fields["id"]), fields["event"], json.loads(fields["data"])))
                if len(events) == count:
                    return events
            fields = {}
        elif not line.startswith(":"):
            name, _, value = line.partition(":")
            fields[name] = value.removeprefix(" ")
    return events


def test_a_payment_reaches_an_open_stream_with_its_signed_receipt(
    live: httpx.Client, world: World
) -> None:
    paid: list[dict[str, Any]] = []
    with live.stream(
        "GET",
        "/v1/checkout/events",
        params={"account": "bakery"},
        headers=world.auth(Role.MERCHANT_CASHIER),
    ) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        events = _read_events(
            response, 1, after_open=lambda: paid.append(_pay(live, world, "4.00"))
        )

    event_id, kind, data = events[0]
    assert (event_id, kind) == (_sequence(world, paid[0]), "payment")
    assert data == paid[0]["receipt"]


def test_a_reconnection_with_last_event_id_resumes_after_it_and_misses_nothing(
    live: httpx.Client, world: World
) -> None:
    first = _pay(live, world, "1.00")
    second = _pay(live, world, "2.00")
    third = _pay(live, world, "3.00")

    with live.stream(
        "GET",
        "/v1/checkout/events",
        params={"account": "bakery"},
        headers={
            **world.auth(Role.MERCHANT_OWNER),
            "Last-Event-ID": str(_sequence(world, first)),
        },
    ) as response:
        events = _read_events(response, 2)

    assert [event_id for event_id, _, _ in events] == [
        _sequence(world, second),
        _sequence(world, third),
    ]
    assert [data["receipt"]["amount_cents"] for _, _, data in events] == [2_00, 3_00]


def test_a_browser_ticket_opens_the_stream_of_its_shop(live: httpx.Client, world: World) -> None:
    paid = _pay(live, world, "5.00")
    seq = _sequence(world, paid)
    ticket = live.post(
        "/v1/checkout/events/tickets",
        json={"account": "bakery"},
        headers=world.auth(Role.MERCHANT_CASHIER),
    ).json()
    assert ticket["last_event_id"] == seq  # the journal's head: nothing newer yet

    with live.stream(
        "GET",
        "/v1/checkout/events",
        params={"account": "bakery", "ticket": ticket["ticket"], "last_event_id": 0},
    ) as response:
        events = _read_events(response, 1)

    assert events[0][0] == seq


def test_a_ticket_opens_no_other_shop_and_a_forged_one_nothing(world: World) -> None:
    ticket = world.client.post(
        "/v1/checkout/events/tickets",
        json={"account": "bakery"},
        headers=world.auth(Role.MERCHANT_OWNER),
    ).json()["ticket"]

    other = world.client.get("/v1/checkout/events", params={"account": "town", "ticket": ticket})
    forged = world.client.get(
        "/v1/checkout/events", params={"account": "bakery", "ticket": "f" + ticket[1:]}
    )

    assert_problem(other, 403, "not_your_account")
    assert_problem(forged, 401, "not_authenticated")


def test_a_last_event_id_that_is_no_event_id_is_refused(world: World) -> None:
    response = world.client.get(
        "/v1/checkout/events",
        params={"account": "bakery"},
        headers={**world.auth(Role.MERCHANT_OWNER), "Last-Event-ID": "yesterday"},
    )

    assert_problem(response, 422, "invalid_request")


def test_a_member_cannot_ask_for_a_ticket(world: World) -> None:
    response = world.client.post(
        "/v1/checkout/events/tickets", json={"account": "alice"}, headers=world.auth(Role.MEMBER)
    )

    assert_problem(response, 403, "role_forbidden")


@pytest.mark.parametrize(
    "ticket", ["abc.\u00e9", "\u00e9\u00e9.abc", "abc.\U0001f600", "abc.d\x00e", ".", "abc"]
)
def test_a_malformed_ticket_is_a_401_problem_with_the_request_id(world: World, ticket: str) -> None:
    client = world.client
    client.raise_server_exceptions = False  # a 500 must show as a 500, not as a raise

    response = client.get("/v1/checkout/events", params={"account": "bakery", "ticket": ticket})

    body = assert_problem(response, 401, "not_authenticated")
    assert body["request_id"] == response.headers["x-request-id"]
