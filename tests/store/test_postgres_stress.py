"""PostgreSQL under load: 16 threads, 500 random transfers each, duplicate keys on purpose.

Afterwards every acknowledged transfer is in the ledger exactly once, every refused one
left no trace, and the books balance, stay within limits and verify.
"""

from __future__ import annotations

import random
import threading
from collections import Counter

import pytest

from monnaie_locale.errors import InsufficientFunds
from monnaie_locale.model import AccountKind
from monnaie_locale.money import EUR
from monnaie_locale.store import Database
from tests.conftest import MLC
from tests.engine import Engine

THREADS = 16
TRANSFERS_PER_THREAD = 500
ACCOUNTS = 20
OPENING = 10_000


@pytest.mark.postgres
@pytest.mark.slow
def test_concurrent_transfers_lose_and_double_nothing(postgres_database: Database) -> None:
    ledger = Engine(postgres_database, auto_seal=False)
    ledger.add_currency(EUR)
    ledger.add_currency(MLC)
    ledger.open_account("issuance", kind=AccountKind.SYSTEM, currency="MLC", lower_limit=None)
    codes = [f"member:{n}" for n in range(ACCOUNTS)]
    for code in codes:
        ledger.open_account(code, kind=AccountKind.MEMBER, currency="MLC")
        ledger.transfer("issuance", code, OPENING, idempotency_key=f"open:{code}")

    # Every fifth request reuses a key drawn from a small shared pool, so the same
    # request races against itself across threads.
    shared_keys = {
        f"dup:{n}": (codes[n % ACCOUNTS], codes[(n + 7) % ACCOUNTS], 100 + n) for n in range(50)
    }
    acknowledged: dict[str, int] = {}  # key -> transaction id
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()
    failures: list[BaseException] = []

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        for n in range(TRANSFERS_PER_THREAD):
            if n % 5 == 0:
                key = rng.choice(sorted(shared_keys))
                debit, credit, amount = shared_keys[key]
            else:
                key = f"t{seed}:{n}"
                debit, credit = rng.sample(codes, 2)
                amount = rng.randint(1, 3_000)
            try:
                transaction = ledger.transfer(debit, credit, amount, idempotency_key=key)
            except InsufficientFunds:
                with lock:
                    outcomes["refused"] += 1
                continue
            except BaseException as exc:  # anything else is a bug: record it for the assert
                failures.append(exc)
                return
            with lock:
                outcomes["acknowledged"] += 1
                first = acknowledged.setdefault(key, transaction.id)
                if first != transaction.id:
                    failures.append(AssertionError(f"key {key}: {first} then {transaction.id}"))

    threads = [threading.Thread(target=worker, args=(seed,)) for seed in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not failures, failures[:3]
    assert outcomes["acknowledged"] + outcomes["refused"] == THREADS * TRANSFERS_PER_THREAD
    ledger.seal_journal()
    verification = ledger.verify_journal()
    assert verification.ok, verification.discrepancies[:3]

    # Each acknowledged key is exactly one transaction, and nothing else was written.
    transfers = verification.entries - ACCOUNTS  # minus the opening conversions
    assert transfers == len(acknowledged)
    for key, transaction_id in acknowledged.items():
        transaction = ledger.transaction(transaction_id)
        assert transaction.idempotency_key == key
    balances = [ledger.account(code).balance for code in codes]
    assert all(balance >= 0 for balance in balances)
    assert sum(balances) == ACCOUNTS * OPENING
