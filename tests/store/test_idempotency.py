"""Idempotency keys: a retried call returns the first result and moves money once; a key
reused for another request, or another kind of operation, is refused.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from monnaie_locale.errors import IdempotencyConflict
from monnaie_locale.model import AccountKind, Leg, TransferRequest
from monnaie_locale.store import Database
from monnaie_locale.store.tables import idempotency_keys, postings, transactions
from tests.conftest import SteppingClock
from tests.engine import Engine
from tests.support import count_rows, refused, standard_ledger


def open_members(ledger: Engine) -> Engine:
    for code in ("alice", "bob"):
        ledger.open_account(code, kind=AccountKind.MEMBER, currency="MLC")
    ledger.transfer("issuance", "alice", 5000, idempotency_key="fund")
    return ledger


@pytest.fixture
def funded(ledger: Engine) -> Engine:
    return open_members(ledger)


def test_retried_transfer_returns_the_first_transaction_and_moves_money_once(
    funded: Engine,
) -> None:
    first = funded.transfer("alice", "bob", 1000, idempotency_key="pay-1")
    postings_after_first = count_rows(funded.database, postings)

    again = funded.transfer("alice", "bob", 1000, idempotency_key="pay-1")

    assert again.id == first.id
    assert again.postings == first.postings
    assert funded.account("bob").balance == 1000
    assert count_rows(funded.database, postings) == postings_after_first


def test_retried_multi_leg_post_and_batch_return_their_first_results(funded: Engine) -> None:
    request = TransferRequest(legs=(Leg("alice", -300), Leg("bob", 200), Leg("issuance", 100)))
    batch = [TransferRequest.simple("alice", "bob", 100)] * 2

    posted = funded.post(request, idempotency_key="post")
    batched = funded.batch(batch, idempotency_key="batch")
    before = count_rows(funded.database, transactions)

    assert funded.post(request, idempotency_key="post").id == posted.id
    assert [tx.id for tx in funded.batch(batch, idempotency_key="batch")] == [
        tx.id for tx in batched
    ]
    assert count_rows(funded.database, transactions) == before
    assert funded.account("bob").balance == 400


def test_retried_hold_post_and_reversal_return_their_first_results(funded: Engine) -> None:
    hold = funded.place_hold("alice", "bob", 500, idempotency_key="hold")
    assert funded.place_hold("alice", "bob", 500, idempotency_key="hold").id == hold.id
    assert funded.account("alice").held == 500

    posted = funded.post_hold(hold.id, idempotency_key="post-hold")
    assert funded.post_hold(hold.id, idempotency_key="post-hold").id == posted.id

    reversal = funded.reverse(posted.id, idempotency_key="undo")
    assert funded.reverse(posted.id, idempotency_key="undo").id == reversal.id
    assert (funded.account("alice").balance, funded.account("bob").balance) == (5000, 0)


@pytest.mark.parametrize(
    "different",
    [
        lambda ledger: ledger.transfer("alice", "bob", 1001, idempotency_key="pay-1"),
        lambda ledger: ledger.transfer("bob", "alice", 1000, idempotency_key="pay-1"),
        lambda ledger: ledger.transfer("alice", "bob", 1000, idempotency_key="pay-1", memo="x"),
        lambda ledger: ledger.transfer(
            "alice", "bob", 1000, idempotency_key="pay-1", kind="payment"
        ),
    ],
    ids=["amount", "direction", "memo", "kind"],
)
def test_same_key_with_a_different_request_is_refused(
    funded: Engine, different: Callable[[Engine], object]
) -> None:
    funded.transfer("alice", "bob", 1000, idempotency_key="pay-1")

    error = refused(funded.database, IdempotencyConflict, lambda: different(funded))

    assert error.key == "pay-1"
    assert funded.account("bob").balance == 1000


@pytest.mark.parametrize(
    "other_kind",
    [
        lambda ledger, tx: ledger.place_hold("alice", "bob", 1000, idempotency_key="used"),
        lambda ledger, tx: ledger.reverse(tx, idempotency_key="used"),
        lambda ledger, tx: ledger.batch(
            [TransferRequest.simple("alice", "bob", 1000)], idempotency_key="used"
        ),
    ],
    ids=["hold", "reverse", "batch"],
)
def test_key_used_for_one_kind_of_operation_is_refused_for_another(
    funded: Engine, other_kind: Callable[[Engine, int], object]
) -> None:
    used_by = funded.transfer("alice", "bob", 1000, idempotency_key="used", kind="payment")

    refused(funded.database, IdempotencyConflict, lambda: other_kind(funded, used_by.id))


def test_key_of_a_hold_is_refused_for_a_transfer(funded: Engine) -> None:
    funded.place_hold("alice", "bob", 1000, idempotency_key="used")

    refused(
        funded.database,
        IdempotencyConflict,
        lambda: funded.transfer("alice", "bob", 1000, idempotency_key="used"),
    )


@pytest.mark.postgres
def test_concurrent_duplicates_under_one_key_post_one_transaction(
    postgres_database: Database, clock: SteppingClock
) -> None:
    ledger = open_members(standard_ledger(postgres_database, clock=clock))
    transactions_before = count_rows(postgres_database, transactions)
    start = threading.Barrier(8)
    results: list[int] = []
    failures: list[BaseException] = []
    lock = threading.Lock()

    def pay() -> None:
        start.wait()
        try:
            tx = ledger.transfer("alice", "bob", 700, idempotency_key="one-key")
        except BaseException as exc:  # collected and reported by the assertion below
            with lock:
                failures.append(exc)
            return
        with lock:
            results.append(tx.id)

    threads = [threading.Thread(target=pay) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert len(results) == 8
    assert len(set(results)) == 1
    assert count_rows(postgres_database, transactions) == transactions_before + 1
    assert count_rows(postgres_database, idempotency_keys) == 2  # "fund" and "one-key"
    assert (ledger.account("alice").balance, ledger.account("bob").balance) == (4300, 700)
    ledger.seal_journal()
    assert ledger.verify_journal().ok
