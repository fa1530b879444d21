"""An operation rehearsed: the ledger entries it would make, with nothing kept.

Before an operator confirms a movement, a page shows the entries it would post. They are
not worked out a second time beside the operation (two computations would one day
disagree): the operation itself runs, in a write transaction that is always rolled back,
and the postings it wrote are read back inside that transaction before it ends. Every
check the operation makes runs too, so a rehearsal that would be refused is refused
(notes short in a stock, a closed account, the reserve's coverage).

Nothing survives the rollback: the idempotency key claimed (a fresh one, never the key
the confirmation will carry), the postings, the balances, the note counts, and on SQLite
the journal's entries, chained inside the transaction. Only PostgreSQL's sequences move
on (ids taken are not given back, as with any rolled-back write; the journal's own
sequence is the sealer's, and nothing reaches the sealer's queue).

A preview costs what the operation costs, its locks included (on SQLite, the write lock
for that long): it is for a person about to confirm, not for a report.

Through the group committer a use case that raises rolls back its own savepoint and
its caller gets the exception (see :mod:`monnaie_locale.store.group_commit`): the
rehearsal's result leaves the transaction inside such an exception.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy import Connection, or_, select

from monnaie_locale.store.database import Database
from monnaie_locale.store.tables import accounts, postings, transactions

__all__ = ["Entry", "Preview", "rehearse"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Entry:
    """One posting an operation would write: its account, which side, how much."""

    kind: str  # the ledger transaction's kind, such as "notes_delivered"
    account: str
    currency: str
    amount: int  # signed as the ledger stores it: positive credits, negative debits

    @property
    def debit(self) -> int:
        return -self.amount if self.amount < 0 else 0

    @property
    def credit(self) -> int:
        return self.amount if self.amount > 0 else 0


@dataclass(frozen=True, slots=True)
class Preview(Generic[T]):
    """What an operation would return, and the entries it would post, in posting order."""

    result: T
    entries: tuple[Entry, ...]


class _RolledBack(Exception, Generic[T]):
    """Carries a rehearsal's preview out of the transaction it undoes."""

    def __init__(self, preview: Preview[T]) -> None:
        super().__init__("a rehearsal is always rolled back")
        self.preview = preview


def rehearse(database: Database, work: Callable[[Connection], T], *, key: str) -> Preview[T]:
    """Run ``work`` in a write transaction, read the entries posted under idempotency
    ``key`` (and the keys it derives, ``key/...``), then roll everything back.

    ``key`` must be fresh: a key already used would replay its first result and post
    nothing. The refusals of ``work`` pass to the caller unchanged.
    """

    def run(conn: Connection) -> T:
        preview = Preview(work(conn), entries_under(conn, key))
        raise _RolledBack(preview)

    try:
        database.write(run)
    except _RolledBack as done:
        return done.preview
    raise AssertionError("a rehearsal cannot commit")


def entries_under(conn: Connection, key: str) -> tuple[Entry, ...]:
    """The postings of every ledger batch whose first transaction was posted under
    ``key`` or a key derived from it, in the order they were written.

    An operation posts its batch under ``<its key>/entries`` (see
    :func:`~monnaie_locale.operations.common.post_entries`); only a batch's first
    transaction carries the key, the others share its ``batch``.
    """
    keyed = or_(
        transactions.c.idempotency_key == key,
        transactions.c.idempotency_key.startswith(f"{key}/", autoescape=True),
    )
    batches = select(transactions.c.batch).where(keyed, transactions.c.batch.is_not(None))
    rows = conn.execute(
        select(transactions.c.kind, accounts.c.code, postings.c.currency, postings.c.amount)
        .join(postings, postings.c.transaction_id == transactions.c.id)
        .join(accounts, accounts.c.id == postings.c.account_id)
        .where(or_(keyed, transactions.c.batch.in_(batches)))
        .order_by(transactions.c.id, postings.c.id)
    ).all()
    return tuple(Entry(row.kind, row.code, row.currency, int(row.amount)) for row in rows)
