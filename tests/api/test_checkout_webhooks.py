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
from typing import Any

import pytest

from api.checkout_runtime import WebhookLoop
from monnaie_locale.auth import Role
from monnaie_locale.config import Settings
from tests.api.conftest import World
from tests.api.helpers import assert_problem
from tests.e2e.support import issue

HOOK = "https://shop.example/hooks"


@pytest.fixture
def settings() -> Settings:
    # No background round during a test: the test sends what is due itself.
    return Settings(max_body_bytes=4096, login_attempts_per_minute=1000, webhook_poll_seconds=3600)


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

    attempts = WebhookLoop(world.database, clock=world.clock, interval=1, send=send).deliver_once()

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
