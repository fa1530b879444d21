"""The pool's counter for the versements' tests: payments into the régie, each with its
quittance, on the books of :mod:`tests.api.operations_support` and the town of
:mod:`tests.authorities.town`.

A payment is a transfer from a member into the régie's account and its quittance, in one
transaction, as the counter's checkout does it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection

from monnaie_locale.acting import Context
from monnaie_locale.acts import sessions
from monnaie_locale.authorities.quittances import Quittance, issue_quittance
from monnaie_locale.authorities.registry import Regie
from monnaie_locale.deployment import Deployment
from monnaie_locale.deployment import from_settings as deployment_from_settings
from monnaie_locale.ledger import service
from monnaie_locale.ledger.accounts import get_account
from monnaie_locale.model import TransferRequest
from monnaie_locale.store import Database
from tests.api.operations_support import ops_settings
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
    )


@dataclass
class Counter:
    """Payments from ``payer`` into ``regie``, each given its quittance."""

    database: Database
    clock: SteppingClock
    regie: Regie
    payer: str = "alice"

    def pay(self, units: int, *, object: str, euros: int = 0, key: str) -> Quittance:
        def write(conn: Connection) -> Quittance:
            now = self.clock()
            transaction = service.post_transfer(
                conn,
                TransferRequest.simple(self.payer, self.regie.account, units, kind="transfer"),
                idempotency_key=key,
                clock=self.clock,
            )
            return issue_quittance(
                conn,
                self.regie,
                transaction_id=transaction.id,
                year=deployment().today(now).year,
                object=object,
                payer_name="anonyme",
                payer_account_id=get_account(conn, self.payer).id,
                units=units,
                euros=euros,
                euro_means="card" if euros else None,
                now=now,
            )

        return self.database.write(write)
