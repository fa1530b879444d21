"""Webhooks: a merchant's own server told of every payment and refund, signed, with retries.

A merchant registers endpoints (a URL; the service generates the ``whsec_`` secret and shows
it once). Each checkout event queues one delivery per active endpoint, in the transaction
that booked the money, so a committed payment is never left without its notification and a
rolled-back one never has one. The deliveries are sent later, outside any transaction
(:mod:`monnaie_locale.checkout.webhook_delivery`), signed as the Standard Webhooks
specification describes (:mod:`monnaie_locale.payments.webhooks`), and every attempt is
logged (:mod:`monnaie_locale.checkout.delivery_log`).

An endpoint's URL must point to the public internet: its host is checked before it is
registered, and again at every delivery (:mod:`monnaie_locale.checkout.destinations`).

Retries. A delivery that gets no 2xx answer is tried again after an exponentially growing
delay (:func:`backoff`: 1 min, 4 min, 16 min, ~1 h, ~4 h, then every 12 h), 8 attempts in all
over about a day and a half, then marked failed. The ``webhook-id`` stays the same across
retries so the receiver can drop duplicates.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, insert, select, update

from monnaie_locale.checkout.destinations import CheckedUrl
from monnaie_locale.checkout.directory import merchant
from monnaie_locale.checkout.errors import UnknownWebhookEndpoint
from monnaie_locale.clock import Clock, as_utc
from monnaie_locale.ledger.accounts import get_account
from monnaie_locale.payments.webhooks import generate_secret
from monnaie_locale.store.tables_checkout import webhook_deliveries, webhook_endpoints

__all__ = [
    "BACKOFF_BASE",
    "BACKOFF_CAP",
    "MAX_ATTEMPTS",
    "DeliveryFailed",
    "Send",
    "WebhookEndpoint",
    "add_endpoint",
    "backoff",
    "disable_endpoint",
    "enqueue_deliveries",
    "event_type",
    "get_endpoint",
    "list_endpoints",
    "webhook_body",
    "webhook_message_id",
]

MAX_ATTEMPTS = 8
BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_FACTOR = 4
BACKOFF_CAP = timedelta(hours=12)

# send(url, body, headers) -> HTTP status code; raises DeliveryFailed when no answer came,
# DestinationRefused when the URL's host is not a public address (nothing was sent).
Send = Callable[[str, bytes, Mapping[str, str]], int]


class DeliveryFailed(Exception):
    """Raised by a sender when the request got no HTTP answer (timeout, refused, DNS)."""


@dataclass(frozen=True, slots=True)
class WebhookEndpoint:
    id: int
    merchant_account_id: int
    url: str
    secret: str  # whsec_...: shown to the merchant, who verifies signatures with it
    status: str
    created_at: datetime


def backoff(attempt: int) -> timedelta:
    """The delay after failed attempt number ``attempt`` (1-based) before the next one."""
    growth: int = BACKOFF_FACTOR ** max(attempt - 1, 0)
    return min(BACKOFF_BASE * growth, BACKOFF_CAP)


def add_endpoint(
    conn: Connection, *, merchant_account: str, url: CheckedUrl, clock: Clock
) -> WebhookEndpoint:
    """Register ``url`` for the events of ``merchant_account``, with a new secret.

    ``url`` comes from :meth:`~monnaie_locale.checkout.destinations.DestinationPolicy.
    check_url`, called before the transaction opens: it may wait for DNS.
    """
    account = merchant(conn, merchant_account)
    endpoint_id = conn.execute(
        insert(webhook_endpoints)
        .values(
            merchant_account_id=account.id,
            url=url.url,
            secret=generate_secret(),
            status="active",
            created_at=clock(),
        )
        .returning(webhook_endpoints.c.id)
    ).scalar_one()
    return _endpoint(conn, int(endpoint_id), merchant_account_id=account.id)


def get_endpoint(conn: Connection, endpoint_id: int, *, merchant_account: str) -> WebhookEndpoint:
    """The endpoint ``endpoint_id`` of ``merchant_account``; another merchant's is unknown."""
    account = get_account(conn, merchant_account)
    return _endpoint(conn, endpoint_id, merchant_account_id=account.id)


def list_endpoints(conn: Connection, merchant_account: str) -> list[WebhookEndpoint]:
    account = get_account(conn, merchant_account)
    rows = conn.execute(
        select(webhook_endpoints)
        .where(webhook_endpoints.c.merchant_account_id == account.id)
        .order_by(webhook_endpoints.c.id)
    ).all()
    return [_endpoint_from_row(row) for row in rows]


def disable_endpoint(
    conn: Connection, endpoint_id: int, *, merchant_account: str
) -> WebhookEndpoint:
    """Stop sending to an endpoint; what it had pending is given up."""
    account = get_account(conn, merchant_account)
    _endpoint(conn, endpoint_id, merchant_account_id=account.id)
    conn.execute(
        update(webhook_endpoints)
        .where(webhook_endpoints.c.id == endpoint_id)
        .values(status="disabled")
    )
    conn.execute(
        update(webhook_deliveries)
        .where(
            webhook_deliveries.c.endpoint_id == endpoint_id,
            webhook_deliveries.c.status == "pending",
        )
        .values(status="failed", next_attempt_at=None)
    )
    return _endpoint(conn, endpoint_id, merchant_account_id=account.id)


def enqueue_deliveries(
    conn: Connection, *, merchant_account_id: int, event_id: int, now: datetime
) -> int:
    """Queue ``event_id`` for every active endpoint of the merchant; how many were queued."""
    endpoint_ids = (
        conn.execute(
            select(webhook_endpoints.c.id).where(
                webhook_endpoints.c.merchant_account_id == merchant_account_id,
                webhook_endpoints.c.status == "active",
            )
        )
        .scalars()
        .all()
    )
    if endpoint_ids:
        conn.execute(
            insert(webhook_deliveries),
            [
                {
                    "endpoint_id": endpoint_id,
                    "event_id": event_id,
                    "status": "pending",
                    "attempts": 0,
                    "next_attempt_at": now,
                    "created_at": now,
                }
                for endpoint_id in endpoint_ids
            ],
        )
    return len(endpoint_ids)


def event_type(kind: str) -> str:
    """The ``type`` a webhook body gives an event of ``kind`` (payment, refund)."""
    return f"checkout.{kind}"


def webhook_message_id(event_id: int) -> str:
    """The ``webhook-id`` of an event: the same on every retry, so receivers drop repeats."""
    return f"msg_{event_id}"


def webhook_body(*, kind: str, data: str, created_at: datetime) -> bytes:
    """The JSON body of an event, in the Standard Webhooks shape (type, timestamp, data)."""
    document = {
        "type": event_type(kind),
        "timestamp": as_utc(created_at).isoformat(),
        "data": json.loads(data),
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode("ascii")


def _endpoint(conn: Connection, endpoint_id: int, *, merchant_account_id: int) -> WebhookEndpoint:
    row = conn.execute(
        select(webhook_endpoints).where(
            webhook_endpoints.c.id == endpoint_id,
            webhook_endpoints.c.merchant_account_id == merchant_account_id,
        )
    ).first()
    if row is None:
        raise UnknownWebhookEndpoint(endpoint_id)
    return _endpoint_from_row(row)


def _endpoint_from_row(row: Any) -> WebhookEndpoint:
    return WebhookEndpoint(
        id=row.id,
        merchant_account_id=row.merchant_account_id,
        url=row.url,
        secret=row.secret,
        status=row.status,
        created_at=as_utc(row.created_at),
    )
