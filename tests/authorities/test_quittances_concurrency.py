"""Concurrent counters of one régie: quittance numbers have no gaps.

Sixteen payers pay the pool at once, each in its own thread and its own write transaction
(on PostgreSQL, its own connection; SQLite lets one writer at a time). Some have too little
to pay: their payments are refused and roll back, number included. The numbers given are
then exactly 1..N, N the number of payments the ledger posted.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

import pytest

from monnaie_locale.acts import regie_counter, transfers
from monnaie_locale.checkout import Payment
from monnaie_locale.errors import InsufficientFunds
from monnaie_locale.model import AccountKind, Transaction
from tests.authorities.counter import OPERATOR, Counter, open_counter
from tests.authorities.town import POOL, POOL_ACCOUNT
from tests.conftest import SteppingClock
from tests.engine import Engine

T = TypeVar("T")
PAYERS = 16
BROKE = {3, 7, 11, 14}  # these hold 1.00 and try to pay more


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
def counter(ledger: Engine, clock: SteppingClock) -> Counter:
    counter = open_counter(ledger, clock)
    for n in range(PAYERS):
        ledger.open_account(f"member:p{n}", kind=AccountKind.MEMBER, currency="MLC")
        funds = 1_00 if n in BROKE else 20_00
        ledger.transfer("issuance", f"member:p{n}", funds, idempotency_key=f"fund{n}")
    return counter


def test_concurrent_payments_into_a_regie_are_numbered_without_gaps(counter: Counter) -> None:
    asso = counter.ctx(OPERATOR)
    sales = [
        regie_counter.prepare_sale(
            counter.ctx("mandataire"), POOL, amount=2_00 + n, object=f"Entrée {n}", key=f"s{n}"
        )
        for n in range(0, PAYERS, 2)
    ]

    def paying(n: int) -> Callable[[], object]:
        # Half the payers scan a sale's QR, half transfer: both paths take numbers.
        if n % 2 == 0:
            return lambda: counter.pay_sale(sales[n // 2], payer=f"member:p{n}")
        return lambda: transfers.transfer(
            asso, f"member:p{n}", POOL_ACCOUNT, 3_00 + n, key=f"t{n}", memo=f"Virement {n}"
        )

    results = race([paying(n) for n in range(PAYERS)])

    refused = {n for n, r in enumerate(results) if isinstance(r, Exception)}
    assert refused == BROKE
    assert all(isinstance(results[n], InsufficientFunds) for n in BROKE)
    found = counter.quittances()
    assert sorted(q.number for q in found) == list(range(1, PAYERS - len(BROKE) + 1))
    expected = {(2_00 + n) if n % 2 == 0 else (3_00 + n) for n in range(PAYERS) if n not in BROKE}
    assert {q.units for q in found} == expected
    assert counter.balance(POOL_ACCOUNT) == sum(expected)
    posted = {r.transaction.id if isinstance(r, Payment) else r.id for r in results if _posted(r)}
    assert {q.transaction_id for q in found} == posted


def _posted(result: object) -> bool:
    return isinstance(result, Payment | Transaction)
