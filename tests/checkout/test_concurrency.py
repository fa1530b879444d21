"""Concurrent payers of one dynamic request on PostgreSQL: exactly one pays; concurrent
refunds of one cashier never pass its daily limit together.

Each payer runs in its own thread and its own database transaction; a barrier releases them
together. The loser must be told the request is paid, and must have written nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

import pytest
from sqlalchemy import Connection, text

from monnaie_locale import checkout
from monnaie_locale.checkout import CashierAllowance, errors
from monnaie_locale.model import AccountKind
from monnaie_locale.store import Database
from tests.checkout.conftest import Shop, open_shop
from tests.conftest import SteppingClock

pytestmark = pytest.mark.postgres
T = TypeVar("T")

PAYERS = 8


def race(calls: list[Callable[[], T]]) -> list[T | Exception]:
    barrier = threading.Barrier(len(calls))
    results: list[T | Exception] = [RuntimeError("not run")] * len(calls)

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = calls[index]()
        except Exception as exc:
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


@pytest.fixture
def shop(postgres_database: Database, clock: SteppingClock) -> Shop:
    shop = open_shop(postgres_database, clock)
    for n in range(PAYERS):
        shop.ledger.open_account(f"payer{n}", kind=AccountKind.MEMBER, currency="MLC")
        shop.ledger.transfer("issuance", f"payer{n}", 100_00, idempotency_key=f"fund{n}")
    return shop


def test_of_many_concurrent_payers_exactly_one_pays(shop: Shop) -> None:
    issued = shop.issue_dynamic(25_00)
    before = shop.counts()

    def payer(n: int) -> Callable[[], checkout.Payment]:
        return lambda: shop.pay(issued.token, payer=f"payer{n}", key=f"key{n}")

    results = race([payer(n) for n in range(PAYERS)])

    paid = [r for r in results if isinstance(r, checkout.Payment)]
    refused = [r for r in results if not isinstance(r, checkout.Payment)]
    assert len(paid) == 1
    assert all(isinstance(r, errors.RequestAlreadyPaid) for r in refused), refused
    assert shop.balance("bakery") == 25_00
    after = shop.counts()
    assert (after.postings, after.payments, after.events) == (
        before.postings + 2,
        before.payments + 1,
        before.events + 1,
    )
    balances = [shop.balance(f"payer{n}") for n in range(PAYERS)]
    assert sorted(balances) == [100_00 - 25_00] + [100_00] * (PAYERS - 1)


def test_concurrent_retries_under_one_key_return_one_payment(shop: Shop) -> None:
    issued = shop.issue_dynamic(10_00)

    results = race([lambda: shop.pay(issued.token, payer="payer0", key="same")] * 4)

    assert all(isinstance(r, checkout.Payment) for r in results), results
    assert len({r.id for r in results if isinstance(r, checkout.Payment)}) == 1
    assert shop.balance("payer0") == 100_00 - 10_00


def test_concurrent_static_payments_under_one_key_book_once(shop: Shop) -> None:
    counter = shop.issue_static()

    results = race([lambda: shop.pay(counter.token, payer="payer1", key="same", amount=3_00)] * 4)

    assert all(isinstance(r, checkout.Payment) for r in results), results
    assert shop.balance("payer1") == 100_00 - 3_00


def test_concurrent_refunds_of_one_cashier_stay_within_its_daily_limit(shop: Shop) -> None:
    payments = [
        shop.pay(shop.issue_dynamic(20_00).token, payer=f"payer{n}", key=f"p{n}")
        for n in range(PAYERS)
    ]
    allowance = CashierAllowance(subject="user:9", daily_limit=50_00)

    def refund(n: int) -> Callable[[], checkout.Refund]:
        return lambda: shop.refund(payments[n].id, amount=20_00, key=f"r{n}", cashier=allowance)

    results = race([refund(n) for n in range(PAYERS)])

    refunded = [r for r in results if isinstance(r, checkout.Refund)]
    refused = [r for r in results if not isinstance(r, checkout.Refund)]
    assert len(refunded) == 2, results
    assert all(isinstance(r, errors.RefundLimitExceeded) for r in refused), refused
    assert shop.balance("bakery") == PAYERS * 20_00 - 2 * 20_00
    assert shop.refund_allowance_used("user:9") == 40_00


def test_the_second_payer_waits_for_the_first_and_is_refused(shop: Shop) -> None:
    """Deterministic interleaving: the first payer holds its transaction open until the
    second is seen waiting on the request's row lock, then commits."""
    issued = shop.issue_dynamic(5_00)
    outcome: list[object] = []

    def second() -> None:
        try:
            outcome.append(shop.pay(issued.token, payer="payer1", key="second"))
        except Exception as exc:
            outcome.append(exc)

    def first(conn: Connection) -> threading.Thread:
        checkout.pay(
            conn,
            issued.token,
            payer_account="payer0",
            idempotency_key="first",
            keyring=shop.keyring,
            deployment_id=shop.deployment_id,
            clock=shop.clock,
        )
        thread = threading.Thread(target=second)
        thread.start()
        assert wait_for_lock_waiter(shop.database), "the second payer never waited"
        return thread

    shop.database.write(first).join(timeout=60)

    assert len(outcome) == 1 and isinstance(outcome[0], errors.RequestAlreadyPaid)
    assert shop.balance("payer1") == 100_00


def wait_for_lock_waiter(database: Database) -> bool:
    """True once some session of this database waits on a lock (polls up to 30 s)."""
    with database.engine.connect() as conn:
        for _ in range(300):
            waiting = conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    " AND wait_event_type = 'Lock'"
                )
            ).scalar_one()
            if waiting:
                return True
            conn.execute(text("SELECT pg_sleep(0.1)"))
            conn.commit()
    return False
