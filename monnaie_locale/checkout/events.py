"""The checkout event feed: what a merchant's page shows live, and resumes without a gap.

Every payment or refund committed writes one row of ``checkout_events`` in the same
database transaction as its ledger postings, holding the signed receipt as sent. A checkout
page follows its merchant's feed over Server-Sent Events; the row id is the SSE event id.

Why the row id is a safe event id. A reader asks for "the events of merchant M after id N".
That misses nothing only if no event of M can ever commit with an id <= N after the reader
saw N. On SQLite writers are serialised, so ids are taken and committed in one order (and the
table is AUTOINCREMENT: an id is never reused). On PostgreSQL ids come from a sequence and
transactions may commit out of id order, so :func:`record_event` first locks the merchant's
account row (the ledger's balance update already holds it; the explicit lock states the
rule) and only then draws the id: two events of one merchant are serialised by that lock, the
second draws its id after the first has committed, so per merchant ids grow in commit order.
Events of different merchants may interleave; no reader mixes merchants.

Reconnecting. The browser resends the last id it received as ``Last-Event-ID``; the server
answers with :func:`events_after` that id, then waits for new ones. The journal sequence is
not used as the event id because it is assigned after commit on PostgreSQL.

Waking the page. In the same transaction :func:`record_event` sends ``NOTIFY checkout,
'<merchant account id>'`` on PostgreSQL; the notification is delivered at commit to every
worker listening (:mod:`monnaie_locale.checkout.notify`). On SQLite (one process) the caller
publishes to its in-process notifier after commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, insert, select, text

from monnaie_locale.checkout.webhooks import enqueue_deliveries
from monnaie_locale.clock import as_utc
from monnaie_locale.errors import InvalidRequest
from monnaie_locale.ledger.accounts import get_account
from monnaie_locale.store.tables import accounts
from monnaie_locale.store.tables_checkout import checkout_events

__all__ = [
    "CHANNEL",
    "MAX_PAGE",
    "CheckoutEvent",
    "events_after",
    "format_sse",
    "parse_last_event_id",
    "record_event",
]

CHANNEL = "checkout"
MAX_PAGE = 500


@dataclass(frozen=True, slots=True)
class CheckoutEvent:
    """One committed payment or refund of a merchant, as the feed delivers it."""

    id: int
    merchant_account_id: int
    kind: str  # "payment" or "refund"
    payment_id: int
    refund_id: int | None
    data: str  # the signed receipt, JSON
    created_at: datetime


def record_event(
    conn: Connection,
    *,
    merchant_account_id: int,
    kind: str,
    payment_id: int,
    refund_id: int | None,
    data: str,
    now: datetime,
) -> int:
    """Append an event to the merchant's feed, queue its webhooks, wake its pages; its id."""
    if conn.dialect.name == "postgresql":
        conn.execute(
            select(accounts.c.id).where(accounts.c.id == merchant_account_id).with_for_update()
        )
    event_id = int(
        conn.execute(
            insert(checkout_events)
            .values(
                merchant_account_id=merchant_account_id,
                kind=kind,
                payment_id=payment_id,
                refund_id=refund_id,
                data=data,
                created_at=now,
            )
            .returning(checkout_events.c.id)
        ).scalar_one()
    )
    enqueue_deliveries(conn, merchant_account_id=merchant_account_id, event_id=event_id, now=now)
    if conn.dialect.name == "postgresql":
        conn.execute(
            text("SELECT pg_notify(:channel, :payload)"),
            {"channel": CHANNEL, "payload": str(merchant_account_id)},
        )
    return event_id


def events_after(
    conn: Connection, merchant_account: str, last_event_id: int, limit: int = 100
) -> list[CheckoutEvent]:
    """The events of ``merchant_account`` with an id above ``last_event_id``, oldest first."""
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidRequest(f"ask for 1 to {MAX_PAGE} events at a time")
    account = get_account(conn, merchant_account)
    rows = conn.execute(
        select(checkout_events)
        .where(
            checkout_events.c.merchant_account_id == account.id,
            checkout_events.c.id > last_event_id,
        )
        .order_by(checkout_events.c.id)
        .limit(limit)
    ).all()
    return [
        CheckoutEvent(
            id=row.id,
            merchant_account_id=row.merchant_account_id,
            kind=row.kind,
            payment_id=row.payment_id,
            refund_id=row.refund_id,
            data=row.data,
            created_at=as_utc(row.created_at),
        )
        for row in rows
    ]


def parse_last_event_id(header: str | None) -> int:
    """The id in a ``Last-Event-ID`` header: 0 when absent, refused when not a number."""
    if header is None or not header.strip():
        return 0
    value = header.strip()
    if not value.isascii() or not value.isdigit() or len(value) > 18:
        raise InvalidRequest("Last-Event-ID must be the id of an event this feed sent")
    return int(value)


def format_sse(event: CheckoutEvent) -> str:
    """The event as one Server-Sent Events message: id, event name, data, blank line."""
    # The receipt JSON holds no newline, so it fits one data line.
    return f"id: {event.id}\nevent: {event.kind}\ndata: {event.data}\n\n"
