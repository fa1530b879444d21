"""PostgreSQL's group commit: one transaction for many payments, and each its own outcome.

The payments here are use cases of their own, which cannot run together: each runs in
its own savepoint (payments through the act, written together, are
``tests/acts/test_payments_together.py``'s).

A group is seen from the inside: every member reads ``txid_current()``, the id of the
top-level transaction even inside a savepoint, so members of one group read the same.
Groups are made deterministic by holding every writer while the payments queue up
behind them, then letting one writer go.
"""

from __future__ import annotations

import asyncio
import random
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import Connection, create_engine, event, func, select, text

from monnaie_locale.errors import DatabaseUnavailable, InsufficientFunds
from monnaie_locale.ledger.fast_sql import FastCursor
from monnaie_locale.ledger.service import post_transfer
from monnaie_locale.model import AccountKind, Transaction, TransferRequest
from monnaie_locale.store import Database
from monnaie_locale.store.group_commit import POSTGRES, GroupCommitter
from monnaie_locale.store.tables import transactions
from tests.conftest import SteppingClock
from tests.engine import Engine

pytestmark = pytest.mark.parametrize(
    "database", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)

# With carol's payment and one more, a group's worth.
WRITERS = POSTGRES.max_group - 2
Paid = tuple[Transaction, int]


@pytest.fixture
def funded(ledger: Engine) -> Engine:
    """alice holds 100.00; bob and carol hold nothing."""
    for code in ("alice", "bob", "carol"):
        ledger.open_account(code, kind=AccountKind.MEMBER, currency="MLC")
    ledger.transfer("issuance", "alice", 10_000, idempotency_key="fund-alice")
    return ledger


def pay(
    payer: str, amount: int, key: str, clock: SteppingClock, payee: str = "bob"
) -> Callable[[Connection], Paid]:
    """A payment that also tells the transaction it ran in."""
    request = TransferRequest.simple(payer, payee, amount)

    def paying(conn: Connection) -> Paid:
        transaction = post_transfer(conn, request, idempotency_key=key, clock=clock)
        return transaction, int(conn.execute(text("SELECT txid_current()")).scalar_one())

    return paying


class HeldWriters:
    """Every writer of a committer busy until let go, one at a time."""

    def __init__(self, committer: GroupCommitter) -> None:
        self._releases: list[threading.Event] = []
        for _ in range(committer.flavour.writers):
            started, release = threading.Event(), threading.Event()

            def blocker(_conn: Connection, started: Any = started, release: Any = release) -> None:
                started.set()
                release.wait(10)

            committer.submit(blocker)
            assert started.wait(10)
            self._releases.append(release)

    def let_one_go(self) -> None:
        self._releases.pop().set()

    def let_all_go(self) -> None:
        while self._releases:
            self.let_one_go()


@pytest.fixture
def commits(database: Database) -> Iterator[list[float]]:
    """When each commit of the database's engine started, from now on."""
    seen: list[float] = []

    def count(_conn: Any) -> None:
        seen.append(time.monotonic())

    event.listen(database.engine, "commit", count)
    yield seen
    event.remove(database.engine, "commit", count)


def test_payments_queued_together_share_one_transaction_and_keep_their_own_outcome(
    committer: GroupCommitter, funded: Engine, clock: SteppingClock
) -> None:
    held = HeldWriters(committer)
    paying = [committer.submit(pay("alice", 100, f"pay-{i}", clock)) for i in range(WRITERS)]
    # carol has nothing: her payment fails alone, between the others.
    overdraft = committer.submit(pay("carol", 100, "carol-pays", clock))
    paying.append(committer.submit(pay("alice", 100, "pay-last", clock)))
    held.let_one_go()

    paid = [future.result(10) for future in paying]
    with pytest.raises(InsufficientFunds):
        overdraft.result(10)
    held.let_all_go()
    assert len({txid for _, txid in paid}) == 1, "one transaction for the whole group"
    assert len({transaction.id for transaction, _ in paid}) == WRITERS + 1
    assert funded.account("bob").balance == (WRITERS + 1) * 100
    assert funded.account("alice").balance == 10_000 - (WRITERS + 1) * 100
    # Nothing of carol's attempt stayed behind, not even the claim of her key.
    funded.transfer("issuance", "carol", 100, idempotency_key="fund-carol")
    again, _ = committer.write(pay("carol", 100, "carol-pays", clock))
    assert {p.account: p.amount for p in again.postings} == {"carol": -100, "bob": 100}
    funded.seal_journal()
    assert funded.verify_journal().ok


