"""Reading the journal's rows: entries in chunks, postings by transaction, the queue checked.

Shared by :func:`monnaie_locale.journal.seal` and :mod:`monnaie_locale.journal_verify`:
both must judge a queue row the same way, the sealer to leave it, verification to
report it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, NamedTuple

from sqlalchemy import BigInteger, ColumnElement, Connection, any_, bindparam, select
from sqlalchemy.dialects.postgresql import ARRAY

from monnaie_locale.journal_content import GENESIS, queue_mark_of_rows, same_mark
from monnaie_locale.store.tables import journal, journal_queue, postings, transactions

__all__ = ["Queued", "examine", "journal_chunks", "last_entry", "postings_of", "queue_pages"]


def last_entry(conn: Connection) -> tuple[int, str]:
    row = conn.execute(
        select(journal.c.seq, journal.c.hash).order_by(journal.c.seq.desc()).limit(1)
    ).first()
    return (0, GENESIS) if row is None else (int(row.seq), str(row.hash))


def _among(conn: Connection, column: Any, ids: list[int]) -> ColumnElement[bool]:
    """``column IN ids``; on PostgreSQL as one array parameter, so that a thousand ids
    make neither a thousand parameters nor a statement text of their own."""
    among: ColumnElement[bool]
    if conn.dialect.name == "postgresql":
        among = column == any_(bindparam("ids", ids, type_=ARRAY(BigInteger)))
    else:
        among = column.in_(ids)
    return among


def postings_of(conn: Connection, transaction_ids: list[int]) -> dict[int, list[Any]]:
    rows = conn.execute(
        select(postings)
        .where(_among(conn, postings.c.transaction_id, transaction_ids))
        .order_by(postings.c.id)
    ).all()
    grouped: dict[int, list[Any]] = {tid: [] for tid in transaction_ids}
    for row in rows:
        grouped[row.transaction_id].append(row)
    return grouped


class Queued(NamedTuple):
    """A queue row and what stands behind it."""

    transaction_id: int
    header: Any  # None when the transaction does not exist
    postings: list[Any]
    problem: str | None  # why it must not be sealed, or None


def examine(conn: Connection, key: bytes, rows: Sequence[Any]) -> list[Queued]:
    """Check each queue row's mark against its stored transaction, in id order."""
    ids = [int(row.transaction_id) for row in rows]
    headers = {
        h.id: h
        for h in conn.execute(select(transactions).where(_among(conn, transactions.c.id, ids)))
    }
    grouped = postings_of(conn, ids)
    sealed = set(
        conn.execute(
            select(journal.c.transaction_id).where(_among(conn, journal.c.transaction_id, ids))
        )
        .scalars()
        .all()
    )
    examined = []
    for row, tid in zip(rows, ids, strict=True):
        header = headers.get(tid)
        problem = None
        if header is None:
            problem = f"transaction {tid} is queued but does not exist"
        elif tid in sealed:
            problem = f"transaction {tid} is queued but sealed already"
        elif not same_mark(row.mac, queue_mark_of_rows(key, header, grouped[tid])):
            problem = (
                f"transaction {tid} is queued without the service's mark of its content: "
                "written outside the service, changed since it was queued, or queued "
                "under another MLC_SECRET_KEY"
            )
        examined.append(Queued(tid, header, grouped[tid], problem))
    return examined


def queue_pages(conn: Connection, size: int) -> Iterator[Sequence[Any]]:
    after = None
    while True:
        query = select(journal_queue).order_by(journal_queue.c.transaction_id).limit(size)
        if after is not None:
            query = query.where(journal_queue.c.transaction_id > after)
        rows = conn.execute(query).all()
        if not rows:
            return
        yield rows
        after = rows[-1].transaction_id


def journal_chunks(conn: Connection, chunk: int) -> Iterator[Sequence[Any]]:
    after = 0
    while True:
        rows = conn.execute(
            select(journal).where(journal.c.seq > after).order_by(journal.c.seq).limit(chunk)
        ).all()
        if not rows:
            return
        yield rows
        after = rows[-1].seq
