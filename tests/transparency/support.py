"""What the published log's tests share: books with a few payments, and a log to sign them."""

from __future__ import annotations

from monnaie_locale.deployment import Deployment
from monnaie_locale.model import AccountKind
from monnaie_locale.payments.keys import KeyRing, SigningKey
from monnaie_locale.store import Database
from monnaie_locale.transparency.publishing import Cadence, Outcome, Publisher, publish
from tests.conftest import MLC, SteppingClock
from tests.engine import Engine

__all__ = ["DEPLOYMENT", "ORIGIN", "open_books", "pay", "publisher", "run"]

ORIGIN = "pay.example/mlc"
DEPLOYMENT = Deployment(unit=MLC)


def publisher() -> Publisher:
    return Publisher(ORIGIN, KeyRing(SigningKey.generate()))


def open_books(ledger: Engine) -> Engine:
    """alice and the bakery, alice funded with 50.00."""
    ledger.open_account("alice", kind=AccountKind.MEMBER, currency="MLC")
    ledger.open_account("bob", kind=AccountKind.MEMBER, currency="MLC")
    ledger.open_account("bakery", kind=AccountKind.BUSINESS, currency="MLC")
    ledger.transfer("issuance", "alice", 5000, idempotency_key="fund")
    return ledger


def pay(ledger: Engine, count: int, *, start: int = 0, payer: str = "alice") -> None:
    """``count`` payments of a few cents from ``payer`` to the bakery, each sealed."""
    for n in range(start, start + count):
        ledger.transfer(payer, "bakery", 10 + n, idempotency_key=f"pay-{payer}-{n}")
    ledger.seal_journal()


def run(
    database: Database,
    log: Publisher,
    clock: SteppingClock,
    *,
    entries: int = 1000,
    minutes: int = 60,
    forced: bool = False,
) -> Outcome:
    """One run of the checkpoint job (``forced``: a checkpoint asked now)."""
    cadence = None if forced else Cadence(entries, minutes)
    return publish(database, DEPLOYMENT, publisher=log, clock=clock, cadence=cadence)