def test_a_group_finds_accounts_by_their_keys_where_statistics_make_a_scan_look_cheaper(
    committer: GroupCommitter, funded: Engine, database: Database
) -> None:
    """A group's statements look accounts up by their keys. Once analysed, a small
    accounts table looks cheaper to scan whole: a scan costs more with every account
    and every dead row version the payments leave behind, an index lookup does not."""
    database.write(lambda conn: conn.exec_driver_sql("ANALYZE accounts"))
    values = {
        "codes": ["alice", "bob"],
        "totals": [-100, 100],
        "lows": [-100, None],
        "highs": [None, 100],
    }

    def plan(conn: Connection) -> str:
        sql = FastCursor(conn).sql.lock_and_move
        rows = conn.exec_driver_sql(f"EXPLAIN {sql}", values).scalars()
        return "\n".join(rows)

    (ok, in_group), (ok_too, _) = committer.run_group([plan, plan])
    alone = database.write(plan)

    assert ok and ok_too
    assert "Seq Scan on accounts" not in in_group
    assert "Index Scan" in in_group
    assert "Seq Scan on accounts" in alone, "the planner's choice outside a group"


def test_a_thread_s_write_runs_alone_beside_the_groups_under_way(
    committer: GroupCommitter, funded: Engine, clock: SteppingClock
) -> None:
    # Every group's slot is taken by a use case that waits: a thread's write that joined
    # a group would wait with them.
    held = HeldWriters(committer)
    try:
        paid, txid = committer.write(pay("alice", 100, "beside", clock))
        queued = committer.submit(pay("alice", 100, "queued", clock))
        assert not queued.done(), "a submitted write waits for a slot"
    finally:
        held.let_all_go()
    assert queued.result(10)[1] != txid
    assert {p.account: p.amount for p in paid.postings} == {"alice": -100, "bob": 100}
    assert funded.account("bob").balance == 200


def test_no_caller_hears_back_before_the_commit(
    database: Database, committer: GroupCommitter, funded: Engine, clock: SteppingClock
) -> None:
    futures: list[Future[Paid]] = []
    answered_at_commit: list[bool] = []

    def looking(_conn: Any) -> None:
        answered_at_commit.append(any(future.done() for future in futures))

    held = HeldWriters(committer)
    futures += [committer.submit(pay("alice", 10, f"early-{i}", clock)) for i in range(5)]
    event.listen(database.engine, "commit", looking)
    try:
        held.let_one_go()
        paid = [future.result(10) for future in futures]
    finally:
        event.remove(database.engine, "commit", looking)
        held.let_all_go()
    assert len({txid for _, txid in paid}) == 1
    assert answered_at_commit and not any(answered_at_commit)


def test_a_coroutine_hears_back_only_after_its_group_committed(
    database: Database, committer: GroupCommitter, funded: Engine, clock: SteppingClock
) -> None:
    tasks: list[asyncio.Task[Paid]] = []
    answered_at_commit: list[bool] = []
    loop_threads: set[int] = set()

    def looking(_conn: Any) -> None:
        # Statements never run on the loop's thread: it goes on gathering meanwhile.
        assert threading.get_ident() not in loop_threads
        answered_at_commit.append(any(task.done() for task in tasks))

    async def all_at_once() -> list[Any]:
        loop_threads.add(threading.get_ident())
        tasks.extend(
            asyncio.ensure_future(committer.write_async(pay("alice", 10, f"loop-{i}", clock)))
            for i in range(POSTGRES.max_group - 1)
        )
        carol = committer.write_async(pay("carol", 10, "loop-carol", clock))
        return await asyncio.gather(*tasks, carol, return_exceptions=True)

    event.listen(database.engine, "commit", looking)
    try:
        outcomes = asyncio.run(all_at_once())
    finally:
        event.remove(database.engine, "commit", looking)
    assert isinstance(outcomes[-1], InsufficientFunds)
    assert len({txid for _, txid in outcomes[:-1]}) == 1
    assert answered_at_commit == [False]
    assert funded.account("bob").balance == 10 * len(tasks)
    # A retry is answered from the first result, whichever group it lands in.
    again, _ = asyncio.run(committer.write_async(pay("alice", 10, "loop-3", clock)))
    assert again == outcomes[3][0]
    assert funded.account("bob").balance == 10 * len(tasks)


