"""What the QR checkout needs at run time: the signing key ring, the notifier, the webhook loop.

Built once by the application factory from the settings and kept on ``app.state``; the
routes hand it to the checkout's acts, as the
:class:`~monnaie_locale.acts.checkout.CheckoutServices` they need:

* the :class:`~monnaie_locale.payments.KeyRing` of the deployment, from the configured PEM
  (a file or inline), or in development a key made at start-up, with the keys a rotation
  retired (see :mod:`monnaie_locale.signing_keys`);
* the notifier that wakes checkout pages: PostgreSQL ``LISTEN/NOTIFY`` when several worker
  processes may serve one merchant, an in-process one on SQLite (one process serves all);
* which webhook destinations are allowed (public addresses; loopback too only when
  ``MLC_WEBHOOK_ALLOW_LOOPBACK`` says so, in development);
* the loop that sends due webhooks in the background, with no transaction open while a
  request is in flight (see :mod:`monnaie_locale.checkout.webhook_delivery`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.exc import OperationalError

from monnaie_locale import signing_keys
from monnaie_locale.checkout import (
    DestinationPolicy,
    InProcessNotifier,
    Notifier,
    PostgresNotifier,
    Send,
    deliver_due,
)
from monnaie_locale.checkout.http_sender import HttpxSender
from monnaie_locale.clock import Clock
from monnaie_locale.config import Settings
from monnaie_locale.payments import KeyRing, SigningKey
from monnaie_locale.store.database import Database

__all__ = ["CheckoutDep", "CheckoutRuntime", "WebhookLoop", "build_keyring", "build_notifier"]

log = logging.getLogger("api.checkout")


def build_keyring(settings: Settings) -> KeyRing:
    """The deployment's key ring: the configured key, or an ephemeral one in development.

    Keys retired by a rotation (``MLC_SIGNING_KEY_RETIRED_DIR``) join as verification-only.
    """
    active = signing_keys.configured_key(settings)
    if active is None:
        # The settings refuse this already; never sign with a throwaway in production.
        if settings.is_production:
            raise ValueError("no signing key configured")
        log.warning("no signing key configured: payment codes are signed by a key made at start-up")
        active = SigningKey.generate()
    return KeyRing(active, verification_only=signing_keys.retired_keys(settings))


def build_notifier(database: Database) -> Notifier:
    """LISTEN/NOTIFY across workers on PostgreSQL; wake-ups within the process on SQLite."""
    if database.is_postgres:
        return PostgresNotifier.for_database(database)
    return InProcessNotifier()


class WebhookLoop:
    """Sends due webhooks every ``interval`` seconds until stopped."""

    def __init__(
        self,
        database: Database,
        *,
        clock: Clock,
        interval: float,
        send: Send | None = None,
        destinations: DestinationPolicy | None = None,
    ) -> None:
        self._database = database
        self._clock = clock
        self._interval = interval
        self._http = (
            HttpxSender(destinations=destinations, timeout_seconds=5.0) if send is None else None
        )
        self._send: Send = send if send is not None else self._http  # type: ignore[assignment]
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._http is not None:
            self._http.close()

    def deliver_once(self) -> int:
        """Send what is due now; how many attempts were made."""
        return len(deliver_due(self._database, send=self._send, clock=self._clock))

    async def _run(self) -> None:
        while True:
            # Sleep first: a process that starts and stops at once sends nothing.
            await asyncio.sleep(self._interval)
            try:
                await asyncio.to_thread(self.deliver_once)
            except OperationalError as exc:  # the database is away: the next round retries
                log.warning("webhook delivery round skipped: %s", exc.orig)
            except Exception:  # a bad round must not end the loop; the next one retries
                log.exception("webhook delivery round failed")


class CheckoutRuntime:
    """The checkout's shared objects, as the routes find them on ``app.state.checkout``.

    The notifier is made on first use (a PostgreSQL one opens a listening connection and a
    thread) and closed when the process stops (see :mod:`api.stopping`), or else with the
    application.
    """

    def __init__(self, settings: Settings, *, database: Database) -> None:
        self.keyring = build_keyring(settings)
        self.deployment_id = settings.deployment_id
        self.public_host = settings.public_host
        self.cashier_refund_limit = settings.cashier_refund_limit
        self.destinations = DestinationPolicy(allow_loopback=settings.webhook_allow_loopback)
        self._database = database
        self._notifier: Notifier | None = None
        self._lock = threading.Lock()

    @property
    def notifier(self) -> Notifier:
        with self._lock:
            if self._notifier is None:
                self._notifier = build_notifier(self._database)
            return self._notifier

    def close(self) -> None:
        """Close the notifier, which ends the open event streams; safe to call again.

        The closed notifier stays: a stream opening after this ends at once.
        """
        with self._lock:
            if self._notifier is None:
                self._notifier = InProcessNotifier()  # never needed: nothing to stop
            self._notifier.close()


def _checkout(request: Request) -> CheckoutRuntime:
    runtime: CheckoutRuntime = request.app.state.checkout
    return runtime


CheckoutDep = Annotated[CheckoutRuntime, Depends(_checkout)]
