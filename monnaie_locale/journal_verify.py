"""Verifying the books: the chain, the marks, the head, the queue, and every balance.

See :mod:`monnaie_locale.journal` for what is checked and why, and for what cannot be
seen without checkpoints kept outside the database.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, exists, func, select

from monnaie_locale.journal_content import GENESIS, entry_hash, entry_mark, key_of, same_mark
from monnaie_locale.journal_rows import examine, journal_chunks, postings_of, queue_pages
from monnaie_locale.store.tables import (
    accounts,
    holds,
    journal,
    journal_head,
    journal_queue,
    postings,
    transactions,
)

__all__ = ["LISTED", "UNMARKED", "Discrepancy", "Progress", "Verification", "verify"]

# Findings of one kind listed one by one before the rest are only counted.
LISTED = 10


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
    """Walk the journal and recompute hashes, marks and balances; report every discrepancy.

    Memory stays flat whatever the ledger's size: the journal is read ``chunk`` entries
    at a time, and balances are summed per account by the database. ``progress`` is
    called with the number of entries checked so far. Nothing is written: what waits in
    the queue is checked and counted, not sealed.
    """
    result = Verification()
    key = key_of(conn)
    head = conn.execute(select(journal_head)).first()
    marked_from = 1 if head is None else int(head.marked_from)
    last = _verify_chain(
        conn, result, key=key, marked_from=marked_from, chunk=chunk, progress=progress
    )
    _verify_head(head, last, result)
    _verify_queue(conn, result, key=key, chunk=chunk)
    _verify_all_journaled(conn, result)
    _verify_balances(conn, result)
    return result


def _verify_chain(
    conn: Connection,
    result: Verification,
    *,
    key: bytes,
    marked_from: int,
    chunk: int,
    progress: Progress | None,
) -> tuple[int, str]:
    """Walk the chain and the entries' marks; return the last entry's sequence and hash."""
    prev, expected_seq, broken = GENESIS, 1, False
    unmarked, marked_seen = 0, False
    last = (0, GENESIS)
    for entries in journal_chunks(conn, chunk):
        ids = [entry.transaction_id for entry in entries]
        grouped = postings_of(conn, ids)
        headers = {
            h.id: h for h in conn.execute(select(transactions).where(transactions.c.id.in_(ids)))
        }
        for entry in entries:
            result.entries += 1
            last = (int(entry.seq), str(entry.hash))
            # Marks begin at marked_from, or earlier if one is found: they never stop.
            if same_mark(entry.mac, entry_mark(key, entry.seq, entry.hash)):
                marked_seen = True
            elif entry.seq >= marked_from or marked_seen:
                unmarked += 1
                if unmarked <= LISTED:
                    result.discrepancies.append(Discrepancy(entry.seq, UNMARKED))
            if broken:
                continue
            postings_of_entry = grouped[entry.transaction_id]
            header = headers.get(entry.transaction_id)
            reason = _chain_problem(entry, header, postings_of_entry, prev=prev, seq=expected_seq)
            if reason is not None:
                result.discrepancies.append(Discrepancy(entry.seq, reason))
                broken = True  # later entries chain to a broken one; report the first only
            result.postings += len(postings_of_entry)
            prev, expected_seq = entry.hash, expected_seq + 1
        if progress is not None:
            progress(result.entries)
    if unmarked > LISTED:
        result.discrepancies.append(
            Discrepancy(None, f"{unmarked - LISTED} more entries lack the service's mark")
        )
    return last


UNMARKED = (
    "the entry lacks the service's mark: written outside the service, or sealed under "
    "another MLC_SECRET_KEY"
)


def _chain_problem(
    entry: Any, header: Any, posting_rows: list[Any], *, prev: str, seq: int
) -> str | None:
    """Why ``entry`` is not the ``seq``-th link after ``prev``, or None."""
    if entry.seq != seq:
        return f"sequence jumps from {seq - 1} to {entry.seq}"
    if entry.prev_hash != prev:
        return "the entry does not chain to the previous one"
    if header is None:
        return f"transaction {entry.transaction_id} is missing"
    if entry_hash(prev, header, posting_rows) != entry.hash:
        return f"transaction {entry.transaction_id} differs from what was sealed"
    return None


def _verify_head(head: Any, last: tuple[int, str], result: Verification) -> None:
    """The journal ends where its head, moved by the database with each entry, says."""
    seq, digest = last
    if head is None:
        result.discrepancies.append(Discrepancy(None, "the journal's head row is missing"))
        return
    if head.marked_from > head.seq + 1:  # set at the end when marks began, never moved
        result.discrepancies.append(
            Discrepancy(None, f"the head says marks begin at {head.marked_from}, past its end")
        )
    if seq < head.seq:
        result.discrepancies.append(
            Discrepancy(
                seq + 1,
                f"the journal ends at sequence {seq} but its head records {head.seq}: "
                "the newest entries were removed",
            )
        )
    elif seq > head.seq:
        result.discrepancies.append(
            Discrepancy(
                head.seq + 1,
                f"the journal goes on to sequence {seq} past its head, {head.seq}: entries "
                "were added with the head's trigger dropped",
            )
        )
    elif digest != head.hash:
        result.discrepancies.append(
            Discrepancy(seq, f"entry {seq} is not the one its head records")
        )


def _verify_queue(conn: Connection, result: Verification, *, key: bytes, chunk: int) -> None:
    """What waits in the queue was queued by the service, with the content it queued.

    Only PostgreSQL queues; on SQLite every queue row is a finding.
    """
    problems: list[str] = []
    count = 0
    sqlite = conn.dialect.name == "sqlite"
    for page in queue_pages(conn, chunk):
        if sqlite:
            found = [
                f"transaction {row.transaction_id} is in journal_queue, which the service "
                "never fills on SQLite (it chains each transaction as it commits)"
                for row in page
            ]
        else:
            examined = examine(conn, key, page)
            found = [queued.problem for queued in examined if queued.problem is not None]
            result.unsealed += len(examined) - len(found)
        count += len(found)
        problems.extend(found[: LISTED - len(problems)])
    _listed(result, problems, "queue rows", total=count)


def _verify_all_journaled(conn: Connection, result: Verification) -> None:
    """Every transaction has a journal entry, or (PostgreSQL) waits in the queue."""
    missing = select(transactions.c.id).where(
        ~exists().where(journal.c.transaction_id == transactions.c.id)
    )
    unqueued = ""
    if conn.dialect.name == "postgresql":
        missing = missing.where(
            ~exists().where(journal_queue.c.transaction_id == transactions.c.id)
        )
        unqueued = " and is not queued"
    count = int(conn.execute(select(func.count()).select_from(missing.subquery())).scalar_one())
    if not count:
        return
    first = conn.execute(missing.order_by(transactions.c.id).limit(LISTED)).scalars().all()
    problems = [f"transaction {tid} has no journal entry{unqueued}" for tid in first]
    _listed(result, problems, "transactions without a journal entry", total=count)


def _listed(result: Verification, problems: list[str], what: str, *, total: int) -> None:
    """Add the first few ``problems`` one by one, and how many more there are."""
    for problem in problems[:LISTED]:
        result.discrepancies.append(Discrepancy(None, problem))
    if total > LISTED:
        result.discrepancies.append(Discrepancy(None, f"{total - LISTED} more {what}"))


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
