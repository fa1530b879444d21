"""Fixtures for the QR payment flow: a ledger with a bakery, a town pool, two members, the
deployment's key ring, and shortcuts that run each use case in its own write transaction,
on the shared ``database`` fixture (SQLite and PostgreSQL)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Table, func, select, update

from monnaie_locale import checkout
from monnaie_locale.checkout.destinations import DestinationPolicy, Unresolvable
from monnaie_locale.model import AccountKind
from monnaie_locale.payments import KeyRing, SigningKey
from monnaie_locale.store import Database
from monnaie_locale.store.tables import accounts, journal, postings, transactions
from monnaie_locale.store.tables_checkout import (
    cashier_refund_days,
    checkout_events,
    checkout_payments,
    checkout_refunds,
    payment_requests,
    webhook_deliveries,
)
from tests.conftest import SteppingClock
from tests.engine import Engine
from tests.support import standard_ledger

DEPLOYMENT_ID = 7
HOST = "PAY.EXAMPLE.ORG"
# A public address (one of example.org's) that every name resolves to, unless a test says
# otherwise: webhook tests need no DNS.
PUBLIC_ADDRESS = "93.184.215.14"
ALICE_FUNDS = 100_00
BOB_FUNDS = 50_00


@dataclass
class FakeDns:
    """A resolver for webhook destinations: names map to addresses a test chooses."""

    records: dict[str, list[str]] = field(default_factory=dict)

    def __call__(self, host: str, port: int) -> list[str]:
        found = self.records.get(host, [PUBLIC_ADDRESS])
        if not found:
            raise Unresolvable(host)
        return found


PUBLIC = DestinationPolicy(resolve=FakeDns())


@dataclass(frozen=True, slots=True)
class Counts:
    """Rows of every table a payment writes: equal before and after a refused call."""

    postings: int
    transactions: int
    payments: int
    refunds: int
    events: int
    deliveries: int
    requests_open: int


@dataclass
class Shop:
    """A deployment with merchants and members, and its use cases one write each."""

    database: Database
    ledger: Engine
    clock: SteppingClock
    keyring: KeyRing
    deployment_id: int = DEPLOYMENT_ID

    def issue_dynamic(self, amount: int, **kwargs: Any) -> checkout.IssuedRequest:
        kwargs.setdefault("merchant_account", "bakery")
        return self.database.write(
            lambda conn: checkout.issue_dynamic(
                conn,
                amount=amount,
                keyring=self.keyring,
                deployment_id=self.deployment_id,
                clock=self.clock,
                **kwargs,
            )
        )

    def issue_static(self, **kwargs: Any) -> checkout.IssuedRequest:
        kwargs.setdefault("merchant_account", "bakery")
        return self.database.write(
            lambda conn: checkout.issue_static(
                conn,
                keyring=self.keyring,
                deployment_id=self.deployment_id,
                clock=self.clock,
                **kwargs,
            )
        )

    def pay(
        self, token: str, *, payer: str, key: str, seal: bool = True, **kwargs: Any
    ) -> checkout.Payment:
        """Pay in one write; then seal the journal as the service's sealer would, unless
        ``seal`` is false (on SQLite the payment is sealed in its own commit anyway)."""
        payment = self.database.write(
            lambda conn: checkout.pay(
                conn,
                token,
                payer_account=payer,
                idempotency_key=key,
                keyring=self.keyring,
                deployment_id=self.deployment_id,
                clock=self.clock,
                **kwargs,
            )
        )
        if seal:
            self.ledger.seal_journal()
        return payment

    def refund(self, payment_id: int, *, amount: int, key: str, **kwargs: Any) -> checkout.Refund:
        booked = self.database.write(
            lambda conn: checkout.refund(
                conn,
                payment_id,
                amount=amount,
                idempotency_key=key,
                keyring=self.keyring,
                clock=self.clock,
                **kwargs,
            )
        )
        self.ledger.seal_journal()
        return booked

    def refund_allowance_used(self, subject: str) -> int:
        """What the cashier ``subject`` refunded alone today, by the counter of its limit."""
        return self.database.read(
            lambda conn: conn.execute(
                select(func.coalesce(func.sum(cashier_refund_days.c.refunded), 0)).where(
                    cashier_refund_days.c.subject == subject,
                    cashier_refund_days.c.day == self.clock().date(),
                )
            ).scalar_one()
        )

    def sequence_of(self, transaction_id: int) -> int | None:
        """The journal sequence of a transaction; None while it is not sealed."""
        return self.database.read(
            lambda conn: conn.execute(
                select(journal.c.seq).where(journal.c.transaction_id == transaction_id)
            ).scalar()
        )

    def name(self, code: str, display_name: str | None) -> None:
        """Set an account's display name in the table, as an administrator would."""
        self.database.write(
            lambda conn: conn.execute(
                update(accounts).where(accounts.c.code == code).values(display_name=display_name)
            )
        )

    def balance(self, code: str) -> int:
        return self.ledger.account(code).balance

    def account_id(self, code: str) -> int:
        return self.ledger.account(code).id

    def counts(self) -> Counts:
        def count(table: Table, *where: Any) -> int:
            return self.database.read(
                lambda conn: int(
                    conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one()
                )
            )

        return Counts(
            postings=count(postings),
            transactions=count(transactions),
            payments=count(checkout_payments),
            refunds=count(checkout_refunds),
            events=count(checkout_events),
            deliveries=count(webhook_deliveries),
            requests_open=count(payment_requests, payment_requests.c.status == "open"),
        )

    def advance(self, delta: timedelta) -> None:
        self.clock.advance(delta)


def open_shop(database: Database, clock: SteppingClock) -> Shop:
    ledger = standard_ledger(database, clock=clock)
    for code, kind in (
        ("alice", AccountKind.MEMBER),
        ("bob", AccountKind.MEMBER),
        ("bakery", AccountKind.BUSINESS),
        ("grocer", AccountKind.BUSINESS),
        ("town:pool", AccountKind.AUTHORITY),
    ):
        ledger.open_account(code, kind=kind, currency="MLC")
    ledger.transfer("issuance", "alice", ALICE_FUNDS, idempotency_key="fund-alice")
    ledger.transfer("issuance", "bob", BOB_FUNDS, idempotency_key="fund-bob")
    return Shop(
        database=database, ledger=ledger, clock=clock, keyring=KeyRing(SigningKey.generate())
    )


@pytest.fixture
def shop(database: Database, clock: SteppingClock) -> Shop:
    return open_shop(database, clock)
