"""Sending the webhooks that are due, with no database transaction open during a request.

A merchant's server may take seconds to answer, or never answer. Were the request sent
inside a write transaction, every writer would wait for it: on SQLite the transaction holds
the database's only write lock, so sign-ins and payments would queue behind a slow
endpoint. So a round (:func:`deliver_due`) has three steps, each transaction short:

1. *Claim*, in one write transaction: the due deliveries are read (``FOR UPDATE SKIP
   LOCKED`` on PostgreSQL, so two workers never claim one), their attempt count raised and
   their next attempt put :data:`CLAIM_LEASE` ahead, then it commits. Another worker's round
   leaves them alone meanwhile; should this process die in the middle, they are due again
   once the lease has passed (a receiver then sees the ``webhook-id`` twice, which the
   specification lets it drop).
2. *Send*, with no transaction open: one HTTP request per delivery.
3. *Record*, one short write transaction per delivery: its new state and one row of the
   delivery log. A delivery disabled while its request was in flight stays given up; the
   attempt is still logged.

A sender that refuses the destination (:class:`~monnaie_locale.checkout.destinations.
DestinationRefused`: the host now resolves into a private network) sent nothing; the log
says "refused" and nothing more, so it tells nobody what answers inside the network.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy import Connection, insert, select, update

from monnaie_locale.checkout.destinations import DestinationRefused
from monnaie_locale.checkout.tokens import unix_seconds
from monnaie_locale.checkout.webhooks import (
    MAX_ATTEMPTS,
    DeliveryFailed,
    Send,
    backoff,
    webhook_body,
    webhook_message_id,
)
from monnaie_locale.clock import Clock
from monnaie_locale.payments.webhooks import sign
from monnaie_locale.store.database import Database
from monnaie_locale.store.tables_checkout import (
    checkout_events,
    webhook_attempts,
    webhook_deliveries,
    webhook_endpoints,
)

__all__ = ["CLAIM_LEASE", "REFUSED", "DeliveryResult", "deliver_due"]

# Far longer than a request may take (the service's sender gives up after seconds), so a
# delivery in flight is never claimed twice.
CLAIM_LEASE = timedelta(minutes=10)
# What the log says of a destination refused at delivery: no address, no status.
REFUSED = "refused: the URL's host is not a public internet address"


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


@dataclass(frozen=True, slots=True)
class _Claimed:
    """A delivery taken for one attempt: the request to send, signed."""

    delivery_id: int
    event_id: int
    endpoint_id: int
    attempt: int  # the number of this try, 1 for the first
    url: str
    body: bytes
    headers: dict[str, str]
    attempted_at: datetime


def deliver_due(
    database: Database, *, send: Send, clock: Clock, limit: int = 20
) -> list[DeliveryResult]:
    """Attempt up to ``limit`` deliveries whose time has come; log each attempt.

    Opens its own short transactions; call it with none open.
    """
    claimed = database.write(partial(_claim, now=clock(), limit=limit))
    results = []
    for delivery in claimed:
        status_code, error = _send(send, delivery)
        outcome = partial(_record, delivery=delivery, status_code=status_code, error=error)
        results.append(database.write(outcome))
    return results


def _claim(conn: Connection, *, now: datetime, limit: int) -> list[_Claimed]:
    _give_up_abandoned(conn, now=now)
    claimed = [_message(row, now=now) for row in _due(conn, now=now, limit=limit)]
    for delivery in claimed:
        conn.execute(
            update(webhook_deliveries)
            .where(webhook_deliveries.c.id == delivery.delivery_id)
            .values(attempts=delivery.attempt, next_attempt_at=now + CLAIM_LEASE)
        )
    return claimed


def _give_up_abandoned(conn: Connection, *, now: datetime) -> None:
    """Fail deliveries whose last attempt was claimed and never recorded (a process died)."""
    conn.execute(
        update(webhook_deliveries)
        .where(
            webhook_deliveries.c.status == "pending",
            webhook_deliveries.c.attempts >= MAX_ATTEMPTS,
            webhook_deliveries.c.next_attempt_at <= now,
        )
        .values(status="failed", next_attempt_at=None)
    )


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
            webhook_deliveries.c.attempts < MAX_ATTEMPTS,
            webhook_endpoints.c.status == "active",
        )
        .order_by(webhook_deliveries.c.next_attempt_at, webhook_deliveries.c.id)
        .limit(limit)
    )
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=webhook_deliveries)
    return list(conn.execute(query).all())


def _message(row: Any, *, now: datetime) -> _Claimed:
    body = webhook_body(kind=row.kind, data=row.data, created_at=row.created_at)
    signed = sign(
        body,
        secret=row.secret,
        msg_id=webhook_message_id(row.event_id),
        timestamp=unix_seconds(now),
    )
    return _Claimed(
        delivery_id=row.id,
        event_id=row.event_id,
        endpoint_id=row.endpoint_id,
        attempt=row.attempts + 1,
        url=row.url,
        body=body,
        headers={"content-type": "application/json", **signed},
        attempted_at=now,
    )


def _send(send: Send, delivery: _Claimed) -> tuple[int | None, str]:
    """The endpoint's status code, or None and why no answer came."""
    try:
        return send(delivery.url, delivery.body, delivery.headers), ""
    except DestinationRefused:
        return None, REFUSED
    except DeliveryFailed as exc:
        return None, str(exc) or type(exc).__name__


def _current_status(conn: Connection, delivery_id: int) -> str:
    return str(
        conn.execute(
            select(webhook_deliveries.c.status).where(webhook_deliveries.c.id == delivery_id)
        ).scalar_one()
    )


def _record(
    conn: Connection,
    *,
    delivery: _Claimed,
    status_code: int | None,
    error: str,
) -> DeliveryResult:
    attempt, at = delivery.attempt, delivery.attempted_at
    if status_code is not None and 200 <= status_code < 300:
        status, next_at = "delivered", None
    elif attempt >= MAX_ATTEMPTS:
        status, next_at = "failed", None
    else:
        status, next_at = "pending", at + backoff(attempt)
    if status_code is not None and not error and status != "delivered":
        error = f"HTTP {status_code}"
    # Only the claim this attempt made: an endpoint disabled meanwhile stays given up.
    updated = conn.execute(
        update(webhook_deliveries)
        .where(
            webhook_deliveries.c.id == delivery.delivery_id,
            webhook_deliveries.c.status == "pending",
            webhook_deliveries.c.attempts == attempt,
        )
        .values(
            status=status,
            next_attempt_at=next_at,
            last_status_code=status_code,
            delivered_at=at if status == "delivered" else None,
        )
    )
    if updated.rowcount == 0:  # given up meanwhile: say so rather than what was planned
        status, next_at = _current_status(conn, delivery.delivery_id), None
    conn.execute(
        insert(webhook_attempts).values(
            delivery_id=delivery.delivery_id,
            attempt=attempt,
            status_code=status_code,
            error=error[:1000],
            attempted_at=at,
            next_attempt_at=next_at,
        )
    )
    return DeliveryResult(
        delivery_id=delivery.delivery_id,
        event_id=delivery.event_id,
        endpoint_id=delivery.endpoint_id,
        attempt=attempt,
        status_code=status_code,
        status=status,
        next_attempt_at=next_at,
    )
