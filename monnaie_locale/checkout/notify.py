"""Waking the checkout pages of a merchant when one of its events reaches the feed.

A page serving a merchant's feed subscribes, reads :func:`~monnaie_locale.checkout.events.
events_after` its last sequence, sends what it found, then waits on its subscription and reads
again. A wake-up only says "read again": the events themselves always come from the
database, so a lost or duplicated wake-up costs latency, never an event. Pages should still
wait with a timeout (a keep-alive comment every 15 s or so) and read again when it expires.

A :class:`Subscription` remembers wake-ups that arrive while its page is busy reading, so
the usual subscribe / read / wait loop cannot miss one. It can be waited on from a thread
(:meth:`Subscription.wait`) or from asyncio (:meth:`Subscription.wait_async`). Closing the
notifier wakes every page one last time and marks its subscription ``closed``: the
process is stopping, and the page ends its stream, to resume on another process.

Two notifiers:

- :class:`InProcessNotifier`, for one process (SQLite): the code that committed the payment
  calls :meth:`~Notifier.publish` after the commit.
- :class:`PostgresNotifier`, for several workers: a thread holds a psycopg connection that
  ``LISTEN``\\ s on channel ``checkout``; when the journal sealer seals a payment's
  transaction, a trigger on ``journal`` sends ``NOTIFY checkout, '<merchant account id>'``
  (migration 0006), which PostgreSQL delivers at the sealer's commit to every worker,
  whichever served the payment: the feed shows only sealed events (see
  :mod:`monnaie_locale.checkout.events`). Its ``publish`` does nothing. After the listening
  connection drops and comes back, every page is woken, since notifications sent meanwhile
  are lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections import defaultdict
from typing import Protocol

import psycopg
from psycopg.conninfo import make_conninfo
from sqlalchemy.engine import URL, make_url

from monnaie_locale.checkout.events import CHANNEL
from monnaie_locale.database_url import engine_url
from monnaie_locale.store.database import Database

__all__ = ["InProcessNotifier", "Notifier", "PostgresNotifier", "Subscription"]

log = logging.getLogger(__name__)


class Subscription:
    """Wake-ups for one merchant's page; remembers those not yet waited for."""

    def __init__(self, hub: _Hub, merchant_account_id: int) -> None:
        self.merchant_account_id = merchant_account_id
        self._hub = hub
        self._condition = threading.Condition()
        self._version = 0
        self._seen = 0
        self._futures: set[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = set()

    @property
    def closed(self) -> bool:
        """True once the notifier is closed: no wake-up will come any more."""
        return self._hub.closed

    def wake(self) -> None:
        with self._condition:
            self._version += 1
            self._condition.notify_all()
            futures = list(self._futures)
        for loop, future in futures:
            # The loop may have stopped since the page subscribed; nothing is left to wake.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(_resolve, future)

    def wait(self, timeout: float) -> bool:
        """Block until woken or ``timeout`` seconds pass; True if woken since the last wait."""
        with self._condition:
            self._condition.wait_for(lambda: self._version > self._seen, timeout=timeout)
            return self._take()

    async def wait_async(self, timeout: float) -> bool:
        """Like :meth:`wait`, without blocking the event loop."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        entry = (loop, future)
        with self._condition:
            if self._version > self._seen:
                return self._take()
            self._futures.add(entry)
        try:
            await asyncio.wait_for(future, timeout)
        except TimeoutError:
            pass
        finally:
            with self._condition:
                self._futures.discard(entry)
        with self._condition:
            return self._take()

    def close(self) -> None:
        self._hub.remove(self)

    def __enter__(self) -> Subscription:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _take(self) -> bool:
        woken = self._version > self._seen
        self._seen = self._version
        return woken


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


class _Hub:
    """The subscriptions of this process, by merchant account id."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_merchant: dict[int, set[Subscription]] = defaultdict(set)
        self.closed = False

    def add(self, merchant_account_id: int) -> Subscription:
        subscription = Subscription(self, merchant_account_id)
        with self._lock:
            self._by_merchant[merchant_account_id].add(subscription)
        return subscription

    def remove(self, subscription: Subscription) -> None:
        with self._lock:
            subscribers = self._by_merchant.get(subscription.merchant_account_id)
            if subscribers is not None:
                subscribers.discard(subscription)
                if not subscribers:
                    del self._by_merchant[subscription.merchant_account_id]

    def close(self) -> None:
        """Wake every page a last time, as closed."""
        self.closed = True
        self.wake(None)

    def wake(self, merchant_account_id: int | None) -> None:
        """Wake the pages of one merchant, or of all when ``None``."""
        with self._lock:
            if merchant_account_id is None:
                targets = [s for group in self._by_merchant.values() for s in group]
            else:
                targets = list(self._by_merchant.get(merchant_account_id, ()))
        for subscription in targets:
            subscription.wake()


class Notifier(Protocol):
    """What a checkout page and the code that books payments need from a notifier."""

    def subscribe(self, merchant_account_id: int) -> Subscription: ...

    def publish(self, merchant_account_id: int) -> None:
        """Called after a commit that recorded events of the merchant."""

    def close(self) -> None:
        """Stop waking pages; those subscribed are woken a last time, as closed."""


class InProcessNotifier:
    """Wake-ups within one process: enough with SQLite, where one process serves all."""

    def __init__(self) -> None:
        self._hub = _Hub()

    def subscribe(self, merchant_account_id: int) -> Subscription:
        return self._hub.add(merchant_account_id)

    def publish(self, merchant_account_id: int) -> None:
        self._hub.wake(merchant_account_id)

    def close(self) -> None:
        self._hub.close()


class PostgresNotifier:
    """Wake-ups across processes through PostgreSQL ``LISTEN checkout``.

    ``conninfo`` is a libpq connection string or ``postgresql://`` URL; the listening
    connection is the only one this object opens, in its own daemon thread. When it
    breaks (the server restarts, or a standby takes over), the thread connects again
    every ``retry_seconds`` until a server takes it.
    """

    def __init__(self, conninfo: str, *, poll_seconds: float = 1.0, retry_seconds: float = 2.0):
        self._conninfo = conninfo
        self._poll = poll_seconds
        self._retry = retry_seconds
        self._hub = _Hub()
        self._stop = threading.Event()
        self._listening = threading.Event()
        self._thread = threading.Thread(target=self._run, name="checkout-listen", daemon=True)
        self._thread.start()

    @classmethod
    def for_database(cls, database: Database, **options: float) -> PostgresNotifier:
        """A notifier listening on the server and database of ``database``.

        The connection parameters are the engine's own, so that with several servers
        named (see :func:`~monnaie_locale.database_url.engine_url`) the listening
        connection, too, finds the one that takes writes, after a failover as well.
        """
        return cls(_conninfo(database.engine.url), **options)

    @classmethod
    def for_url(cls, url: str, **options: float) -> PostgresNotifier:
        """A notifier listening at ``url``, spelt as the database's URL may be."""
        return cls(_conninfo(make_url(engine_url(url))), **options)

    def wait_listening(self, timeout: float) -> bool:
        """True once the LISTEN is in place: notifications committed from then on arrive."""
        return self._listening.wait(timeout)

    def subscribe(self, merchant_account_id: int) -> Subscription:
        return self._hub.add(merchant_account_id)

    def publish(self, merchant_account_id: int) -> None:
        """Nothing to do: the sealer's NOTIFY reaches every worker once the event is sealed."""

    def close(self) -> None:
        self._hub.close()  # first: the pages end now, not after the thread
        self._stop.set()
        self._thread.join(timeout=self._poll + 5)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._listen()
            except psycopg.Error as exc:
                self._listening.clear()
                log.warning("checkout LISTEN connection lost, retrying: %s", exc)
                self._stop.wait(self._retry)

    def _listen(self) -> None:
        with psycopg.connect(self._conninfo, autocommit=True) as conn:
            conn.execute(f"LISTEN {CHANNEL}")
            self._listening.set()
            # Whatever was notified while no connection listened is lost: read again.
            self._hub.wake(None)
            while not self._stop.is_set():
                for notify in conn.notifies(timeout=self._poll, stop_after=100):
                    self._dispatch(notify.payload)

    def _dispatch(self, payload: str) -> None:
        # Other schemas of the same database share the channel; a payload that is not an
        # account id of ours only causes a harmless extra read.
        if payload.isascii() and payload.isdigit():
            self._hub.wake(int(payload))


def _conninfo(url: URL) -> str:
    """libpq's connection string for the server(s) and database ``url`` names."""
    # A pool's option (see store.database) is no libpq parameter; LISTEN never goes there.
    url = url.difference_update_query(["prepare_threshold"])
    _, params = url.get_dialect()().create_connect_args(url)
    # The dialect adds objects of its own (its adapters) beside the libpq parameters.
    libpq = {name: value for name, value in params.items() if isinstance(value, str | int)}
    return make_conninfo("", **libpq)
