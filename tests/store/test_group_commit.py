"""SQLite's group commit: many writers, one commit, and each writer's own outcome.

The grouping must never be visible: every caller gets its own result or its own error,
a failing use case leaves no trace, and a group that cannot commit as a whole is run
again one use case at a time. Groups are made deterministic here by holding the writer
while the others queue up behind it.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import Connection, event, text
from sqlalchemy.exc import IntegrityError

from monnaie_locale.errors import InsufficientFunds
from monnaie_locale.ledger.service import post_transfer
from monnaie_locale.model import AccountKind, Transaction, TransferRequest
from monnaie_locale.store import Database
from monnaie_locale.store.group_commit import GroupCommitter
from tests.conftest import SteppingClock
from tests.engine import Engine

# Group commit is SQLite's: PostgreSQL runs each transaction on a connection of its own.
pytestmark = pytest.mark.parametrize("database", ["sqlite"], indirect=True)

WRITERS = 12


@pytest.fixture
def funded(ledger: Engine) -> Engine:
    """alice holds 100.00; bob and carol hold nothing."""
    for code in ("alice", "bob", "carol"):
        ledger.open_account(code, kind=AccountKind.MEMBER, currency="MLC")
    ledger.transfer("issuance", "alice", 10_000, idempotency_key="fund-alice")
    return ledger


@pytest.fixture
def commits(database: Database) -> Iterator[list[int]]:
    """Counts the commits of the database's engine from now on."""
    seen: list[int] = []

    def count(_conn: Any) -> None:
        seen.append(1)

    event.listen(database.engine, "commit", count)
    yield seen
    event.remove(database.engine, "commit", count)


def pay(payer: str, amount: int, key: str, clock: SteppingClock) -> Callable[[Connection], Any]:
    request = TransferRequest.simple(payer, "bob", amount)
    return lambda conn: post_transfer(conn, request, idempotency_key=key, clock=clock)


def orphan_posting(conn: Connection) -> None:
    # A posting without its transaction: the deferred foreign key refuses it only
    # at COMMIT, so it breaks the whole group, not its own savepoint.
    conn.execute(
        text(
            "INSERT INTO postings "
            "(transaction_id, account_id, currency, amount, balance_after, created_at) "
            "SELECT 999999, id, 'MLC', 1, 0, CURRENT_TIMESTAMP FROM accounts "
            "WHERE code = 'carol'"
        )
    )


def committer_of(database: Database) -> GroupCommitter:
    assert database.committer is not None, "a SQLite file database commits in groups"
    return database.committer


def hold_the_writer(committer: GroupCommitter) -> threading.Event:
    """Occupy the writer thread until the returned event is set; others queue meanwhile."""
    started, release = threading.Event(), threading.Event()

    def blocker(_conn: Connection) -> None:
        started.set()
        release.wait(10)

    committer.submit(blocker)
    assert started.wait(10)
    return release


def test_writers_queued_together_share_one_commit_and_keep_their_own_outcome(
    database: Database, funded: Engine, clock: SteppingClock, commits: list[int]
) -> None:
    committer = committer_of(database)
    release = hold_the_writer(committer)
    before = len(commits)
    paying = [committer.submit(pay("alice", 100, f"pay-{i}", clock)) for i in range(WRITERS)]
    # carol has nothing: her payment fails alone, between the others.
    overdraft = committer.submit(pay("carol", 100, "carol-pays", clock))
    release.set()

    transactions = [future.result(10) for future in paying]
    with pytest.raises(InsufficientFunds):
        overdraft.result(10)
    # The blocker's own commit, then one for the whole queue.
    assert len(commits) - before == 2
    assert all(isinstance(t, Transaction) for t in transactions)
    assert len({t.id for t in transactions}) == WRITERS
    assert funded.account("bob").balance == WRITERS * 100
    assert funded.account("alice").balance == 10_000 - WRITERS * 100
    assert funded.account("carol").balance == 0
    # Nothing of carol's attempt stayed behind, not even the claim of her key.
    funded.transfer("issuance", "carol", 100, idempotency_key="fund-carol")
    again = committer.write(pay("carol", 100, "carol-pays", clock))
    assert {p.account: p.amount for p in again.postings} == {"carol": -100, "bob": 100}
    assert funded.verify_journal().ok


