"""Reading the whole ledger for an export: transactions in order, a chunk at a time.

Memory stays flat however long the books: postings are read ``chunk`` at a time by id,
and only the accounts met so far are kept (their number, not the postings', bounds it).

The order. Transactions come in the order of their first posting's id. On one account
that is the order its postings were applied in: a transaction writes its postings only
after it holds the locks of all its accounts, until it commits, so a later transaction on
the same account gets later posting ids. Running balances therefore read right in this
order, which a plain-text journal's balance assertions rely on. (Transaction ids would
not do: on PostgreSQL they are drawn before the locks are taken.)

A consistent picture. On PostgreSQL each statement at READ COMMITTED would see the
commits made since the previous chunk, some with smaller ids than the chunk already
read. Run an export inside :meth:`Database.reading
<monnaie_locale.store.database.Database.reading>`: one snapshot for the whole of it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from sqlalchemy import Connection, func, select

from monnaie_locale.clock import as_utc
from monnaie_locale.model import AccountKind
from monnaie_locale.store.tables import accounts, postings, transactions

__all__ = [
    "CHUNK",
    "AccountInfo",
    "ExportPosting",
    "ExportTransaction",
    "Progress",
    "count_postings",
    "iter_transactions",
]

CHUNK = 2000
Progress = Callable[[int], None]  # called with the number of postings read so far


@dataclass(frozen=True, slots=True)
class AccountInfo:
    id: int
    code: str
    kind: AccountKind
    currency: str
    owner_ref: str | None


@dataclass(frozen=True, slots=True)
class ExportPosting:
    id: int
    account: AccountInfo
    amount: int  # positive credits the account, as in the ledger
    balance_after: int


@dataclass(frozen=True, slots=True)
class ExportTransaction:
    id: int
    kind: str
    memo: str
    reference: str | None
    created_at: datetime  # UTC: when it was recorded
    reverses: int | None
    postings: tuple[ExportPosting, ...]
    on: date | None = None  # the operation's day, when one was given

    def day(self, zone: tzinfo) -> date:
        """The operation's day: the one given, else the day it was recorded in ``zone``."""
        return self.on if self.on is not None else self.created_at.astimezone(zone).date()


def count_postings(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(postings)).scalar_one())


class _Accounts:
    """Accounts by id, loaded the first time a chunk meets them."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._known: dict[int, AccountInfo] = {}

    def load(self, ids: set[int]) -> dict[int, AccountInfo]:
        missing = ids - self._known.keys()
        if missing:
            rows = self._conn.execute(
                select(
                    accounts.c.id,
                    accounts.c.code,
                    accounts.c.kind,
                    accounts.c.currency,
                    accounts.c.owner_ref,
                ).where(accounts.c.id.in_(missing))
            )
            for row in rows:
                self._known[row.id] = AccountInfo(
                    row.id, row.code, AccountKind(row.kind), row.currency, row.owner_ref
                )
        return self._known


def iter_transactions(
    conn: Connection, *, chunk: int = CHUNK, progress: Progress | None = None
) -> Iterator[ExportTransaction]:
    """Every transaction with its postings, in the order described in the module."""
    known = _Accounts(conn)
    after, read = 0, 0
    while True:
        heads = conn.execute(
            select(postings.c.id, postings.c.transaction_id)
            .where(postings.c.id > after)
            .order_by(postings.c.id)
            .limit(chunk)
        ).all()
        if not heads:
            return
        in_chunk = list(dict.fromkeys(row.transaction_id for row in heads))
        firsts = {
            tid: first
            for tid, first in conn.execute(
                select(postings.c.transaction_id, func.min(postings.c.id))
                .where(postings.c.transaction_id.in_(in_chunk))
                .group_by(postings.c.transaction_id)
            )
        }
        # A transaction starts in this chunk unless an earlier chunk already gave it.
        starting = [tid for tid in in_chunk if firsts[tid] > after]
        for transaction in _load(conn, starting, known):
            read += len(transaction.postings)
            yield transaction
        after = heads[-1].id
        if progress is not None:
            progress(read)


def _load(
    conn: Connection, transaction_ids: list[int], known: _Accounts
) -> list[ExportTransaction]:
    if not transaction_ids:
        return []
    headers = {
        row.id: row
        for row in conn.execute(select(transactions).where(transactions.c.id.in_(transaction_ids)))
    }
    rows = conn.execute(
        select(
            postings.c.id,
            postings.c.transaction_id,
            postings.c.account_id,
            postings.c.amount,
            postings.c.balance_after,
        )
        .where(postings.c.transaction_id.in_(transaction_ids))
        .order_by(postings.c.id)
    ).all()
    by_account = known.load({row.account_id for row in rows})
    grouped: dict[int, list[ExportPosting]] = {tid: [] for tid in transaction_ids}
    for row in rows:
        grouped[row.transaction_id].append(
            ExportPosting(row.id, by_account[row.account_id], row.amount, row.balance_after)
        )
    return [
        ExportTransaction(
            id=tid,
            kind=headers[tid].kind,
            memo=headers[tid].memo,
            reference=headers[tid].reference,
            created_at=as_utc(headers[tid].created_at),
            reverses=headers[tid].reverses_id,
            postings=tuple(grouped[tid]),
            on=headers[tid].operation_date,
        )
        for tid in transaction_ids
    ]
