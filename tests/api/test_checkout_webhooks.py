"""Webhook endpoints over HTTP, and a delivery whose signature is checked independently.

The check below is the Standard Webhooks algorithm written out from the specification
(HMAC-SHA256 over ``id.timestamp.body`` with the base64-decoded ``whsec_`` secret, sent as
``v1,<base64>``), not the service's own code.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Connection

from monnaie_locale.auth import Role, create_user, issue_token, link_account
from monnaie_locale.checkout import DestinationPolicy, deliver_due
from monnaie_locale.checkout.webhooks import backoff
from monnaie_locale.config import Settings
from monnaie_locale.ledger.accounts import open_account
from monnaie_locale.model import AccountKind
from tests.api.conftest import PASSWORD, World
from tests.api.helpers import assert_problem
from tests.checkout.conftest import FakeDns
from tests.e2e.support import issue, runtime_of
from tests.support import snapshot

HOOK = "https://shop.example/hooks"


@pytest.fixture
def settings() -> Settings:
    # No background round during a test: the test sends what is due itself.
    return Settings(max_body_bytes=4096, login_attempts_per_minute=1000, webhook_poll_seconds=3600)


@pytest.fixture(autouse=True)
def no_dns(world: World) -> None:
    """Host names resolve to a public address, or as a test says: no DNS in tests."""
    runtime_of(world.client.app).destinations = DestinationPolicy(
        resolve=FakeDns({"hooks.lan": ["10.0.0.8"]})
    )


def _add(world: World, url: str = HOOK) -> Any:
    return world.client.post(
        "/v1/checkout/webhooks",
        json={"account": "bakery", "url": url},
        headers=world.auth(Role.MERCHANT_OWNER),
    )


def _expected_signature(secret: str, *, msg_id: str, timestamp: str, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{msg_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def test_the_owner_registers_an_endpoint_and_sees_its_secret_only_once(world: World) -> None:
    created = _add(world)

    assert created.status_code == 201, created.text
    assert created.json()["secret"].startswith("whsec_")
    listed = world.client.get(
        "/v1/checkout/webhooks",
        params={"account": "bakery"},
        headers=world.auth(Role.MERCHANT_OWNER),
    ).json()
    assert [(e["url"], e["status"]) for e in listed] == [(HOOK, "active")]
    assert "secret" not in listed[0]


def test_disabling_an_endpoint_stops_it(world: World) -> None:
    endpoint = _add(world).json()

    response = world.client.delete(
        f"/v1/checkout/webhooks/{endpoint['endpoint_id']}",
        params={"account": "bakery"},
        headers=world.auth(Role.MERCHANT_OWNER),
    )

    assert response.json()["status"] == "disabled"


@pytest.mark.parametrize("url", ["ftp://shop.example/x", "not a url", "https://"])
def test_an_endpoint_url_that_is_no_http_url_is_refused(world: World, url: str) -> None:
    assert_problem(_add(world, url), 422, "invalid_webhook_url")
    listed = world.client.get(
        "/v1/checkout/webhooks",
        params={"account": "bakery"},
        headers=world.auth(Role.MERCHANT_OWNER),
    )
    assert listed.json() == []


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:5432/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:127.0.0.1]:8000/",
        "http://localhost:8000/hooks",
        "https://hooks.lan/h",
    ],
)
def test_an_endpoint_inside_the_service_s_network_is_refused(world: World, url: str) -> None:
    before = snapshot(world.database)

    problem = assert_problem(_add(world, url), 422, "webhook_destination_refused")

    assert "private or local network" in str(problem["detail"])
    assert snapshot(world.database) == before
    listed = world.client.get(
        "/v1/checkout/webhooks",
        params={"account": "bakery"},
        headers=world.auth(Role.MERCHANT_OWNER),
    )
    assert listed.json() == []


def test_a_payment_is_delivered_signed_as_the_standard_webhooks_specification_says(
    world: World,
) -> None:
    secret = _add(world).json()["secret"]
    sale = issue(world.client, world.auth(Role.MERCHANT_CASHIER), amount="9.90")
    world.client.post(
        "/v1/checkout/pay",
        json={"request": sale["token"]},
        headers={**world.auth(Role.MEMBER), "Idempotency-Key": "p"},
    )
    sent: list[tuple[str, bytes, Mapping[str, str]]] = []

    def send(url: str, body: bytes, headers: Mapping[str, str]) -> int:
        sent.append((url, body, headers))
        return 204

    attempts = len(deliver_due(world.database, send=send, clock=world.clock))

    assert attempts == 1
    url, body, headers = sent[0]
    assert url == HOOK
    expected = _expected_signature(
        secret,
        msg_id=headers["webhook-id"],
        timestamp=headers["webhook-timestamp"],
        body=body,
    )
    assert expected in headers["webhook-signature"].split(" ")
    document = json.loads(body)
    assert document["type"] == "checkout.payment"
    assert document["data"]["receipt"]["request_id"] == sale["request_id"]
    assert document["data"]["receipt"]["amount_cents"] == 9_90


def _pay_sale(world: World, amount: str, key: str) -> dict[str, Any]:
    sale = issue(world.client, world.auth(Role.MERCHANT_CASHIER), amount=amount, key=key)
    paid = world.client.post(
        "/v1/checkout/pay",
        json={"request": sale["token"]},
        headers={**world.auth(Role.MEMBER), "Idempotency-Key": key},
    )
    assert paid.status_code == 201, paid.text
    payment: dict[str, Any] = paid.json()
    return payment


def _deliver(world: World, *answers: int) -> list[Mapping[str, str]]:
    """One delivery round whose tries get ``answers`` in turn; the headers sent."""
    scripted = list(answers)
    sent: list[Mapping[str, str]] = []

    def send(url: str, body: bytes, headers: Mapping[str, str]) -> int:
        sent.append(headers)
        return scripted.pop(0)

    deliver_due(world.database, send=send, clock=world.clock)
    assert scripted == [], "fewer deliveries were due than expected"
    return sent


def _log(world: World, endpoint_id: int, headers: dict[str, str], **params: Any) -> Any:
    return world.client.get(
        f"/v1/checkout/webhooks/{endpoint_id}/deliveries",
        params={"account": "bakery", **params},
        headers=headers,
    )


def _zoned(stamp: str) -> datetime:
    parsed = datetime.fromisoformat(stamp)
    assert parsed.utcoffset() is not None, f"{stamp} has no time zone"
    return parsed


def test_the_log_shows_a_failed_try_then_the_one_that_delivered(world: World) -> None:
    endpoint = _add(world).json()
    payment = _pay_sale(world, "4.20", "p1")
    first_headers = _deliver(world, 503)[0]
    world.clock.advance(backoff(1))
    second_headers = _deliver(world, 204)[0]

    log = _log(world, endpoint["endpoint_id"], world.auth(Role.MERCHANT_OWNER))

    assert log.status_code == 200, log.text
    (delivery,) = log.json()["items"]
    assert log.json()["next_cursor"] is None
    assert (delivery["event_id"], delivery["event_type"]) == (
        payment["event_id"],
        "checkout.payment",
    )
    assert delivery["webhook_id"] == first_headers["webhook-id"] == second_headers["webhook-id"]
    assert (delivery["status"], delivery["attempt_count"], delivery["last_status_code"]) == (
        "delivered",
        2,
        204,
    )
    assert delivery["next_attempt_at"] is None
    failed, delivered = delivery["attempts"]
    assert (failed["attempt"], failed["status_code"], failed["error"]) == (1, 503, "HTTP 503")
    assert (delivered["attempt"], delivered["status_code"], delivered["error"]) == (2, 204, "")
    assert _zoned(failed["next_attempt_at"]) - _zoned(failed["attempted_at"]) == backoff(1)
    assert delivered["next_attempt_at"] is None
    assert _zoned(delivery["delivered_at"]) == _zoned(delivered["attempted_at"])
    assert _zoned(delivery["created_at"]) <= _zoned(failed["attempted_at"])


def test_a_delivery_still_to_retry_says_when(world: World) -> None:
    endpoint = _add(world).json()
    _pay_sale(world, "1.00", "p1")
    _deliver(world, 500)

    (delivery,) = _log(world, endpoint["endpoint_id"], world.auth(Role.MERCHANT_OWNER)).json()[
        "items"
    ]

    assert (delivery["status"], delivery["attempt_count"], delivery["last_status_code"]) == (
        "pending",
        1,
        500,
    )
    assert delivery["delivered_at"] is None
    assert _zoned(delivery["next_attempt_at"]) == _zoned(
        delivery["attempts"][0]["attempted_at"]
    ) + timedelta(minutes=1)


def test_the_log_comes_newest_first_in_pages(world: World) -> None:
    endpoint = _add(world).json()
    for n in range(3):
        _pay_sale(world, f"{n + 1}.00", f"p{n}")
    owner = world.auth(Role.MERCHANT_OWNER)

    first = _log(world, endpoint["endpoint_id"], owner, limit=2).json()
    second = _log(world, endpoint["endpoint_id"], owner, limit=2, cursor=first["next_cursor"])

    ids = [d["event_id"] for d in first["items"] + second.json()["items"]]
    assert len(first["items"]) == 2 and first["next_cursor"] is not None
    assert second.json()["next_cursor"] is None
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 3
    assert all(d["attempt_count"] == 0 and d["attempts"] == [] for d in first["items"])


def test_a_cursor_the_service_never_gave_is_refused(world: World) -> None:
    endpoint = _add(world).json()

    response = _log(world, endpoint["endpoint_id"], world.auth(Role.MERCHANT_OWNER), cursor="eDE")

    assert_problem(response, 422, "invalid_request")


def _other_shop_owner(world: World) -> dict[str, str]:
    """The owner of another business, "grocer", with a sign-in token."""

    def open_grocer(conn: Connection) -> str:
        open_account(conn, "grocer", kind=AccountKind.BUSINESS, currency="MLC", now=world.clock())
        user = create_user(
            conn, "grocer-owner", password=PASSWORD, role=Role.MERCHANT_OWNER, now=world.clock()
        )
        link_account(conn, user.id, account_code="grocer")
        return issue_token(conn, user.id, now=world.clock(), ttl=timedelta(hours=1)).token

    return {"Authorization": f"Bearer {world.database.write(open_grocer)}"}


def test_another_shop_cannot_read_the_log(world: World) -> None:
    endpoint_id = _add(world).json()["endpoint_id"]
    _pay_sale(world, "2.00", "p1")
    grocer = _other_shop_owner(world)

    as_bakery = _log(world, endpoint_id, grocer)
    as_grocer = _log(world, endpoint_id, grocer, account="grocer")

    assert_problem(as_bakery, 403, "not_your_account")
    assert_problem(as_grocer, 404, "unknown_webhook_endpoint")


def test_a_cashier_does_not_read_the_log_and_an_unknown_endpoint_is_not_found(
    world: World,
) -> None:
    endpoint_id = _add(world).json()["endpoint_id"]

    assert_problem(
        _log(world, endpoint_id, world.auth(Role.MERCHANT_CASHIER)), 403, "role_forbidden"
    )
    assert_problem(
        _log(world, endpoint_id + 1, world.auth(Role.MERCHANT_OWNER)),
        404,
        "unknown_webhook_endpoint",
    )