def test_a_group_that_cannot_commit_runs_each_use_case_alone(
    database: Database, funded: Engine, clock: SteppingClock
) -> None:
    committer = committer_of(database)

    release = hold_the_writer(committer)
    good = [committer.submit(pay("alice", 250, f"good-{i}", clock)) for i in range(3)]
    bad = committer.submit(orphan_posting)
    release.set()

    for future in good:
        assert {p.account: p.amount for p in future.result(10).postings} == {
            "alice": -250,
            "bob": 250,
        }
    with pytest.raises(IntegrityError):
        bad.result(10)
    assert funded.account("bob").balance == 750
    assert funded.verify_journal().ok


def test_an_event_loop_commits_its_writes_together_and_each_gets_its_own_answer(
    database: Database, funded: Engine, clock: SteppingClock, commits: list[int]
) -> None:
    committer = committer_of(database)

    async def all_at_once() -> list[Any]:
        writes = [committer.write_async(pay("alice", 10, f"loop-{i}", clock)) for i in range(20)]
        writes.append(committer.write_async(pay("carol", 10, "loop-carol", clock)))
        return await asyncio.gather(*writes, return_exceptions=True)

    before = len(commits)
    outcomes = asyncio.run(all_at_once())

    assert all(isinstance(outcome, Transaction) for outcome in outcomes[:20])
    assert len(commits) - before == 1
    assert isinstance(outcomes[20], InsufficientFunds)
    assert funded.account("bob").balance == 200
    # A retry is answered from the first result, whichever group it lands in.
    again = asyncio.run(committer.write_async(pay("alice", 10, "loop-3", clock)))
    assert again == outcomes[3]
    assert funded.account("bob").balance == 200


def test_an_event_loop_does_not_wait_for_a_lock_another_connection_holds(
    database: Database, funded: Engine, clock: SteppingClock, tmp_path_factory: Any
) -> None:
    committer = committer_of(database)
    path = database.engine.url.database
    assert path is not None
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # a command-line tool writing, say

    async def pay_while_locked() -> tuple[Transaction, int]:
        ticks = 0

        async def ticking() -> None:
            # The lock goes only once the loop has run ten times more: a payment that
            # blocked the loop while it waited would never see it go (and fail on the
            # database's busy timeout).
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1
                if ticks == 10:
                    other.rollback()

        ticker = asyncio.create_task(ticking())
        transaction = await committer.write_async(pay("alice", 500, "locked-out", clock))
        ticker.cancel()
        return transaction, ticks

    try:
        transaction, ticks = asyncio.run(pay_while_locked())
    finally:
        other.close()
    # The loop went on ticking while the payment waited for the lock on another thread.
    assert ticks >= 10
    assert {p.account: p.amount for p in transaction.postings} == {"alice": -500, "bob": 500}
    assert funded.account("bob").balance == 500


def test_a_writer_alone_writes_on_its_own_thread_and_a_crowd_on_the_writers(
    database: Database, funded: Engine, clock: SteppingClock
) -> None:
    committer = committer_of(database)

    def where(conn: Connection) -> threading.Thread:
        return threading.current_thread()

    assert committer.write(where) is threading.current_thread()

    release = hold_the_writer(committer)
    queued: list[threading.Thread] = []
    behind = threading.Thread(target=lambda: queued.append(committer.write(where)))
    behind.start()
    release.set()
    behind.join(10)
    assert queued and queued[0] is not behind, "a writer behind another joins the group"


def test_an_event_loop_group_that_cannot_commit_runs_each_use_case_alone(
    database: Database, funded: Engine, clock: SteppingClock
) -> None:
    committer = committer_of(database)

    async def together() -> list[Any]:
        writes = [
            committer.write_async(pay("alice", 250, f"loop-good-{i}", clock)) for i in range(3)
        ]
        writes.append(committer.write_async(orphan_posting))
        return await asyncio.gather(*writes, return_exceptions=True)

    outcomes = asyncio.run(together())

    for transaction in outcomes[:3]:
        assert {p.account: p.amount for p in transaction.postings} == {"alice": -250, "bob": 250}
    assert isinstance(outcomes[3], IntegrityError)
    assert funded.account("bob").balance == 750
    assert funded.verify_journal().ok
