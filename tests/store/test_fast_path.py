"""The posting path's pre-rendered statements write exactly what the Core tables describe.

Each statement of :mod:`monnaie_locale.ledger.fast_sql` is run on both engines and its
rows are read back through the Core tables; the whole path is then checked end to end:
what a transfer or a batch returns is what is stored, and the journal verifies.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Connection, create_engine, insert, select
from sqlalchemy.exc import IntegrityError

from monnaie_locale import journal
from monnaie_locale.clock import as_utc
from monnaie_locale.errors import InsufficientFunds, UnknownAccount
from monnaie_locale.journal import HeaderValues, PostingValues
from monnaie_locale.journal_content import entry_mark, key_of, queue_mark, queue_mark_of_rows
from monnaie_locale.ledger.fast_sql import FastCursor
from monnaie_locale.ledger.posting import load_batch, load_transaction
from monnaie_locale.model import AccountKind, TransferRequest
from monnaie_locale.store import Database
from monnaie_locale.store.tables import (
    accounts,
    idempotency_keys,
    journal_queue,
    postings,
    transactions,
)
from tests.conftest import POSTGRES_URL, SteppingClock
from tests.engine import Engine
from tests.support import count_rows, refused, standard_ledger

STAMP = datetime(2026, 11, 3, 10, 30, 15, 123456, tzinfo=UTC)


@pytest.fixture
def members(ledger: Engine) -> Engine:
    for code in ("alice", "bob"):
        ledger.open_account(code, kind=AccountKind.MEMBER, currency="MLC")
    ledger.transfer("issuance", "alice", 5000, idempotency_key="fund")
    return ledger


def _account_id(conn: Connection, code: str) -> int:
    return int(conn.execute(select(accounts.c.id).where(accounts.c.code == code)).scalar_one())


def _claim(cursor: FastCursor, key: str) -> int:
    """Run the key claim; return the transaction id it drew, checking the id statement."""
    sql = cursor.sql
    (next_id,) = cursor.run(sql.next_id, {}).fetchone()
    values = {"key": key, "fingerprint": "f" * 64, "created_at": sql.stamp(STAMP)}
    (result_ref,) = cursor.run(sql.claim, {**values, "prefix": "transaction:"}).fetchone()
    assert cursor.run(sql.claim, {**values, "prefix": "x:"}).fetchone() is None  # taken now
    drawn = int(result_ref.partition(":")[2])
    # The sequence moved on since next_id drew from it; SQLite's max + 1 did not.
    assert drawn == (next_id + 1 if sql.is_postgres else next_id)
    return drawn


def test_each_statement_writes_rows_the_core_tables_read_back(members: Engine) -> None:
    def exercise(conn: Connection) -> None:
        cursor = FastCursor(conn)
        sql = cursor.sql
        alice, bob = _account_id(conn, "alice"), _account_id(conn, "bob")
        lookup = sql.accounts_lookup(3)
        found = cursor.run(lookup, {"code0": "alice", "code1": "bob", "code2": "nobody"})
        assert sorted(found.fetchall()) == sorted(
            [(alice, "alice", "MLC", "active"), (bob, "bob", "MLC", "active")]
        )

        transaction_id = _claim(cursor, "fast-1")
        (debited,) = cursor.run(sql.debit, {"account_id": alice, "delta": -700}).fetchone()
        (credited,) = cursor.run(sql.credit, {"account_id": bob, "delta": 700}).fetchone()
        assert (debited, credited) == (4300, 700)
        assert cursor.run(sql.debit, {"account_id": alice, "delta": -4301}).fetchone() is None

        posting_ids = [
            cursor.run(
                sql.posting,
                {
                    "transaction_id": transaction_id,
                    "account_id": account_id,
                    "currency": "MLC",
                    "amount": amount,
                    "balance_after": after,
                    "created_at": sql.stamp(STAMP),
                },
            ).fetchone()[0]
            for account_id, amount, after in ((alice, -700, 4300), (bob, 700, 700))
        ]
        header = HeaderValues(transaction_id, "transfer", "memo", "ref", STAMP, None, None, "k")
        cursor.run(sql.header, {**header._asdict(), "created_at": sql.stamp(STAMP)})
        seq, prev = cursor.run(sql.last_entry, {}).fetchone() or (0, journal.GENESIS)
        values = [
            PostingValues(posting_ids[0], alice, "MLC", -700, 4300),
            PostingValues(posting_ids[1], bob, "MLC", 700, 700),
        ]
        if sql.is_postgres:  # nothing sealed yet: the funding transfer waits in the queue
            mark = queue_mark_of_rows(key_of(conn), header, values)
            conn.execute(insert(journal_queue).values(transaction_id=transaction_id, mac=mark))
        else:
            entry = journal.entry_hash(prev, header, values)
            entry_row = {"seq": seq + 1, "transaction_id": transaction_id, "prev_hash": prev}
            mark = entry_mark(key_of(conn), seq + 1, entry)
            cursor.run(
                sql.entry,
                {**entry_row, "hash": entry, "sealed_at": sql.stamp(STAMP), "mac": mark},
            )
        cursor.close()

        stored = load_transaction(conn, transaction_id)
        key_row = conn.execute(select(idempotency_keys).where(idempotency_keys.c.key == "fast-1"))
        assert key_row.one().result_ref == f"transaction:{transaction_id}"
        assert (stored.kind, stored.memo, stored.reference, stored.idempotency_key) == (
            "transfer",
            "memo",
            "ref",
            "k",
        )
        assert stored.created_at == STAMP
        assert [(p.id, p.account, p.amount, p.balance_after) for p in stored.postings] == [
            (posting_ids[0], "alice", -700, 4300),
            (posting_ids[1], "bob", 700, 700),
        ]
        assert all(p.created_at == STAMP for p in stored.postings)

    members.database.write(exercise)
    members.seal_journal()
    assert members.verify_journal().ok


@pytest.mark.postgres
def test_the_combined_insert_writes_postings_header_and_queue_row(
    postgres_database: Database,
) -> None:
    ledger = standard_ledger(postgres_database, clock=lambda: STAMP)
    ledger.auto_seal = False
    ledger.open_account("alice", kind=AccountKind.MEMBER, currency="MLC")

    def combine(conn: Connection) -> None:
        cursor = FastCursor(conn)
        issuance, alice = _account_id(conn, "issuance"), _account_id(conn, "alice")
        transaction_id = _claim(cursor, "combined")
        cursor.run(cursor.sql.debit, {"account_id": issuance, "delta": -300})
        cursor.run(cursor.sql.credit, {"account_id": alice, "delta": 300})
        header = HeaderValues(transaction_id, "issue", "", None, STAMP, None, "b", None)
        parameters = {**header._asdict(), "tid": transaction_id, "at": STAMP}
        parameters |= {"a0": issuance, "c0": "MLC", "m0": -300, "b0": -300}
        parameters |= {"a1": alice, "c1": "MLC", "m1": 300, "b1": 300}
        mark = queue_mark(
            key_of(conn), header, [(issuance, "MLC", -300, -300), (alice, "MLC", 300, 300)]
        )
        parameters["mac"] = mark
        returned = cursor.run_sql(cursor.sql.combined_insert(2), parameters).fetchall()
        cursor.close()
        queued = conn.execute(select(journal_queue.c.transaction_id, journal_queue.c.mac)).all()
        stored = conn.execute(
            select(postings.c.id, postings.c.account_id, postings.c.amount).where(
                postings.c.transaction_id == transaction_id
            )
        ).all()
        header_row = conn.execute(
            select(transactions).where(transactions.c.id == transaction_id)
        ).one()
        assert queued == [(transaction_id, mark)]
        assert sorted(returned) == sorted((row.id, row.account_id) for row in stored)
        assert {(row.account_id, row.amount) for row in stored} == {
            (issuance, -300),
            (alice, 300),
        }
        assert (header_row.kind, header_row.batch, as_utc(header_row.created_at)) == (
            "issue",
            "b",
            STAMP,
        )

    postgres_database.write(combine)
    ledger.seal_journal()
    assert ledger.verify_journal().ok


def test_a_driver_error_reaches_the_caller_as_a_sqlalchemy_error(members: Engine) -> None:
    def insert_a_second_key_row(conn: Connection) -> None:
        cursor = FastCursor(conn)
        values = {"key": "fund", "fingerprint": "f", "created_at": cursor.sql.stamp(STAMP)}
        placeholders = "%(key)s, %(fingerprint)s" if cursor.sql.is_postgres else "?, ?"
        placeholders += ", '', " + ("%(created_at)s" if cursor.sql.is_postgres else "?")
        statement = (
            "INSERT INTO idempotency_keys (key, fingerprint, result_ref, created_at) "
            f"VALUES ({placeholders})"
        )
        layout = values if cursor.sql.is_postgres else tuple(values.values())
        cursor.run_sql(statement, layout)

    refused(
        members.database,
        IntegrityError,
        lambda: members.database.write(insert_a_second_key_row),
    )


def test_a_transfer_returns_exactly_what_is_stored(members: Engine) -> None:
    posted = members.transfer("alice", "bob", 1250, idempotency_key="pay", memo="bread")

    stored = members.database.read(lambda conn: load_transaction(conn, posted.id))

    assert stored == posted
    assert [p.balance_after for p in posted.postings] == [3750, 1250]
    assert members.verify_journal().ok


def test_a_batch_returns_what_is_stored_and_chains_every_transaction(members: Engine) -> None:
    requests = [TransferRequest.simple("alice", "bob", amount) for amount in (100, 200, 300)]

    posted = members.batch(requests, idempotency_key="batch")

    stored = members.database.read(lambda conn: load_batch(conn, posted[0].batch or ""))
    assert stored == posted
    assert [p.balance_after for tx in posted for p in tx.postings] == [
        4900,
        100,
        4700,
        300,
        4400,
        600,
    ]
    if members.database.is_sqlite:
        assert [tx.id for tx in posted] == [posted[0].id + i for i in range(3)]
    members.seal_journal()
    verification = members.verify_journal()
    assert verification.ok
    assert verification.entries == 4  # the funding transfer and the batch's three


def test_a_batch_naming_an_unknown_account_late_changes_nothing(members: Engine) -> None:
    requests = [
        TransferRequest.simple("alice", "bob", 100),
        TransferRequest.simple("alice", "nobody", 100),
    ]

    error = refused(
        members.database, UnknownAccount, lambda: members.batch(requests, idempotency_key="b")
    )

    assert "nobody" in str(error)


def test_a_batch_overdrawing_midway_says_what_the_transfers_before_it_left(
    members: Engine,
) -> None:
    # alice holds 5000: the second transfer needs 4900 of the 4000 the first left her.
    # On PostgreSQL every update of the batch runs before the refusal is read; the third
    # gives alice 700, which the refusal must not count.
    requests = [
        TransferRequest.simple("alice", "bob", 1000),
        TransferRequest.simple("alice", "bob", 4900),
        TransferRequest.simple("bob", "alice", 700),
    ]

    error = refused(
        members.database, InsufficientFunds, lambda: members.batch(requests, idempotency_key="b")
    )

    assert (error.needed, error.available) == (4900, 4000)
    # Nothing of it was kept, the key included: the corrected batch goes through.
    posted = members.batch(requests[:1] + requests[2:], idempotency_key="b")
    assert [p.balance_after for tx in posted for p in tx.postings] == [4000, 1000, 4700, 300]
    members.seal_journal()
    assert members.verify_journal().ok


def test_a_batch_whose_sum_fits_but_not_one_of_its_steps_is_refused_at_that_step(
    members: Engine,
) -> None:
    # alice ends 4000 down, within her 5000; but the first transfer alone takes 6000.
    # On PostgreSQL each account is changed once by its sum, its limits checked at every
    # step of its running balance, not only at the end.
    requests = [
        TransferRequest.simple("alice", "bob", 6000),
        TransferRequest.simple("bob", "alice", 2000),
    ]

    error = refused(
        members.database, InsufficientFunds, lambda: members.batch(requests, idempotency_key="b")
    )

    assert (error.needed, error.available) == (6000, 5000)
    assert members.account("alice").balance == 5000


def test_a_transfer_retried_under_its_key_moves_nothing_more(members: Engine) -> None:
    # On PostgreSQL the retry's balance updates run with its key's claim, and are given
    # back once the claim is found taken.
    first = members.transfer("alice", "bob", 1250, idempotency_key="pay")

    again = members.transfer("alice", "bob", 1250, idempotency_key="pay")

    assert again == first
    assert members.database.read(lambda conn: load_transaction(conn, first.id)) == first
    members.seal_journal()
    verification = members.verify_journal()
    assert verification.ok  # every balance equals the sum of its postings


@pytest.mark.postgres
def test_a_pooled_connection_closed_by_the_server_is_replaced_and_the_transfer_posted_once(
    postgres_database: Database,
) -> None:
    ledger = standard_ledger(postgres_database, clock=SteppingClock())
    ledger.open_account("alice", kind=AccountKind.MEMBER, currency="MLC")
    backends = postgres_database.read(
        lambda conn: conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
    )
    admin = create_engine(POSTGRES_URL)
    with admin.connect() as conn:
        closed = conn.exec_driver_sql(f"SELECT pg_terminate_backend({int(backends)})").scalar()
    admin.dispose()
    assert closed is True

    posted = ledger.transfer("issuance", "alice", 400, idempotency_key="after-restart")

    assert ledger.account("alice").balance == 400
    assert [p.amount for p in posted.postings] == [-400, 400]
    assert count_rows(postgres_database, transactions) == 1
