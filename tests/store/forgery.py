"""Forgeries typed in SQL by someone with write access to the database, not through the ledger.

Each helper writes what an attacker would, with nothing of the ledger's own code: a
balanced transfer with its postings and balance updates (the database's own rules all
hold, no trigger dropped), optionally a ``journal_queue`` row or a journal entry chained
by the published algorithm; or the newest transaction removed, triggers dropped, with its
balance updates undone so the balances still add up.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Connection, delete, insert, select, text, update

from monnaie_locale import journal
from monnaie_locale.store import Database
from monnaie_locale.store.tables import accounts, idempotency_keys, postings, transactions
from monnaie_locale.store.tables import journal as journal_table

__all__ = [
    "append_entry",
    "change_amount",
    "delete_entry",
    "forge_transfer",
    "remove_newest",
    "rewind_head",
    "start_marks_after_the_end",
]

FORGED_AT = datetime(2026, 11, 30, 23, 59, tzinfo=UTC)


def _next_id(conn: Connection) -> int:
    if conn.dialect.name == "postgresql":
        return int(conn.execute(text("SELECT nextval('transaction_ids')")).scalar_one())
    return int(conn.execute(text("SELECT coalesce(max(id), 0) + 1 FROM transactions")).scalar_one())


def _account_id(conn: Connection, code: str) -> int:
    return int(conn.execute(select(accounts.c.id).where(accounts.c.code == code)).scalar_one())


def forge_transfer(
    database: Database, debit: str, credit: str, amount: int, *, queue_row: bool = False
) -> int:
    """A transfer written in SQL, balances updated; return its transaction id."""

    def forge(conn: Connection) -> int:
        transaction_id = _next_id(conn)
        legs = sorted([(_account_id(conn, debit), -amount), (_account_id(conn, credit), amount)])
        for account_id, delta in legs:
            balance = conn.execute(
                update(accounts)
                .where(accounts.c.id == account_id)
                .values(balance=accounts.c.balance + delta)
                .returning(accounts.c.balance)
            ).scalar_one()
            conn.execute(
                insert(postings).values(
                    transaction_id=transaction_id,
                    account_id=account_id,
                    currency="MLC",
                    amount=delta,
                    balance_after=balance,
                    created_at=FORGED_AT,
                )
            )
        # After its postings: on SQLite the header's insertion checks that they balance.
        conn.execute(
            insert(transactions).values(
                id=transaction_id, kind="transfer", memo="", created_at=FORGED_AT
            )
        )
        if queue_row:
            conn.execute(
                text("INSERT INTO journal_queue (transaction_id) VALUES (:t)"),
                {"t": transaction_id},
            )
        return transaction_id

    return database.write(forge)


def append_entry(
    database: Database, transaction_id: int, *, sealed_at: datetime = FORGED_AT
) -> int:
    """Chain ``transaction_id`` after the journal's last entry, as the published algorithm does.

    ``sealed_at`` is the stamp the attacker writes: a careful one picks the present.
    """

    def append(conn: Connection) -> int:
        last = conn.execute(
            select(journal_table.c.seq, journal_table.c.hash)
            .order_by(journal_table.c.seq.desc())
            .limit(1)
        ).first()
        seq, prev = (0, journal.GENESIS) if last is None else (last.seq, last.hash)
        header = conn.execute(select(transactions).where(transactions.c.id == transaction_id)).one()
        rows = conn.execute(
            select(postings)
            .where(postings.c.transaction_id == transaction_id)
            .order_by(postings.c.id)
        ).all()
        conn.execute(
            insert(journal_table).values(
                seq=seq + 1,
                transaction_id=transaction_id,
                prev_hash=prev,
                hash=journal.entry_hash(prev, header, rows),
                sealed_at=sealed_at,
            )
        )
        return int(seq + 1)

    return database.write(append)


def _drop_protections(conn: Connection) -> None:
    """What an attacker with the database owner's rights does first."""
    if conn.dialect.name == "postgresql":
        for table in ("postings", "transactions", "journal"):
            conn.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
        return
    names = conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars()
    for name in list(names):
        conn.execute(text(f"DROP TRIGGER {name}"))


def remove_newest(database: Database) -> int:
    """Delete the newest transaction, its postings, entry and key; undo its balance updates."""

    def remove(conn: Connection) -> int:
        _drop_protections(conn)
        entry = conn.execute(
            select(journal_table.c.seq, journal_table.c.transaction_id)
            .order_by(journal_table.c.seq.desc())
            .limit(1)
        ).one()
        transaction_id = int(entry.transaction_id)
        for posting in conn.execute(
            select(postings.c.account_id, postings.c.amount).where(
                postings.c.transaction_id == transaction_id
            )
        ).all():
            conn.execute(
                update(accounts)
                .where(accounts.c.id == posting.account_id)
                .values(balance=accounts.c.balance - posting.amount)
            )
        conn.execute(delete(journal_table).where(journal_table.c.seq == entry.seq))
        conn.execute(delete(postings).where(postings.c.transaction_id == transaction_id))
        conn.execute(delete(transactions).where(transactions.c.id == transaction_id))
        conn.execute(
            delete(idempotency_keys).where(
                idempotency_keys.c.result_ref == f"transaction:{transaction_id}"
            )
        )
        return transaction_id

    return database.write(remove)


def _unguard_head(conn: Connection) -> None:
    _drop_protections(conn)
    if conn.dialect.name == "postgresql":
        conn.execute(text("ALTER TABLE journal_head DISABLE TRIGGER USER"))


def start_marks_after_the_end(database: Database) -> None:
    """Move where the head says marks begin past the last entry, as if none were made yet."""

    def start(conn: Connection) -> None:
        _unguard_head(conn)
        conn.execute(text("UPDATE journal_head SET marked_from = seq + 1"))

    database.write(start)


def rewind_head(database: Database) -> None:
    """Set the journal's head back to its last entry, as a thorough attacker would."""

    def rewind(conn: Connection) -> None:
        _unguard_head(conn)
        last = conn.execute(
            select(journal_table.c.seq, journal_table.c.hash)
            .order_by(journal_table.c.seq.desc())
            .limit(1)
        ).one()
        conn.execute(
            text("UPDATE journal_head SET seq = :s, hash = :h"), {"s": last.seq, "h": last.hash}
        )

    database.write(rewind)


def change_amount(database: Database, seq: int, delta: int) -> int:
    """Add ``delta`` to the first posting of journal entry ``seq``'s transaction; its id.

    Only the amount: the entry's hash, the balances and the other leg stay as they were.
    """

    def change(conn: Connection) -> int:
        _drop_protections(conn)
        transaction_id = conn.execute(
            select(journal_table.c.transaction_id).where(journal_table.c.seq == seq)
        ).scalar_one()
        posting = conn.execute(
            select(postings.c.id)
            .where(postings.c.transaction_id == transaction_id)
            .order_by(postings.c.id)
            .limit(1)
        ).scalar_one()
        conn.execute(
            update(postings)
            .where(postings.c.id == posting)
            .values(amount=postings.c.amount + delta)
        )
        return int(transaction_id)

    return database.write(change)


def delete_entry(database: Database, seq: int) -> int:
    """Delete journal entry ``seq`` alone, its transaction left in the books; its id."""

    def remove(conn: Connection) -> int:
        _drop_protections(conn)
        transaction_id = conn.execute(
            select(journal_table.c.transaction_id).where(journal_table.c.seq == seq)
        ).scalar_one()
        conn.execute(delete(journal_table).where(journal_table.c.seq == seq))
        return int(transaction_id)

    return database.write(remove)
