"""The database keeps the books even against hand-written SQL that bypasses the ledger.

Every statement here is typed by hand on a raw connection, the way a script or an
administrator would: an unbalanced transaction, a changed or deleted posting, a balance
set outside its limits. The database must refuse each one. Where an administrator does
get through (by dropping the immutability triggers), journal verification must point at
the first entry that no longer matches what was sealed.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from monnaie_locale.model import AccountKind, Transaction
from monnaie_locale.store import Database
from tests.engine import Engine
from tests.support import refused, snapshot

HAND_WRITTEN_ID = 900_000

Leg = tuple[str, str, int]  # account code, currency, signed amount


@pytest.fixture
def books(ledger: Engine) -> Engine:
    """alice holds 50.00 and has paid bob 12.50 for bread; bob then paid alice 2.00."""
    for code in ("alice", "bob"):
        ledger.open_account(code, kind=AccountKind.MEMBER, currency="MLC")
    ledger.transfer("issuance", "alice", 5000, idempotency_key="fund")
    ledger.transfer("alice", "bob", 1250, idempotency_key="bread", memo="bread")
    ledger.transfer("bob", "alice", 200, idempotency_key="back", memo="change")
    ledger.seal_journal()
    return ledger


def account_id(conn: Connection, code: str) -> int:
    return int(conn.execute(text("SELECT id FROM accounts WHERE code = :c"), {"c": code}).one()[0])


def insert_postings(conn: Connection, transaction_id: int, legs: Sequence[Leg]) -> None:
    for code, currency, amount in legs:
        conn.execute(
            text(
                "INSERT INTO postings "
                "(transaction_id, account_id, currency, amount, balance_after, created_at) "
                "VALUES (:t, :a, :c, :amount, 0, CURRENT_TIMESTAMP)"
            ),
            {"t": transaction_id, "a": account_id(conn, code), "c": currency, "amount": amount},
        )


def insert_header(conn: Connection, transaction_id: int) -> None:
    conn.execute(
        text(
            "INSERT INTO transactions (id, kind, memo, created_at) "
            "VALUES (:t, 'manual', 'typed by hand', CURRENT_TIMESTAMP)"
        ),
        {"t": transaction_id},
    )


def write_by_hand(database: Database, legs: Sequence[Leg], *, header: bool = True) -> None:
    """Postings then header, in one transaction, as the ledger itself writes them."""
    with database.engine.begin() as conn:
        insert_postings(conn, HAND_WRITTEN_ID, legs)
        if header:
            insert_header(conn, HAND_WRITTEN_ID)


def execute_by_hand(database: Database, statement: str) -> None:
    with database.engine.begin() as conn:
        conn.execute(text(statement))


def payment(ledger: Engine) -> Transaction:
    """The bread payment, read back (the fixture's second transaction)."""
    page = ledger.statement("bob", limit=100)
    bread = next(line for line in page.lines if line.memo == "bread")
    return ledger.transaction(bread.posting.transaction_id)


# Balance per currency ----------------------------------------------------------------------


def test_a_balanced_transaction_written_by_hand_is_accepted(books: Engine) -> None:
    write_by_hand(books.database, [("alice", "MLC", -100), ("bob", "MLC", 100)])

    assert len(books.transaction(HAND_WRITTEN_ID).postings) == 2


@pytest.mark.parametrize(
    "legs",
    [
        [("alice", "MLC", -100), ("bob", "MLC", 99)],
        [("alice", "MLC", -100), ("external", "EUR", 100)],
        [("alice", "MLC", -100)],
    ],
    ids=["short-by-one-cent", "balanced-only-across-currencies", "single-posting"],
)
def test_an_unbalanced_transaction_written_by_hand_never_commits(
    books: Engine, legs: list[Leg]
) -> None:
    # SQLite refuses at the header's insertion, PostgreSQL at COMMIT: both before commit.
    error = refused(books.database, DBAPIError, lambda: write_by_hand(books.database, legs))
    assert "does not balance" in str(error)


def test_postings_written_without_their_transaction_never_commit(books: Engine) -> None:
    legs = [("alice", "MLC", -100), ("bob", "MLC", 100)]

    error = refused(
        books.database, DBAPIError, lambda: write_by_hand(books.database, legs, header=False)
    )
    assert "foreign key" in str(error).lower()


def test_a_posting_added_to_a_written_transaction_is_refused(books: Engine) -> None:
    target = payment(books).id

    def add_one() -> None:
        with books.database.engine.begin() as conn:
            insert_postings(conn, target, [("alice", "MLC", -1)])

    error = refused(books.database, DBAPIError, add_one)
    assert "already written" in str(error) or "does not balance" in str(error)


def test_a_balanced_pair_added_to_a_written_transaction_is_refused_on_sqlite(
    books: Engine,
) -> None:
    if books.database.is_postgres:
        pytest.skip("PostgreSQL checks the balance only; the pair keeps it balanced")
    target = payment(books).id

    def add_pair() -> None:
        with books.database.engine.begin() as conn:
            insert_postings(conn, target, [("alice", "MLC", -1), ("bob", "MLC", 1)])

    error = refused(books.database, DBAPIError, add_pair)
    assert "already written" in str(error)


def test_a_posting_in_another_currency_than_its_account_is_refused(books: Engine) -> None:
    legs = [("alice", "EUR", -100), ("external", "EUR", 100)]

    error = refused(books.database, DBAPIError, lambda: write_by_hand(books.database, legs))
    assert "foreign key" in str(error).lower()


def test_a_posting_of_zero_is_refused(books: Engine) -> None:
    legs = [("alice", "MLC", 0), ("bob", "MLC", -100), ("issuance", "MLC", 100)]

    error = refused(books.database, DBAPIError, lambda: write_by_hand(books.database, legs))
    assert "ck_postings_amount_not_zero" in str(error)


# Immutability -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE postings SET amount = amount * 2",
        "UPDATE postings SET balance_after = 0",
        "DELETE FROM postings",
        "UPDATE transactions SET memo = 'rewritten'",
        "DELETE FROM transactions WHERE kind = 'transfer'",
        "UPDATE journal SET hash = prev_hash",
        "DELETE FROM journal",
    ],
)
def test_the_books_are_append_only(books: Engine, statement: str) -> None:
    error = refused(books.database, DBAPIError, lambda: execute_by_hand(books.database, statement))
    assert "append-only" in str(error)


