"""Webhooks: queued with the payment, signed per Standard Webhooks, retried with backoff.

The signature is checked by :func:`standard_webhooks_verify`, the specification's algorithm
written out here rather than the project's own verifier.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import httpx
import pytest
from sqlalchemy import Connection, event, select

from monnaie_locale import checkout
from monnaie_locale.checkout import DestinationPolicy, Send, errors
from monnaie_locale.checkout.http_sender import HttpxSender
from monnaie_locale.checkout.webhook_delivery import REFUSED
from monnaie_locale.checkout.webhooks import MAX_ATTEMPTS
from monnaie_locale.clock import as_utc
from monnaie_locale.errors import InvalidRequest
from monnaie_locale.payments import verify_receipt
from monnaie_locale.store import Database
from monnaie_locale.store.tables_checkout import webhook_attempts
from tests.checkout.conftest import BOB_FUNDS, PUBLIC, FakeDns, Shop

URL = "https://bakery.example.org/hooks"


def standard_webhooks_verify(
    body: bytes, headers: Mapping[str, str], *, secret: str, now: int
) -> None:
    """Standard Webhooks: HMAC-SHA256 with the base64 key after ``whsec_``, over
    ``{id}.{timestamp}.{body}``, base64, sent as space-separated ``v1,<sig>``; the timestamp
    must be within five minutes of now."""
    key = base64.b64decode(secret.split("_", 1)[1])
    msg_id, timestamp = headers["webhook-id"], headers["webhook-timestamp"]
    assert abs(now - int(timestamp)) <= 5 * 60, "stale or future timestamp"
    signed = msg_id.encode() + b"." + timestamp.encode() + b"." + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    candidates = [
        value
        for version, _, value in (s.partition(",") for s in headers["webhook-signature"].split())
        if version == "v1"
    ]
    assert any(hmac.compare_digest(expected, value) for value in candidates), "bad signature"


@dataclass
class FakeServer:
    """A merchant's server: answers with the scripted statuses, records every request."""

    answers: list[int | None]
    received: list[tuple[str, bytes, dict[str, str]]] = field(default_factory=list)

    def __call__(self, url: str, body: bytes, headers: Mapping[str, str]) -> int:
        self.received.append((url, body, dict(headers)))
        answer = self.answers.pop(0)
        if answer is None:
            raise checkout.DeliveryFailed("connection refused")
        return answer


def add_endpoint(
    shop: Shop, url: str = URL, *, destinations: DestinationPolicy = PUBLIC
) -> checkout.WebhookEndpoint:
    checked = destinations.check_url(url)
    return shop.database.write(
        lambda conn: checkout.add_endpoint(
            conn, merchant_account="bakery", url=checked, clock=shop.clock
        )
    )


def deliver(shop: Shop, server: Send) -> list[checkout.DeliveryResult]:
    return checkout.deliver_due(shop.database, send=server, clock=shop.clock)


def attempts_log(shop: Shop) -> list[tuple[int, int | None, datetime, datetime | None]]:
    rows = shop.database.read(
        lambda conn: conn.execute(
            select(webhook_attempts).order_by(webhook_attempts.c.attempt)
        ).all()
    )
    return [
        (
            row.attempt,
            row.status_code,
            as_utc(row.attempted_at),
            None if row.next_attempt_at is None else as_utc(row.next_attempt_at),
        )
        for row in rows
    ]


def test_endpoint_gets_a_fresh_standard_webhooks_secret(shop: Shop) -> None:
    first, second = add_endpoint(shop), add_endpoint(shop)

    assert first.secret.startswith("whsec_") and second.secret.startswith("whsec_")
    assert len(base64.b64decode(first.secret.removeprefix("whsec_"))) >= 24
    assert first.secret != second.secret


def test_delivery_carries_the_receipt_signed_as_the_specification_says(shop: Shop) -> None:
    endpoint = add_endpoint(shop)
    payment = shop.pay(shop.issue_dynamic(6_00).token, payer="alice", key="p")
    server = FakeServer(answers=[204])

    results = deliver(shop, server)

    assert [r.status for r in results] == ["delivered"]
    url, body, headers = server.received[0]
    assert url == URL
    standard_webhooks_verify(
        body, headers, secret=endpoint.secret, now=int(shop.clock().timestamp())
    )
    document = json.loads(body)
    assert document["type"] == "checkout.payment"
    assert document["data"] == payment.receipt
    verify_receipt(document["data"], keys=shop.keyring.jwks()["keys"])


def test_a_tampered_body_fails_the_independent_verification(shop: Shop) -> None:
    endpoint = add_endpoint(shop)
    shop.pay(shop.issue_dynamic(6_00).token, payer="alice", key="p")
    server = FakeServer(answers=[200])
    deliver(shop, server)
    _, body, headers = server.received[0]

    with pytest.raises(AssertionError, match="bad signature"):
        standard_webhooks_verify(
            body.replace(b"600", b"900"),
            headers,
            secret=endpoint.secret,
            now=int(shop.clock().timestamp()),
        )


