"""Forgeries at the journal's end, typed in SQL, are reported by verification and never sealed.

The database's rules let a balanced transfer written by hand commit (its postings
balance, its balances stay within their limits), and appending rows breaks no trigger.
What keeps such a transfer out of the sealed journal is the mark the service alone can
write; what reveals the newest transactions removed is the journal's head. Each test runs
on SQLite (where the service chains inline and never queues) and on PostgreSQL (where it
queues and a sealer chains after commit).
"""

from __future__ import annotations

import pytest
from sqlalchemy import Connection, select, text

from monnaie_locale.journal import Verification
from monnaie_locale.model import AccountKind
from monnaie_locale.store import Database
from monnaie_locale.store.tables import journal
from tests.engine import Engine
from tests.store.forgery import (
    append_entry,
    forge_transfer,
    remove_newest,
    rewind_head,
    start_marks_after_the_end,
)


@pytest.fixture
def books(ledger: Engine) -> Engine:
    """alice funded with 50.00, then paid bob 12.50; everything sealed."""
    for code in ("alice", "bob"):
        ledger.open_account(code, kind=AccountKind.MEMBER, currency="MLC")
    ledger.transfer("issuance", "alice", 5000, idempotency_key="fund")
    ledger.transfer("alice", "bob", 1250, idempotency_key="bread", memo="bread")
    ledger.seal_journal()
    return ledger


def sealed_ids(database: Database) -> list[int]:
    return database.read(
        lambda conn: list(conn.execute(select(journal.c.transaction_id)).scalars())
    )


def reasons(verification: Verification) -> str:
    return "\n".join(d.reason for d in verification.discrepancies)


def test_a_transfer_forged_in_sql_with_a_queue_row_is_not_sealed_and_is_reported(
    books: Engine,
) -> None:
    forged = forge_transfer(books.database, "issuance", "bob", 100_000, queue_row=True)

    books.seal_journal()
    verification = books.verify_journal()

    assert forged not in sealed_ids(books.database)
    assert not verification.ok
    assert f"transaction {forged}" in reasons(verification)
    assert verification.entries == 2


def test_a_transfer_forged_in_sql_without_a_queue_row_is_reported_as_missing(
    books: Engine,
) -> None:
    forged = forge_transfer(books.database, "issuance", "bob", 100_000)

    books.seal_journal()
    verification = books.verify_journal()

    assert not verification.ok
    assert f"transaction {forged} has no journal entry" in reasons(verification)


def test_a_journal_entry_appended_in_sql_by_the_published_algorithm_is_reported(
    books: Engine,
) -> None:
    forged = forge_transfer(books.database, "issuance", "bob", 100_000)
    seq = append_entry(books.database, forged)

    verification = books.verify_journal()

    assert not verification.ok
    assert any(d.sequence == seq and "mark" in d.reason for d in verification.discrepancies), (
        reasons(verification)
    )


def test_later_transfers_do_not_launder_an_entry_appended_in_sql(books: Engine) -> None:
    forged = forge_transfer(books.database, "issuance", "bob", 100_000)
    seq = append_entry(books.database, forged)

    books.transfer("bob", "alice", 100, idempotency_key="after")
    books.seal_journal()
    verification = books.verify_journal()

    assert [d.sequence for d in verification.discrepancies] == [seq]


def test_moving_where_marks_begin_does_not_hide_an_entry_appended_in_sql(books: Engine) -> None:
    forged = forge_transfer(books.database, "issuance", "bob", 100_000)
    seq = append_entry(books.database, forged)
    start_marks_after_the_end(books.database)

    verification = books.verify_journal()

    # The entries before it carry marks, and marks never stop once begun.
    assert [d.sequence for d in verification.discrepancies] == [seq]


def test_removing_the_newest_transaction_is_reported_even_with_balances_undone(
    books: Engine,
) -> None:
    removed = remove_newest(books.database)

    verification = books.verify_journal()

    assert removed not in sealed_ids(books.database)
    assert not verification.ok
    assert "head" in reasons(verification)


def test_a_removal_that_also_rewinds_the_head_is_beyond_what_verification_sees(
    books: Engine,
) -> None:
    # The limit the audit command states: without a checkpoint kept outside the
    # database, an attacker who removes the newest transactions, undoes their balance
    # updates and rewinds the head leaves books that verify. Should this test start to
    # fail, verification learnt more; update what `mlc audit verify` says it cannot see.
    remove_newest(books.database)
    rewind_head(books.database)

    assert books.verify_journal().ok


def test_a_queued_transfer_changed_before_sealing_is_not_sealed(books: Engine) -> None:
    if not books.database.is_postgres:
        pytest.skip("SQLite chains each transfer as it commits: nothing waits in a queue")
    queued = Engine(books.database, auto_seal=False)
    late = queued.transfer("bob", "alice", 100, idempotency_key="late")

    def change_memo(conn: Connection) -> None:
        conn.execute(text("ALTER TABLE transactions DISABLE TRIGGER transactions_immutable"))
        conn.execute(text("UPDATE transactions SET memo = 'changed' WHERE id = :t"), {"t": late.id})

    books.database.write(change_memo)

    queued.seal_journal()
    verification = queued.verify_journal()

    assert late.id not in sealed_ids(books.database)
    assert f"transaction {late.id}" in reasons(verification)
