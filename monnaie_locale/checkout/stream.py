"""The Server-Sent Events stream of a merchant's checkout page, without a web framework.

:func:`event_stream` yields the text of the SSE response body; a route only wraps it in a
streaming response with ``Content-Type: text/event-stream`` and passes the request's
``Last-Event-ID`` (read with :func:`~monnaie_locale.checkout.events.parse_last_event_id`).
Event ids are journal sequences (see :mod:`monnaie_locale.checkout.events` for why resuming
from one misses nothing).

The loop subscribes *before* its first read, so a payment committed between a read and the
next wait still wakes it; it then sends every event after the last id, and waits for a
wake-up or the keep-alive delay, whichever comes first. A keep-alive is an SSE comment line:
it keeps proxies from closing an idle connection and lets the server notice a page that has
gone. Reads run in a worker thread, since the database driver blocks.

The stream ends when the notifier closes, as the process stops: a server waits for the
responses in flight before it exits, and this one would otherwise never finish. The page's
``EventSource`` reconnects after :data:`RETRY_MILLISECONDS`, to a process still running,
and resumes from the last id it received.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from functools import partial

from sqlalchemy import Connection

from monnaie_locale.checkout.events import CheckoutEvent, events_after, format_sse
from monnaie_locale.checkout.notify import Notifier
from monnaie_locale.ledger.accounts import get_account
from monnaie_locale.store.database import Database

__all__ = ["KEEPALIVE", "RETRY_MILLISECONDS", "event_stream"]

KEEPALIVE = ": keep-alive\n\n"
# How long a browser waits before reconnecting after the connection drops.
RETRY_MILLISECONDS = 2000


def _page(conn: Connection, *, merchant_account: str, after: int, size: int) -> list[CheckoutEvent]:
    return events_after(conn, merchant_account, after, size)


async def event_stream(
    database: Database,
    notifier: Notifier,
    *,
    merchant_account: str,
    last_event_id: int,
    keepalive_seconds: float = 15.0,
    page: int = 100,
) -> AsyncGenerator[str, None]:
    """The SSE messages of ``merchant_account`` after ``last_event_id`` (a journal
    sequence), then live ones."""
    account = await asyncio.to_thread(
        database.read, lambda conn: get_account(conn, merchant_account)
    )
    yield f"retry: {RETRY_MILLISECONDS}\n\n"
    last = last_event_id
    with notifier.subscribe(account.id) as subscription:
        while not subscription.closed:
            events = await asyncio.to_thread(
                database.read,
                partial(_page, merchant_account=merchant_account, after=last, size=page),
            )
            for event in events:
                yield format_sse(event)
                last = event.sequence
            if len(events) == page:
                continue  # more are waiting: read on before sleeping
            if not await subscription.wait_async(keepalive_seconds):
                yield KEEPALIVE