def test_failed_delivery_is_retried_with_growing_delays_then_delivered(shop: Shop) -> None:
    endpoint = add_endpoint(shop)
    shop.pay(shop.issue_dynamic(6_00).token, payer="alice", key="p")
    server = FakeServer(answers=[500, None, 200])

    first = deliver(shop, server)
    assert [r.status for r in first] == ["pending"]
    assert deliver(shop, server) == [], "retried before its time"
    shop.advance(timedelta(minutes=1))
    assert [r.status for r in deliver(shop, server)] == ["pending"]
    shop.advance(timedelta(minutes=4))
    assert [r.status for r in deliver(shop, server)] == ["delivered"]

    log = attempts_log(shop)
    assert [(attempt, code) for attempt, code, _, _ in log] == [(1, 500), (2, None), (3, 200)]
    delays = [next_at - at for _, _, at, next_at in log if next_at is not None]
    assert delays == [timedelta(minutes=1), timedelta(minutes=4)]
    assert log[-1][3] is None
    ids = {headers["webhook-id"] for _, _, headers in server.received}
    assert len(ids) == 1, "a retry must keep the message id"
    for _, body, headers in server.received:
        standard_webhooks_verify(
            body, headers, secret=endpoint.secret, now=int(shop.clock().timestamp())
        )


def test_delivery_is_given_up_after_the_last_attempt(shop: Shop) -> None:
    add_endpoint(shop)
    shop.pay(shop.issue_dynamic(6_00).token, payer="alice", key="p")
    server = FakeServer(answers=[503] * MAX_ATTEMPTS)

    statuses = []
    for _ in range(MAX_ATTEMPTS):
        statuses += [r.status for r in deliver(shop, server)]
        shop.advance(timedelta(days=1))

    assert statuses == ["pending"] * (MAX_ATTEMPTS - 1) + ["failed"]
    assert deliver(shop, server) == []
    assert len(server.received) == MAX_ATTEMPTS


def test_each_event_goes_to_every_active_endpoint_of_its_merchant(shop: Shop) -> None:
    add_endpoint(shop, "https://a.example.org/h")
    disabled = add_endpoint(shop, "https://b.example.org/h")
    shop.database.write(
        lambda conn: checkout.disable_endpoint(conn, disabled.id, merchant_account="bakery")
    )
    payment = shop.pay(shop.issue_dynamic(6_00).token, payer="alice", key="p")
    shop.refund(payment.id, amount=1_00, key="r")
    shop.pay(shop.issue_dynamic(1_00, merchant_account="grocer").token, payer="alice", key="g")
    server = FakeServer(answers=[200, 200])

    deliver(shop, server)

    assert [url for url, _, _ in server.received] == ["https://a.example.org/h"] * 2
    types = [json.loads(body)["type"] for _, body, _ in server.received]
    assert types == ["checkout.payment", "checkout.refund"]


@pytest.mark.parametrize(
    "url", ["ftp://example.org/h", "bakery.example.org/h", "https://", "https://a b.org/"]
)
def test_endpoint_url_must_be_absolute_http(shop: Shop, url: str) -> None:
    with pytest.raises(errors.InvalidWebhookUrl):
        add_endpoint(shop, url)
    assert shop.database.read(lambda conn: checkout.list_endpoints(conn, "bakery")) == []


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:5432/", "http://169.254.169.254/latest/", "https://hooks.lan/h"]
)
def test_an_endpoint_inside_the_network_is_refused_at_registration(shop: Shop, url: str) -> None:
    policy = DestinationPolicy(resolve=FakeDns({"hooks.lan": ["192.168.1.20"]}))

    with pytest.raises(errors.WebhookDestinationRefused):
        add_endpoint(shop, url, destinations=policy)
    assert shop.database.read(lambda conn: checkout.list_endpoints(conn, "bakery")) == []


def test_another_merchant_cannot_disable_an_endpoint(shop: Shop) -> None:
    endpoint = add_endpoint(shop)

    with pytest.raises(errors.UnknownWebhookEndpoint):
        shop.database.write(
            lambda conn: checkout.disable_endpoint(conn, endpoint.id, merchant_account="grocer")
        )
    listed = shop.database.read(lambda conn: checkout.list_endpoints(conn, "bakery"))
    assert [e.status for e in listed] == ["active"]


def test_the_delivery_log_reads_back_every_attempt_as_the_log_table_holds_it(shop: Shop) -> None:
    endpoint = add_endpoint(shop)
    refunded = shop.pay(shop.issue_dynamic(5_00).token, payer="alice", key="p")
    shop.refund(refunded.id, amount=1_00, key="r")
    server = FakeServer(answers=[None, 502])
    deliver(shop, server)
    shop.advance(timedelta(minutes=2))
    server.answers.extend([200, 200])
    deliver(shop, server)

    log = shop.database.read(
        lambda conn: checkout.deliveries_of(conn, endpoint.id, merchant_account="bakery")
    )

    assert [(d.event_type, d.status, d.attempt_count) for d in log] == [
        ("checkout.refund", "delivered", 2),
        ("checkout.payment", "delivered", 2),
    ]
    logged = [
        (a.attempt, a.status_code, a.attempted_at, a.next_attempt_at)
        for d in log
        for a in d.attempts
    ]
    assert len(logged) == 4 and set(logged) == set(attempts_log(shop))
    assert [a.error for a in log[1].attempts] == ["connection refused", ""]