def test_a_member_that_loses_a_deadlock_runs_again_alone_after_its_group(
    committer: GroupCommitter, funded: Engine, clock: SteppingClock
) -> None:
    runs = 0
    payment = pay("alice", 700, "unlucky", clock)

    def unlucky(conn: Connection) -> Paid:
        nonlocal runs
        runs += 1
        paid = payment(conn)
        if runs == 1:  # as the server reports the victim of a deadlock
            conn.execute(text("DO $$ BEGIN RAISE EXCEPTION USING ERRCODE = '40P01'; END $$"))
        return paid

    outcomes = committer.run_group(
        [pay("alice", 100, "before", clock), unlucky, pay("alice", 100, "after", clock)]
    )

    assert [succeeded for succeeded, _ in outcomes] == [True, True, True]
    (_, (_, before)), (_, (again, alone)), (_, (_, after)) = outcomes
    assert runs == 2
    assert before == after != alone, "run again in a transaction of its own"
    assert {p.account: p.amount for p in again.postings} == {"alice": -700, "bob": 700}
    assert funded.account("bob").balance == 900


def test_a_member_waiting_for_a_lock_steps_aside_and_its_group_commits_without_it(
    database: Database,
    committer: GroupCommitter,
    funded: Engine,
    clock: SteppingClock,
    commits: list[float],
) -> None:
    # Another session holds carol's row: a payment to her waits until it lets go.
    other = database.engine.connect()
    holding = other.begin()
    other.execute(text("SELECT 1 FROM accounts WHERE code = 'carol' FOR UPDATE"))
    let_go_at: list[float] = []

    def let_go() -> None:
        let_go_at.append(time.monotonic())
        holding.rollback()
        other.close()

    timer = threading.Timer(1.5, let_go)
    timer.start()
    try:
        outcomes = committer.run_group(
            [
                pay("alice", 100, "to-bob-1", clock),
                pay("alice", 100, "to-carol", clock, payee="carol"),
                pay("alice", 100, "to-bob-2", clock),
            ]
        )
    finally:
        timer.join()

    assert all(succeeded for succeeded, _ in outcomes)
    (_, (_, first)), (_, (_, waited)), (_, (_, last)) = outcomes
    assert first == last != waited
    assert commits[0] < let_go_at[0], "the group committed while the lock was still held"
    assert funded.account("carol").balance == 100
    assert funded.account("bob").balance == 200


def test_a_connection_lost_during_commit_answers_unavailable_and_runs_nothing_again(
    database: Database, committer: GroupCommitter, funded: Engine, clock: SteppingClock
) -> None:
    runs: list[str] = []
    cuts: list[int] = []
    admin = create_engine(database.engine.url, isolation_level="AUTOCOMMIT")

    def counted(key: str) -> Callable[[Connection], Paid]:
        payment = pay("alice", 100, key, clock)

        def paying(conn: Connection) -> Paid:
            runs.append(key)
            return payment(conn)

        return paying

    def cut(conn: Any) -> None:
        # The server ends the session just as COMMIT is to be sent: the client cannot
        # tell whether it was written.
        if cuts:
            return
        cuts.append(1)
        pid = conn.connection.dbapi_connection.info.backend_pid
        with admin.connect() as killer:
            killer.execute(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid})

    keys = ["cut-1", "cut-2", "cut-3"]
    event.listen(database.engine, "commit", cut)
    try:
        outcomes = committer.run_group([counted(key) for key in keys])
    finally:
        event.remove(database.engine, "commit", cut)
        admin.dispose()

    assert runs == keys, "nothing ran again"
    assert all(
        not succeeded and isinstance(error, DatabaseUnavailable) for succeeded, error in outcomes
    )
    assert len({id(error) for _, error in outcomes}) == 3, "each caller its own error"
    # The server had not received the COMMIT; a retry under the same key pays once.
    assert funded.account("bob").balance == 0
    retried, _ = database.write(pay("alice", 100, "cut-1", clock))
    assert funded.account("bob").balance == 100
    assert database.write(pay("alice", 100, "cut-1", clock))[0] == retried


