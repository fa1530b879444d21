"""Webhooks: a merchant's own server told of every payment and refund, signed, with retries.

A merchant registers endpoints (a URL; the service generates the ``whsec_`` secret and shows
it once). Each checkout event queues one delivery per active endpoint, in the transaction
that booked the money, so a committed payment is never left without its notification and a
rolled-back one never has one. :func:`deliver_due`, run periodically by the service, sends
what is due, signed as the Standard Webhooks specification describes
(:mod:`monnaie_locale.payments.webhooks`), and logs every attempt.

Retries. A delivery that gets no 2xx answer is tried again after an exponentially growing
delay (:func:`backoff`: 1 min, 4 min, 16 min, ~1 h, ~4 h, then every 12 h), 8 attempts in all
over about a day and a half, then marked failed. The ``webhook-id`` stays the same across
retries so the receiver can drop duplicates. On PostgreSQL due deliveries are claimed with
``FOR UPDATE SKIP LOCKED``, so several workers never send one twice at once.

The HTTP call is injected (:data:`Send`): tests need no network, and the service passes
:class:`monnaie_locale.checkout.http_sender.HttpxSender`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Connection, insert, select, update

from monnaie_locale.checkout.directory import merchant
from monnaie_locale.checkout.errors import InvalidWebhookUrl, UnknownWebhookEndpoint
from monnaie_locale.checkout.tokens import unix_seconds
from monnaie_locale.clock import Clock, as_utc
from monnaie_locale.ledger.accounts import get_account
from monnaie_locale.payments.webhooks import generate_secret, sign
from monnaie_locale.store.tables_checkout import (
    checkout_events,
    webhook_attempts,
    webhook_deliveries,
    webhook_endpoints,
)

__all__ = [
    "BACKOFF_BASE",
    "BACKOFF_CAP",
    "MAX_ATTEMPTS",
    "DeliveryFailed",
    "DeliveryResult",
    "Send",
    "WebhookEndpoint",
    "add_endpoint",
    "backoff",
    "deliver_due",
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
MAX_URL_LENGTH = 2000

# send(url, body, headers) -> HTTP status code; raises DeliveryFailed when no answer came.
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


@dataclass(frozen=True, slots=True)
class DeliveryResult:
    """What one attempt of :func:`deliver_due` did."""

    delivery_id: int
    event_id: int
    endpoint_id: int
    attempt: int
    status_code: int | None
    status: str  # delivered, pending (will retry) or failed (gave up)
    next_attempt_at: datetime | None


def backoff(attempt: int) -> timedelta:
    """The delay after failed attempt number ``attempt`` (1-based) before the next one."""
    growth: int = BACKOFF_FACTOR ** max(attempt - 1, 0)
    return min(BACKOFF_BASE * growth, BACKOFF_CAP)


def add_endpoint(
    conn: Connection, *, merchant_account: str, url: str, clock: Clock
) -> WebhookEndpoint:
    """Register ``url`` for the events of ``merchant_account``, with a new secret."""
    account = merchant(conn, merchant_account)
    _check_url(url)
    endpoint_id = conn.execute(
        insert(webhook_endpoints)
        .values(
            merchant_account_id=account.id,
            url=url,
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


def deliver_due(
    conn: Connection, *, send: Send, clock: Clock, limit: int = 20
) -> list[DeliveryResult]:
    """Attempt up to ``limit`` deliveries whose time has come; log each attempt.

    The caller owns the transaction; keep ``limit`` small and the sender's timeout short,
    since the claimed rows stay locked while the requests are sent.
    """
    now = clock()
    return [_attempt(conn, row, send=send, now=now) for row in _due(conn, now=now, limit=limit)]


def _due(conn: Connection, *, now: datetime, limit: int) -> list[Any]:
    query = (
        select(
            webhook_deliveries.c.id,
            webhook_deliveries.c.event_id,
            webhook_deliveries.c.endpoint_id,
            webhook_deliveries.c.attempts,
            webhook_endpoints.c.url,
            webhook_endpoints.c.secret,
            checkout_events.c.kind,
            checkout_events.c.data,
            checkout_events.c.created_at,
        )
        .join(webhook_endpoints, webhook_endpoints.c.id == webhook_deliveries.c.endpoint_id)
        .join(checkout_events, checkout_events.c.id == webhook_deliveries.c.event_id)
        .where(
            webhook_deliveries.c.status == "pending",
            webhook_deliveries.c.next_attempt_at <= now,
            webhook_endpoints.c.status == "active",
        )
        .order_by(webhook_deliveries.c.next_attempt_at, webhook_deliveries.c.id)
        .limit(limit)
    )
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=webhook_deliveries)
    return list(conn.execute(query).all())


def _attempt(conn: Connection, row: Any, *, send: Send, now: datetime) -> DeliveryResult:
    body = webhook_body(kind=row.kind, data=row.data, created_at=row.created_at)
    headers = {
        "content-type": "application/json",
        **sign(
            body,
            secret=row.secret,
            msg_id=webhook_message_id(row.event_id),
            timestamp=unix_seconds(now),
        ),
    }
    attempt = row.attempts + 1
    status_code: int | None
    try:
        status_code, error = send(row.url, body, headers), ""
    except DeliveryFailed as exc:
        status_code, error = None, str(exc) or type(exc).__name__
    if status_code is not None and 200 <= status_code < 300:
        status, next_at = "delivered", None
    elif attempt >= MAX_ATTEMPTS:
        status, next_at = "failed", None
    else:
        status, next_at = "pending", now + backoff(attempt)
    if status_code is not None and not error and status != "delivered":
        error = f"HTTP {status_code}"
    conn.execute(
        update(webhook_deliveries)
        .where(webhook_deliveries.c.id == row.id)
        .values(
            status=status,
            attempts=attempt,
            next_attempt_at=next_at,
            last_status_code=status_code,
            delivered_at=now if status == "delivered" else None,
        )
    )
    conn.execute(
        insert(webhook_attempts).values(
            delivery_id=row.id,
            attempt=attempt,
            status_code=status_code,
            error=error[:1000],
            attempted_at=now,
            next_attempt_at=next_at,
        )
    )
    return DeliveryResult(
        delivery_id=row.id,
        event_id=row.event_id,
        endpoint_id=row.endpoint_id,
        attempt=attempt,
        status_code=status_code,
        status=status,
        next_attempt_at=next_at,
    )


def _check_url(url: str) -> None:
    if len(url) > MAX_URL_LENGTH or any(char.isspace() for char in url):
        raise InvalidWebhookUrl(url)
    parts = urlsplit(url)
    if parts.scheme not in {"https", "http"} or not parts.hostname:
        raise InvalidWebhookUrl(url)


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
