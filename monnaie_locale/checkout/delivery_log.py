"""The delivery log of a webhook endpoint, as its merchant reads it.

Every event queued for an endpoint has one delivery (:mod:`.webhooks`), and every attempt
to send it one row of ``webhook_attempts``. A merchant whose server missed payments reads
here what was sent, when, what its server answered each time (the HTTP status, or why no
answer came), and when the next try is due. Deliveries come newest first; a page is read
after the last delivery id of the previous one, so deliveries queued meanwhile never shift
the pages being read.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from monnaie_locale.checkout.webhooks import event_type, get_endpoint, webhook_message_id
from monnaie_locale.clock import as_utc
from monnaie_locale.errors import InvalidRequest
from monnaie_locale.store.tables_checkout import (
    checkout_events,
    webhook_attempts,
    webhook_deliveries,
)

__all__ = ["MAX_PAGE", "Delivery", "DeliveryAttempt", "deliveries_of"]

MAX_PAGE = 200


@dataclass(frozen=True, slots=True)
class DeliveryAttempt:
    """One try at sending an event: what came back, and when the next try was set for."""

    attempt: int  # 1 for the first try
    status_code: int | None  # None: no HTTP answer (timeout, refused connection, DNS)
    error: str  # empty when the endpoint answered 2xx
    attempted_at: datetime
    next_attempt_at: datetime | None  # None: delivered, or given up


@dataclass(frozen=True, slots=True)
class Delivery:
    """One event's delivery to one endpoint, with every attempt made so far, oldest first."""

    id: int
    endpoint_id: int
    event_id: int
    event_type: str  # the ``type`` of the body sent: checkout.payment or checkout.refund
    status: str  # pending (to be tried again), delivered, or failed (given up)
    attempt_count: int
    last_status_code: int | None
    next_attempt_at: datetime | None
    created_at: datetime
    delivered_at: datetime | None
    attempts: tuple[DeliveryAttempt, ...]

    @property
    def webhook_id(self) -> str:
        """The ``webhook-id`` header every attempt carried: how the receiver tells them apart."""
        return webhook_message_id(self.event_id)


def deliveries_of(
    conn: Connection,
    endpoint_id: int,
    *,
    merchant_account: str,
    before_id: int | None = None,
    limit: int = 50,
) -> list[Delivery]:
    """Up to ``limit`` deliveries to endpoint ``endpoint_id``, newest first.

    ``before_id`` continues a listing after the last delivery it showed. An endpoint of
    another merchant is :class:`~monnaie_locale.checkout.errors.UnknownWebhookEndpoint`,
    as one that does not exist: ids cannot be probed.
    """
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidRequest(f"ask for 1 to {MAX_PAGE} deliveries at a time")
    get_endpoint(conn, endpoint_id, merchant_account=merchant_account)
    query = (
        select(webhook_deliveries, checkout_events.c.kind)
        .join(checkout_events, checkout_events.c.id == webhook_deliveries.c.event_id)
        .where(webhook_deliveries.c.endpoint_id == endpoint_id)
    )
    if before_id is not None:
        query = query.where(webhook_deliveries.c.id < before_id)
    rows = conn.execute(query.order_by(webhook_deliveries.c.id.desc()).limit(limit)).all()
    attempts = _attempts_of(conn, [row.id for row in rows])
    return [_delivery(row, attempts[row.id]) for row in rows]


def _attempts_of(conn: Connection, delivery_ids: list[int]) -> dict[int, list[DeliveryAttempt]]:
    grouped: dict[int, list[DeliveryAttempt]] = defaultdict(list)
    if not delivery_ids:
        return grouped
    rows = conn.execute(
        select(webhook_attempts)
        .where(webhook_attempts.c.delivery_id.in_(delivery_ids))
        .order_by(webhook_attempts.c.delivery_id, webhook_attempts.c.attempt)
    ).all()
    for row in rows:
        grouped[row.delivery_id].append(
            DeliveryAttempt(
                attempt=row.attempt,
                status_code=row.status_code,
                error=row.error,
                attempted_at=as_utc(row.attempted_at),
                next_attempt_at=_optional_utc(row.next_attempt_at),
            )
        )
    return grouped


def _delivery(row: Any, attempts: list[DeliveryAttempt]) -> Delivery:
    return Delivery(
        id=row.id,
        endpoint_id=row.endpoint_id,
        event_id=row.event_id,
        event_type=event_type(row.kind),
        status=row.status,
        attempt_count=row.attempts,
        last_status_code=row.last_status_code,
        next_attempt_at=_optional_utc(row.next_attempt_at),
        created_at=as_utc(row.created_at),
        delivered_at=_optional_utc(row.delivered_at),
        attempts=tuple(attempts),
    )


def _optional_utc(stamp: datetime | None) -> datetime | None:
    return None if stamp is None else as_utc(stamp)
