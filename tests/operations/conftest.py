"""Fixtures for the currency operations: a deployment with its system accounts, one office,
and a few holders, over the shared ``database`` fixture (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import pytest
from sqlalchemy import Connection, func, select

from monnaie_locale.deployment import Deployment, create_system_accounts, open_holder_account
from monnaie_locale.ledger.accounts import get_account
from monnaie_locale.ledger.posting import load_batch
from monnaie_locale.model import AccountKind
from monnaie_locale.operations.funds import receive_association_funds
from monnaie_locale.reserve import ReserveReport, reserve_report
from monnaie_locale.store import Database
from monnaie_locale.store.tables import postings
from tests.conftest import MLC, SteppingClock

T = TypeVar("T")

RESERVE_IBAN = "FR7630006000011234567890189"
BAKERY_IBAN = "FR1420041010050500013M02606"
TOWN_IBAN = "DE89370400440532013000"


def make_deployment(**overrides: Any) -> Deployment:
    settings: dict[str, Any] = {
        "unit": MLC,
        "offices": ("3",),
        "reconversion_fees": {"business": 500, "authority": 300, "member": 500, "reduced": 300},
        "association_name": "Association de la Monnaie Locale",
        "reserve_iban": RESERVE_IBAN,
        "reserve_bic": "CCOPFRPP",
    }
    settings.update(overrides)
    return Deployment(**settings)


@dataclass
class Books:
    """The deployment's books, with shortcuts to run operations and read balances."""

    database: Database
    clock: SteppingClock
    deployment: Deployment

    def run(self, operation: Callable[..., T], **kwargs: Any) -> T:
        """Run an operation taking (conn, deployment, ..., clock) in its own write."""
        return self.database.write(
            lambda conn: operation(conn, self.deployment, clock=self.clock, **kwargs)
        )

    def plain(self, operation: Callable[..., T], **kwargs: Any) -> T:
        """Run an operation taking (conn, ..., clock) without the deployment."""
        return self.database.write(lambda conn: operation(conn, clock=self.clock, **kwargs))

    def read(self, query: Callable[..., T], *args: Any) -> T:
        return self.database.read(lambda conn: query(conn, *args))

    def write(self, use_case: Callable[[Connection], T]) -> T:
        return self.database.write(use_case)

    def balance(self, code: str) -> int:
        return self.database.read(lambda conn: get_account(conn, code).balance)

    def held(self, code: str) -> int:
        return self.database.read(lambda conn: get_account(conn, code).held)

    def balances(self, *codes: str) -> dict[str, int]:
        return {code: self.balance(code) for code in codes}

    def report(self, as_of: datetime | None = None) -> ReserveReport:
        return self.database.read(lambda conn: reserve_report(conn, self.deployment, as_of=as_of))

    def postings_of(self, batch: str | None) -> dict[str, int]:
        """Net amount per account over the ledger batch ``batch``."""
        assert batch is not None
        totals: dict[str, int] = defaultdict(int)
        for transaction in self.database.read(lambda conn: load_batch(conn, batch)):
            for posting in transaction.postings:
                totals[posting.account] += posting.amount
        return dict(totals)

    def posting_count(self) -> int:
        return self.database.read(
            lambda conn: int(conn.execute(select(func.count()).select_from(postings)).scalar_one())
        )

    def open(self, code: str, kind: AccountKind, category: str | None = None) -> None:
        self.write(
            lambda conn: open_holder_account(
                conn, self.deployment, code, kind=kind, now=self.clock(), category=category
            )
        )

    def fund_association(self, amount: int, key: str = "funds-1") -> None:
        self.write(
            lambda conn: receive_association_funds(
                conn, amount=amount, memo="membership fees", idempotency_key=key, clock=self.clock
            )
        )


def make_books(database: Database, clock: SteppingClock, deployment: Deployment) -> Books:
    database.write(lambda conn: create_system_accounts(conn, deployment, now=clock()))
    books = Books(database, clock, deployment)
    books.open("alice", AccountKind.MEMBER)
    books.open("bob", AccountKind.MEMBER)
    books.open("carol", AccountKind.MEMBER)
    books.open("bakery", AccountKind.BUSINESS)
    books.open("town:regie-pool", AccountKind.AUTHORITY)
    return books


@pytest.fixture
def deployment() -> Deployment:
    return make_deployment()


@pytest.fixture
def books(database: Database, clock: SteppingClock, deployment: Deployment) -> Books:
    return make_books(database, clock, deployment)
