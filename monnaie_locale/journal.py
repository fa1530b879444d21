"""The journal: a gap-free, hash-chained sequence of every committed transaction.

Each entry ``seq`` holds ``hash = SHA-256(prev_hash + canonical content)``, where the
content is the transaction's header and postings. Changing one byte of a stored
transaction or posting, removing one, or reordering them breaks the chain from there on.

Why seal after commit. Chaining inside each transfer would make every transfer wait for
the previous one's hash: a single global lock on the hot path, so on PostgreSQL
transfers on unrelated accounts would stop running in parallel. Instead a transfer only
appends its id to ``journal_queue`` (no shared row is touched), and :func:`seal` later
takes the queue in id order under a PostgreSQL advisory lock and numbers and chains the
entries. The numbering is gap-free because only the sealer assigns it, in one
transaction with the entries. A transaction is thus in the books at commit and in the
journal a moment later; :func:`verify` counts the ones still waiting, and checks that
each is really there.

SQLite has a single writer: the write lock is global already, so chaining costs no
parallelism there, and the posting engine (``monnaie_locale.ledger.posting``) seals each
transaction inside its own database transaction, saving the queue's row and a second
commit.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Connection, delete, func, insert, select, text

from monnaie_locale.clock import as_utc
from monnaie_locale.store.tables import (
    accounts,
    holds,
    journal,
    journal_queue,
    postings,
    transactions,
)

__all__ = [
    "GENESIS",
    "Discrepancy",
    "HeaderValues",
    "PostingValues",
    "Verification",
    "entry_hash",
    "seal",
    "verify",
]

GENESIS = "0" * 64
_SEALER_LOCK = 0x6D6C636A  # an arbitrary advisory-lock id for the sealer ("mlcj")
SEAL_CHUNK = 1000


class HeaderValues(NamedTuple):
    """A transaction header's hashed fields, as written (same names as its columns)."""

    id: int
    kind: str
    memo: str
    reference: str | None
    created_at: datetime
    reverses_id: int | None
    batch: str | None
    idempotency_key: str | None


class PostingValues(NamedTuple):
    """A posting's hashed fields, as written (same names as its columns)."""

    id: int
    account_id: int
    currency: str
    amount: int
    balance_after: int


