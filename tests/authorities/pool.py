"""The pool's counter for the versements' tests, on the books of
:mod:`tests.api.operations_support` and the town of :mod:`tests.authorities.town`.

Payments reach the régie as they do in the service: a sale the mandataire prepares at the
counter, paid by the payer's QR (part of it, perhaps, in euros by card), or a transfer the
payer makes into the régie's account; either gets its quittance in its own transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from monnaie_locale import checkout
from monnaie_locale.acting import Context
from monnaie_locale.acts import regie_counter, sessions, transfers
from monnaie_locale.authorities import registry
from monnaie_locale.authorities.registry import Regie
from monnaie_locale.deployment import Deployment
from monnaie_locale.deployment import from_settings as deployment_from_settings
from monnaie_locale.store import Database
from tests.api.operations_support import ops_settings
from tests.authorities.counter import KEYS
from tests.conftest import SteppingClock

__all__ = ["Counter", "acting"]


def deployment() -> Deployment:
    return deployment_from_settings(ops_settings())


def acting(database: Database, clock: SteppingClock, username: str) -> Context:
    """The context of user ``username`` on the operations' deployment."""
    return Context(
        database=database,
        actor=sessions.acting_as(database, username),
        deployment=deployment(),
        clock=clock,
        signing=KEYS,
    )


@dataclass
class Counter:
    """Payments from the member alice (user and account ``alice``) into ``regie``."""

    database: Database
    clock: SteppingClock
    regie: Regie

    def sale(self, tariff: str, *, euros: int = 0, key: str) -> None:
        """The mandataire sells ``tariff``; alice pays what is not paid in ``euros``."""
        tariffs = self.database.read(lambda conn: registry.tariffs_of(conn, self.regie))
        sale = regie_counter.prepare_sale(
            acting(self.database, self.clock, "mandataire"),
            self.regie.code,
            tariff_id=next(t.id for t in tariffs if t.label == tariff),
            euros=euros,
            euro_means="card" if euros else None,
            key=key,
        )
        self.database.write(
            lambda conn: checkout.pay(
                conn,
                sale.token,
                payer_account="alice",
                idempotency_key=f"pay-{key}",
                keyring=KEYS.keyring,
                deployment_id=KEYS.deployment_id,
                clock=self.clock,
                zone=deployment().zone,
            )
        )

    def transfer(self, units: int, *, object: str, key: str) -> None:
        """Alice transfers ``units`` into the régie, the object as the transfer's memo."""
        transfers.transfer(
            acting(self.database, self.clock, "alice"),
            "alice",
            self.regie.account,
            units,
            key=key,
            memo=object,
        )