def test_the_delivery_log_of_another_merchant_is_unknown_and_pages_are_bounded(
    shop: Shop,
) -> None:
    endpoint = add_endpoint(shop)

    with pytest.raises(errors.UnknownWebhookEndpoint):
        shop.database.read(
            lambda conn: checkout.deliveries_of(conn, endpoint.id, merchant_account="grocer")
        )
    with pytest.raises(InvalidRequest):
        shop.database.read(
            lambda conn: checkout.deliveries_of(
                conn, endpoint.id, merchant_account="bakery", limit=0
            )
        )


class OpenWrites:
    """The write transactions open on a database, counted from its engine's events."""

    def __init__(self, database: Database) -> None:
        self._engine = database.engine
        self._open: set[int] = set()
        self._lock = threading.Lock()
        event.listen(self._engine, "begin", self._begin)
        event.listen(self._engine, "commit", self._end)
        event.listen(self._engine, "rollback", self._end)

    @property
    def count(self) -> int:
        with self._lock:
            return len(self._open)

    def close(self) -> None:
        event.remove(self._engine, "begin", self._begin)
        event.remove(self._engine, "commit", self._end)
        event.remove(self._engine, "rollback", self._end)

    def _begin(self, conn: Connection) -> None:
        if not conn.get_execution_options().get("readonly", False):
            with self._lock:
                self._open.add(id(conn))

    def _end(self, conn: Connection) -> None:
        with self._lock:
            self._open.discard(id(conn))


def test_no_database_transaction_is_open_while_a_webhook_is_sent(shop: Shop) -> None:
    add_endpoint(shop)
    shop.pay(shop.issue_dynamic(6_00).token, payer="alice", key="p")
    sale = shop.issue_dynamic(1_00)
    writes = OpenWrites(shop.database)
    paid_meanwhile: list[checkout.Payment] = []

    def slow_endpoint(url: str, body: bytes, headers: Mapping[str, str]) -> int:
        assert writes.count == 0, "a write transaction is open while the request is sent"
        # Another customer pays while the merchant's server takes its time to answer.
        paid_meanwhile.append(shop.pay(sale.token, payer="bob", key="meanwhile"))
        return 200

    try:
        results = deliver(shop, slow_endpoint)
    finally:
        writes.close()

    assert [r.status for r in results] == ["delivered"]
    assert [p.amount for p in paid_meanwhile] == [1_00]
    assert shop.balance("bob") == BOB_FUNDS - 1_00


def test_an_endpoint_disabled_while_its_request_is_in_flight_stays_given_up(
    shop: Shop,
) -> None:
    endpoint = add_endpoint(shop)
    shop.pay(shop.issue_dynamic(6_00).token, payer="alice", key="p")

    def disabled_meanwhile(url: str, body: bytes, headers: Mapping[str, str]) -> int:
        shop.database.write(
            lambda conn: checkout.disable_endpoint(conn, endpoint.id, merchant_account="bakery")
        )
        return 500

    results = deliver(shop, disabled_meanwhile)

    assert [(r.status, r.next_attempt_at) for r in results] == [("failed", None)]
    (delivery,) = shop.database.read(
        lambda conn: checkout.deliveries_of(conn, endpoint.id, merchant_account="bakery")
    )
    assert (delivery.status, delivery.next_attempt_at) == ("failed", None)
    assert [(a.status_code, a.next_attempt_at) for a in delivery.attempts] == [(500, None)]
    shop.advance(timedelta(days=2))
    assert deliver(shop, disabled_meanwhile) == []


def test_a_destination_that_now_resolves_inside_is_logged_as_refused_and_nothing_more(
    shop: Shop,
) -> None:
    endpoint = add_endpoint(shop, "https://hooks.bakery.example/h")
    shop.pay(shop.issue_dynamic(6_00).token, payer="alice", key="p")
    requests: list[httpx.Request] = []
    rebound = DestinationPolicy(resolve=FakeDns({"hooks.bakery.example": ["127.0.0.1"]}))

    def internal_service(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(200)

    sender = HttpxSender(destinations=rebound, transport=httpx.MockTransport(internal_service))
    results = deliver(shop, sender)
    sender.close()

    assert requests == []
    assert [(r.status, r.status_code) for r in results] == [("pending", None)]
    (delivery,) = shop.database.read(
        lambda conn: checkout.deliveries_of(conn, endpoint.id, merchant_account="bakery")
    )
    assert delivery.last_status_code is None
    assert [(a.status_code, a.error) for a in delivery.attempts] == [(None, REFUSED)]
    assert "127.0.0.1" not in REFUSED