@pytest.mark.parametrize("table", ["postings", "transactions", "journal"])
def test_truncating_the_books_is_refused_on_postgresql(books: Engine, table: str) -> None:
    if not books.database.is_postgres:
        pytest.skip("SQLite has no TRUNCATE; DELETE is refused above")
    error = refused(
        books.database, DBAPIError, lambda: execute_by_hand(books.database, f"TRUNCATE {table}")
    )
    # transactions is also protected by the foreign keys that point at it
    assert "append-only" in str(error) or "foreign key" in str(error)


# Limits held by CHECK constraints --------------------------------------------------------


@pytest.mark.parametrize(
    ("statement", "constraint"),
    [
        ("UPDATE accounts SET balance = -1 WHERE code = 'bob'", "above_lower_limit"),
        ("UPDATE accounts SET held = balance + 1 WHERE code = 'alice'", "above_lower_limit"),
        ("UPDATE accounts SET held = -1 WHERE code = 'alice'", "held_not_negative"),
        ("UPDATE accounts SET balance = 1 WHERE code = 'reserve:digital'", "below_upper_limit"),
        ("UPDATE accounts SET status = 'deleted' WHERE code = 'alice'", "ck_accounts_status"),
    ],
    ids=["below-lower-limit", "held-beyond-balance", "negative-held", "above-upper", "status"],
)
def test_balances_set_by_hand_stay_within_limits(
    books: Engine, statement: str, constraint: str
) -> None:
    error = refused(books.database, DBAPIError, lambda: execute_by_hand(books.database, statement))
    assert constraint in str(error)


# Tampering by an administrator, found by verification ---------------------------------------


def allow_changes(conn: Connection, table: str) -> None:
    """What an attacker with administrator rights would do first."""
    if conn.dialect.name == "postgresql":
        conn.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER {table}_immutable"))
    else:
        conn.execute(text(f"DROP TRIGGER {table}_no_update"))


def sequence_of(conn: Connection, transaction_id: int) -> int:
    return int(
        conn.execute(
            text("SELECT seq FROM journal WHERE transaction_id = :t"), {"t": transaction_id}
        ).one()[0]
    )


def test_untouched_books_verify(books: Engine) -> None:
    verification = books.verify_journal()

    assert verification.ok
    assert (verification.entries, verification.unsealed) == (3, 0)


def test_verification_finds_one_character_changed_in_a_sealed_memo(books: Engine) -> None:
    target = payment(books).id
    with books.database.engine.begin() as conn:
        allow_changes(conn, "transactions")
        conn.execute(text("UPDATE transactions SET memo = 'brexd' WHERE id = :t"), {"t": target})
        expected = sequence_of(conn, target)

    verification = books.verify_journal()

    assert not verification.ok
    assert verification.first is not None
    assert verification.first.sequence == expected
    assert f"transaction {target}" in verification.first.reason
    assert verification.entries == 3  # the walk went on to the end


def test_verification_finds_a_changed_posting_amount_and_the_broken_balances(
    books: Engine,
) -> None:
    target = payment(books)
    bob_posting = next(p for p in target.postings if p.account == "bob")
    with books.database.engine.begin() as conn:
        allow_changes(conn, "postings")
        conn.execute(
            text("UPDATE postings SET amount = amount + 1 WHERE id = :p"), {"p": bob_posting.id}
        )
        expected = sequence_of(conn, target.id)

    verification = books.verify_journal()

    assert verification.first is not None
    assert verification.first.sequence == expected
    later = [d.reason for d in verification.discrepancies[1:]]
    assert any(reason.startswith("account bob:") for reason in later)
    assert any(reason.startswith("MLC postings sum to 1") for reason in later)


def test_verification_reports_the_earliest_of_several_changes(books: Engine) -> None:
    with books.database.engine.begin() as conn:
        allow_changes(conn, "transactions")
        ids = [row[0] for row in conn.execute(text("SELECT id FROM transactions ORDER BY id"))]
        conn.execute(
            text("UPDATE transactions SET memo = memo || '.' WHERE id >= :t"), {"t": ids[1]}
        )
        expected = sequence_of(conn, ids[1])

    verification = books.verify_journal()

    assert [d.sequence for d in verification.discrepancies] == [expected]


def test_snapshot_sees_a_hand_written_change(books: Engine) -> None:
    # Guards the other tests here: their "nothing changed" relies on snapshot seeing rows.
    before = snapshot(books.database)
    write_by_hand(books.database, [("alice", "MLC", -100), ("bob", "MLC", 100)])
    assert snapshot(books.database) != before
