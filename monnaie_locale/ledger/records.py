"""Records: transactions that move no money, written so the journal commits to a document.

A record is a transaction header without postings. Its hashed fields (kind, memo,
reference, see :mod:`monnaie_locale.journal_content`) carry what the document says, and it
is sealed into the journal like any transaction: chained inline on SQLite, queued with
the service's mark on PostgreSQL for the sealer. The journal's chain, the Merkle tree over
it and the signed checkpoints thus commit to the document; ``mlc audit verify`` checks it
as any other entry.

Why no postings. The database refuses a posting of zero, and a pair cancelling on one
account would show in that account's history as two movements that never happened. So
the database lets the record kinds, and only them, have no postings, and refuses any
posting on them (migration 0023).

Only :data:`RECORD_KINDS` may be written here: the database accepts no other transaction
without postings.
"""

from __future__ import annotations

from sqlalchemy import Connection, insert

from monnaie_locale.clock import Clock
from monnaie_locale.errors import InvalidRequest
from monnaie_locale.journal_content import (
    HeaderValues,
    entry_hash,
    entry_mark,
    key_of,
    queue_mark,
)
from monnaie_locale.journal_rows import last_entry
from monnaie_locale.model import MAX_MEMO, MAX_REFERENCE, Transaction, check_plain_text
from monnaie_locale.store.database import allocate_transaction_id
from monnaie_locale.store.tables import journal, journal_queue, transactions

__all__ = ["RECORD_KINDS", "RESERVE_STATEMENT", "write_record"]

# A bank statement of a reserve account, imported (see operations.reserve_statements).
RESERVE_STATEMENT = "reserve_statement"
# The kinds the database lets through without postings (migration 0023 names them too).
RECORD_KINDS = frozenset({RESERVE_STATEMENT})


def write_record(
    conn: Connection, *, kind: str, memo: str, reference: str | None, clock: Clock
) -> Transaction:
    """Write a record of ``kind`` and hand it to the journal; the caller owns the DB
    transaction."""
    if kind not in RECORD_KINDS:
        raise InvalidRequest(f"a {kind} moves money: it is not a record")
    check_plain_text(memo, "memo", max_length=MAX_MEMO)
    if reference is not None:
        check_plain_text(reference, "reference", max_length=MAX_REFERENCE)
    stamp = clock()
    header = HeaderValues(
        id=allocate_transaction_id(conn),
        kind=kind,
        memo=memo,
        reference=reference,
        created_at=stamp,
        reverses_id=None,
        batch=None,
        idempotency_key=None,
    )
    values = header._asdict()
    del values["operation_date"]  # undated: recorded the day it is written
    conn.execute(insert(transactions).values(values))
    key = key_of(conn)
    if conn.dialect.name == "postgresql":
        # The sealer's queue, with the mark only the service can make (see journal).
        conn.execute(
            insert(journal_queue).values(transaction_id=header.id, mac=queue_mark(key, header, []))
        )
    else:
        seq, prev = last_entry(conn)
        digest = entry_hash(prev, header, [])
        conn.execute(
            insert(journal).values(
                seq=seq + 1,
                transaction_id=header.id,
                prev_hash=prev,
                hash=digest,
                sealed_at=stamp,
                mac=entry_mark(key, seq + 1, digest),
            )
        )
    return Transaction(
        id=header.id,
        kind=kind,
        memo=memo,
        reference=reference,
        created_at=stamp,
        reverses=None,
        batch=None,
        idempotency_key=None,
        postings=(),
    )
