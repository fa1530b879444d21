"""What the QR checkout needs at run time: the signing key ring, the notifier, webhook rules.

Built once by the application factory from the settings and kept on ``app.state``; the
routes hand it to the checkout's acts, as the
:class:`~monnaie_locale.acts.checkout.CheckoutServices` they need:

* the :class:`~monnaie_locale.payments.KeyRing` of the deployment, from the configured PEM
  (a file or inline), or in development a key made at start-up, with the keys a rotation
  retired (see :mod:`monnaie_locale.signing_keys`);
* the notifier that wakes checkout pages: PostgreSQL ``LISTEN/NOTIFY`` when several worker
  processes may serve one merchant, an in-process one on SQLite (one process serves all);
* which webhook destinations are allowed (public addresses; loopback too only when
  ``MLC_WEBHOOK_ALLOW_LOOPBACK`` says so, in development).

Due webhooks are sent by the scheduled job ``deliver_webhooks`` (see
:mod:`monnaie_locale.jobs`), under the same destination rules.
"""

from __future__ import annotations

import logging
import threading
from typing import Annotated

from fastapi import Depends, Request

from monnaie_locale import signing_keys
from monnaie_locale.checkout import (
    DestinationPolicy,
    InProcessNotifier,
    Notifier,
    PostgresNotifier,
)
from monnaie_locale.config import Settings
from monnaie_locale.payments import KeyRing, SigningKey
from monnaie_locale.store.database import Database

__all__ = ["CheckoutDep", "CheckoutRuntime", "build_keyring", "build_notifier"]

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


def build_notifier(database: Database, *, listen_url: str | None = None) -> Notifier:
    """LISTEN/NOTIFY across workers on PostgreSQL; wake-ups within the process on SQLite.

    ``listen_url`` (MLC_DATABASE_LISTEN_URL) reaches the server directly when the
    database's URL goes through a pool in transaction mode, where a LISTEN would be lost.
    """
    if database.is_postgres:
        if listen_url is not None:
            return PostgresNotifier.for_url(listen_url)
        return PostgresNotifier.for_database(database)
    return InProcessNotifier()


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
        self._listen_url = settings.database_listen_url
        self._notifier: Notifier | None = None
        self._lock = threading.Lock()

    @property
    def notifier(self) -> Notifier:
        with self._lock:
            if self._notifier is None:
                self._notifier = build_notifier(self._database, listen_url=self._listen_url)
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
