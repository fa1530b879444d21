"""The checkout event feed: what a merchant's page shows live, and resumes without a gap.

Every payment or refund committed writes one row of ``checkout_events`` in the same
database transaction as its ledger postings, holding the signed receipt as sent and the
transaction's id. A checkout page follows its merchant's feed over Server-Sent Events, and
each event's SSE id is the *journal sequence* of its transaction: the place the
hash-chained journal (:mod:`monnaie_locale.journal`) gives it.

Why the journal sequence is a safe resume point. A reader asks for "the events of merchant
M sealed after sequence N". That misses nothing only if no event of M can ever appear with
a sequence <= N after the reader saw N. The journal guarantees it: sequences are handed out
by one sealer at a time, each above every sequence already committed, and in the same
database transaction as the entries themselves; so once a reader sees entry N, every entry
up to N is committed and visible to it, and every later one gets a greater number. And the
event row is committed no later than its journal entry (the sealer only takes committed
transactions), so whoever sees the entry sees the event.

The price: the feed shows only *sealed* events. On SQLite the posting engine seals each
transaction inside its own commit, so an event is in the feed the moment it commits. On
PostgreSQL the sealer (the job ``seal_journal`` of :mod:`monnaie_locale.jobs`) numbers
transactions a moment after commit (every 0.2 s in the service); an event reaches the
page that much later, never out of order and never twice. A receipt signed inside the
paying transaction therefore carries ``journal_sequence`` 0 on PostgreSQL ("not sealed
yet"), while the SSE id that brings it is the sequence it got.

Reconnecting. The browser resends the last id it received as ``Last-Event-ID``; the server
answers with :func:`events_after` that sequence, then waits for new ones. A new page
starts from :func:`latest_sequence`, the journal's head.

Waking the page. On SQLite the process that committed the payment publishes to its
in-process notifier after commit. On PostgreSQL a trigger on ``journal`` (migration 0006)
sends ``NOTIFY checkout, '<merchant account id>'`` for each merchant with an event among
the entries being sealed, delivered at the sealer's commit to every worker listening
(:mod:`monnaie_locale.checkout.notify`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, func, insert, select

from monnaie_locale.checkout.webhooks import enqueue_deliveries
from monnaie_locale.clock import as_utc
from monnaie_locale.errors import InvalidRequest
from monnaie_locale.ledger.accounts import get_account
from monnaie_locale.store.tables import journal
from monnaie_locale.store.tables_checkout import checkout_events

__all__ = [
    "CHANNEL",
    "MAX_PAGE",
    "CheckoutEvent",
    "events_after",
    "format_sse",
    "latest_sequence",
    "parse_last_event_id",
    "record_event",
]

CHANNEL = "checkout"
MAX_PAGE = 500


@dataclass(frozen=True, slots=True)
class CheckoutEvent:
    """One sealed payment or refund of a merchant, as the feed delivers it."""

    id: int  # the row's id: what webhooks name it by (msg_<id>)
    sequence: int  # its transaction's journal sequence: the SSE id
    transaction_id: int
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
    transaction_id: int,
    data: str,
    now: datetime,
) -> int:
    """Append the event of ``transaction_id`` to the merchant's feed and queue its webhooks;
    its row id. The feed shows it once the transaction is sealed into the journal."""
    event_id = int(
        conn.execute(
            insert(checkout_events)
            .values(
                merchant_account_id=merchant_account_id,
                kind=kind,
                payment_id=payment_id,
                refund_id=refund_id,
                transaction_id=transaction_id,
                data=data,
                created_at=now,
            )
            .returning(checkout_events.c.id)
        ).scalar_one()
    )
    enqueue_deliveries(conn, merchant_account_id=merchant_account_id, event_id=event_id, now=now)
    return event_id


def events_after(
    conn: Connection, merchant_account: str, last_sequence: int, limit: int = 100
) -> list[CheckoutEvent]:
    """The sealed events of ``merchant_account`` whose journal sequence is above
    ``last_sequence``, in journal order."""
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidRequest(f"ask for 1 to {MAX_PAGE} events at a time")
    account = get_account(conn, merchant_account)
    rows = conn.execute(
        select(checkout_events, journal.c.seq)
        .join(journal, journal.c.transaction_id == checkout_events.c.transaction_id)
        .where(
            checkout_events.c.merchant_account_id == account.id,
            journal.c.seq > last_sequence,
        )
        .order_by(journal.c.seq)
        .limit(limit)
    ).all()
    return [
        CheckoutEvent(
            id=row.id,
            sequence=row.seq,
            transaction_id=row.transaction_id,
            merchant_account_id=row.merchant_account_id,
            kind=row.kind,
            payment_id=row.payment_id,
            refund_id=row.refund_id,
            data=row.data,
            created_at=as_utc(row.created_at),
        )
        for row in rows
    ]


def latest_sequence(conn: Connection) -> int:
    """The journal's last sequence now (0 when empty): where a new page starts reading.

    Events committed but not yet sealed get a greater sequence, so a page opened now
    still receives them.
    """
    return int(conn.execute(select(func.coalesce(func.max(journal.c.seq), 0))).scalar_one())


def parse_last_event_id(header: str | None) -> int:
    """The sequence in a ``Last-Event-ID`` header: 0 when absent, refused when not a number."""
    if header is None or not header.strip():
        return 0
    value = header.strip()
    if not value.isascii() or not value.isdigit() or len(value) > 18:
        raise InvalidRequest("Last-Event-ID must be the id of an event this feed sent")
    return int(value)


def format_sse(event: CheckoutEvent) -> str:
    """The event as one Server-Sent Events message: id, event name, data, blank line."""
    # The receipt JSON holds no newline, so it fits one data line.
    return f"id: {event.sequence}\nevent: {event.kind}\ndata: {event.data}\n\n"