def entry_hash(prev_hash: str, header: Any, posting_rows: Sequence[Any]) -> str:
    """The chained hash of one transaction, from its rows (or the values just written)."""
    content = [
        header.id,
        header.kind,
        header.memo,
        header.reference,
        as_utc(header.created_at).isoformat(),
        header.reverses_id,
        header.batch,
        header.idempotency_key,
        [[p.id, p.account_id, p.currency, p.amount, p.balance_after] for p in posting_rows],
    ]
    canonical = json.dumps(content, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((prev_hash + canonical).encode()).hexdigest()


def _last_entry(conn: Connection) -> tuple[int, str]:
    row = conn.execute(
        select(journal.c.seq, journal.c.hash).order_by(journal.c.seq.desc()).limit(1)
    ).first()
    return (0, GENESIS) if row is None else (int(row.seq), str(row.hash))


def _postings_of(conn: Connection, transaction_ids: list[int]) -> dict[int, list[Any]]:
    rows = conn.execute(
        select(postings)
        .where(postings.c.transaction_id.in_(transaction_ids))
        .order_by(postings.c.id)
    ).all()
    grouped: dict[int, list[Any]] = {tid: [] for tid in transaction_ids}
    for row in rows:
        grouped[row.transaction_id].append(row)
    return grouped


def seal(conn: Connection, *, now: datetime, limit: int = SEAL_CHUNK, wait: bool = False) -> int:
    """Chain up to ``limit`` queued transactions into the journal; return how many.

    If another sealer holds the lock, waits for it when ``wait`` is true, and otherwise
    returns 0 at once (the other sealer, or the next pass, takes these too).
    """
    if conn.dialect.name == "postgresql":
        # Keyed by schema too: ledgers in other schemas of one database seal on their own.
        lock = "pg_advisory_xact_lock" if wait else "pg_try_advisory_xact_lock"
        got = conn.execute(
            text(f"SELECT {lock}(:k, hashtext(current_schema()))::text"), {"k": _SEALER_LOCK}
        ).scalar()
        if got == "false":
            return 0
    queued = (
        conn.execute(
            select(journal_queue.c.transaction_id)
            .order_by(journal_queue.c.transaction_id)
            .limit(limit)
        )
        .scalars()
        .all()
    )
    if not queued:
        return 0
    headers = conn.execute(
        select(transactions).where(transactions.c.id.in_(queued)).order_by(transactions.c.id)
    ).all()
    grouped = _postings_of(conn, list(queued))
    seq, prev = _last_entry(conn)
    entries = []
    for header in headers:
        seq += 1
        digest = entry_hash(prev, header, grouped[header.id])
        entries.append(
            {
                "seq": seq,
                "transaction_id": header.id,
                "prev_hash": prev,
                "hash": digest,
                "sealed_at": now,
            }
        )
        prev = digest
    conn.execute(insert(journal), entries)
    conn.execute(delete(journal_queue).where(journal_queue.c.transaction_id.in_(queued)))
    return len(entries)


@dataclass(frozen=True, slots=True)
class Discrepancy:
    """What verification found wrong, and where."""

    sequence: int | None  # journal sequence, or None for a balance or queue finding
    reason: str


@dataclass
class Verification:
    """The result of walking the journal and the balances."""

    entries: int = 0
    postings: int = 0
    accounts: int = 0
    unsealed: int = 0
    discrepancies: list[Discrepancy] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.discrepancies

    @property
    def first(self) -> Discrepancy | None:
        return self.discrepancies[0] if self.discrepancies else None


Progress = Callable[[int], None]


def verify(
    conn: Connection, *, chunk: int = 2000, progress: Progress | None = None
) -> Verification:
    """Walk the journal and recompute hashes and balances; report every discrepancy.

    Memory stays flat whatever the ledger's size: the journal is read ``chunk`` entries
    at a time, and balances are summed per account by the database. ``progress`` is
    called with the number of entries checked so far.
    """
    result = Verification()
    _verify_chain(conn, result, chunk=chunk, progress=progress)
    _verify_queue(conn, result)
    _verify_balances(conn, result)
    return result


def _verify_chain(
    conn: Connection, result: Verification, *, chunk: int, progress: Progress | None
) -> None:
    prev, expected_seq, broken = GENESIS, 1, False
    for entries in _journal_chunks(conn, chunk):
        grouped = _postings_of(conn, [e.transaction_id for e in entries])
        headers = {
            h.id: h
            for h in conn.execute(
                select(transactions).where(
                    transactions.c.id.in_([e.transaction_id for e in entries])
                )
            ).all()
        }
        for entry in entries:
            result.entries += 1
            if broken:
                continue
            header = headers.get(entry.transaction_id)
            reason = None
            if entry.seq != expected_seq:
                reason = f"sequence jumps from {expected_seq - 1} to {entry.seq}"
            elif entry.prev_hash != prev:
                reason = "the entry does not chain to the previous one"
            elif header is None:
                reason = f"transaction {entry.transaction_id} is missing"
            elif entry_hash(prev, header, grouped[entry.transaction_id]) != entry.hash:
                reason = f"transaction {entry.transaction_id} differs from what was sealed"
            if reason is not None:
                result.discrepancies.append(Discrepancy(entry.seq, reason))
                broken = True  # later entries chain to a broken one; report the first only
            result.postings += len(grouped[entry.transaction_id])
            prev, expected_seq = entry.hash, expected_seq + 1
        if progress is not None:
            progress(result.entries)


def _journal_chunks(conn: Connection, chunk: int) -> Iterator[Sequence[Any]]:
    after = 0
    while True:
        rows = conn.execute(
            select(journal).where(journal.c.seq > after).order_by(journal.c.seq).limit(chunk)
        ).all()
        if not rows:
            return
        yield rows
        after = rows[-1].seq


def _verify_queue(conn: Connection, result: Verification) -> None:
    """Every transaction is either sealed or waiting in the queue, never both nor neither."""
    result.unsealed = int(
        conn.execute(select(func.count()).select_from(journal_queue)).scalar_one()
    )
    total = int(conn.execute(select(func.count()).select_from(transactions)).scalar_one())
    if total != result.entries + result.unsealed:
        result.discrepancies.append(
            Discrepancy(
                None,
                f"{total} transactions but {result.entries} sealed and {result.unsealed} queued",
            )
        )


def _verify_balances(conn: Connection, result: Verification) -> None:
    sums = (
        select(postings.c.account_id, func.sum(postings.c.amount).label("total"))
        .group_by(postings.c.account_id)
        .subquery()
    )
    pending = (
        select(holds.c.debit_account_id, func.sum(holds.c.amount).label("held"))
        .where(holds.c.status == "pending")
        .group_by(holds.c.debit_account_id)
        .subquery()
    )
    rows = conn.execute(
        select(
            accounts.c.code,
            accounts.c.currency,
            accounts.c.balance,
            accounts.c.held,
            accounts.c.lower_limit,
            accounts.c.upper_limit,
            func.coalesce(sums.c.total, 0).label("total"),
            func.coalesce(pending.c.held, 0).label("pending"),
        )
        .outerjoin(sums, sums.c.account_id == accounts.c.id)
        .outerjoin(pending, pending.c.debit_account_id == accounts.c.id)
        .order_by(accounts.c.id)
    )
    per_currency: dict[str, int] = {}
    for row in rows:
        result.accounts += 1
        per_currency[row.currency] = per_currency.get(row.currency, 0) + row.total
        problems = []
        if row.balance != row.total:
            problems.append(f"balance {row.balance} but its postings sum to {row.total}")
        if row.held != row.pending:
            problems.append(f"held {row.held} but pending holds sum to {row.pending}")
        if row.lower_limit is not None and row.balance - row.held < row.lower_limit:
            problems.append(f"below its lower limit {row.lower_limit}")
        if row.upper_limit is not None and row.balance > row.upper_limit:
            problems.append(f"above its upper limit {row.upper_limit}")
        for problem in problems:
            result.discrepancies.append(Discrepancy(None, f"account {row.code}: {problem}"))
    for currency, total in sorted(per_currency.items()):
        if total:
            result.discrepancies.append(
                Discrepancy(None, f"{currency} postings sum to {total}, not zero")
            )