def test_a_connection_lost_before_the_group_begins_runs_each_payment_alone(
    database: Database, committer: GroupCommitter, funded: Engine, clock: SteppingClock
) -> None:
    # The group's transaction begins with one simple query sent below psycopg
    # (group_commit.begin_on_server): its failure must still reach SQLAlchemy, which
    # drops the broken connection, and the payments must still be made.
    cut: list[int] = []
    admin = create_engine(database.engine.url, isolation_level="AUTOCOMMIT")

    def end_the_session(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        if cut:
            return
        cut.append(dbapi_connection.info.backend_pid)
        with admin.connect() as killer:
            killer.execute(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": cut[0]})

    event.listen(database.engine, "checkout", end_the_session)
    try:
        outcomes = committer.run_group([pay("alice", 100, f"lost-{i}", clock) for i in range(3)])
    finally:
        event.remove(database.engine, "checkout", end_the_session)
        admin.dispose()

    assert cut, "the group's connection was ended"
    assert all(succeeded for succeeded, _ in outcomes), outcomes
    assert len({txid for _, (_, txid) in outcomes}) == 3, "each in a transaction of its own"
    assert funded.account("bob").balance == 300
    funded.seal_journal()
    assert funded.verify_journal().ok


def test_threads_paying_one_hot_merchant_move_every_amount_exactly_once(
    database: Database,
    grouped: Database,
    funded: Engine,
    clock: SteppingClock,
    commits: list[float],
) -> None:
    payers = [f"payer-{i}" for i in range(6)]
    for code in payers:
        funded.open_account(code, kind=AccountKind.MEMBER, currency="MLC")
        funded.transfer("issuance", code, 1_000_000, idempotency_key=f"fund-{code}")
    funded.open_account("bakery", kind=AccountKind.BUSINESS, currency="MLC")
    before = len(commits)
    # More threads than groups under way: the others join groups.
    threads = 2 * POSTGRES.writers
    paid = _pay_concurrently([grouped], payers, threads=threads, each=15, clock=clock)

    assert len(commits) - before < len(paid), "payments shared commits"
    _assert_books(database, funded, payers, paid)


def test_two_workers_paying_the_same_accounts_keep_the_sums_exact(
    database: Database, grouped: Database, funded: Engine, clock: SteppingClock
) -> None:
    payers = [f"payer-{i}" for i in range(4)]
    for code in payers:
        funded.open_account(code, kind=AccountKind.MEMBER, currency="MLC")
        funded.transfer("issuance", code, 1_000_000, idempotency_key=f"fund-{code}")
    funded.open_account("bakery", kind=AccountKind.BUSINESS, currency="MLC")
    other = _second_worker(database)
    try:
        paid = _pay_concurrently([grouped, other], payers, threads=16, each=12, clock=clock)
    finally:
        other.dispose()
    _assert_books(database, funded, payers, paid)


def _second_worker(database: Database) -> Database:
    """Another engine on the same schema, as another worker process has."""
    schema = database.read(lambda conn: conn.execute(text("SELECT current_schema()")).scalar())
    engine = create_engine(
        database.engine.url, connect_args={"options": f"-c search_path={schema}"}
    )
    return Database(engine, group_commit=True)


def _pay_concurrently(
    databases: list[Database],
    payers: list[str],
    *,
    threads: int,
    each: int,
    clock: SteppingClock,
) -> list[tuple[str, str, int]]:
    """Payments from threads to the bakery and between the payers, in varying row order
    (a payer with a lower id or a higher one than its payee): (payer, payee, amount)."""
    start = threading.Barrier(threads)

    def client(number: int) -> list[tuple[str, str, int]]:
        rng = random.Random(number)
        database = databases[number % len(databases)]
        done = []
        start.wait()
        for index in range(each):
            payer, other = rng.sample(payers, 2)
            payee = "bakery" if rng.random() < 0.7 else other
            amount = rng.randint(1, 500)
            key = f"c{number}-{index}"
            # Queued for the writer threads, as a coroutine's write is: a thread's own
            # write would run alone on PostgreSQL.
            assert database.committer is not None
            paying = database.committer.submit(pay(payer, amount, key, clock, payee=payee))
            transaction, _ = paying.result(30)
            assert {p.account: p.amount for p in transaction.postings} == {
                payer: -amount,
                payee: amount,
            }
            done.append((payer, payee, amount))
        return done

    with ThreadPoolExecutor(threads) as pool:
        return [payment for done in pool.map(client, range(threads)) for payment in done]


def _assert_books(
    database: Database, funded: Engine, payers: list[str], paid: list[tuple[str, str, int]]
) -> None:
    expected = dict.fromkeys([*payers, "bakery"], 0)
    for payer, payee, amount in paid:
        expected[payer] -= amount
        expected[payee] += amount
    for code, moved in expected.items():
        start = 0 if code == "bakery" else 1_000_000
        assert funded.account(code).balance == start + moved, code
    count = database.read(
        lambda conn: conn.execute(
            select(func.count()).select_from(transactions).where(transactions.c.kind == "transfer")
        ).scalar_one()
    )
    funding = len(payers) + 1  # and alice's
    assert count == funding + len(paid), "each payment posted once"
    funded.seal_journal()
    assert funded.verify_journal().ok
