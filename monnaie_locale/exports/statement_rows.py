"""The rows of an account's statement, for every form it is written in (CSV, PDF).

A statement covers a period: whole days in a given zone, or open on either side. Its
movements are the account's postings from the first one dated in the period to the last
one, by posting id: the ledger's running balance follows posting ids, and a posting
written in the middle of the period with a clock a second behind still belongs between
its neighbours. So the opening balance is the first movement's balance before it, and
the opening balance plus the movements is, to the cent, the balance the ledger holds
after the last one. A period without a movement opens (and closes) on the balance after
the last posting dated before it.

:func:`statement_window` finds those bounds and the opening balance in a few index
probes; :func:`statement_movements` then reads the postings between them ``chunk`` at a
time by id, so a long history never sits in memory.

Each movement names its counterparty: the other accounts of the same currency on the
other side of the transaction (their display names, else their codes), so a line reads
"paid to Boulangerie Etchegaray" rather than a transaction number. A reconversion's hold,
once paid, carries the request's gross amount, the association's fee and the payout.
Amounts stay signed as in the ledger here; the writers show them from the holder's side
(:mod:`monnaie_locale.sides`). Run both inside
:meth:`Database.reading <monnaie_locale.store.database.Database.reading>`, so the bounds
and the rows see the same books.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from sqlalchemy import Connection, func, select
from sqlalchemy.sql.elements import ColumnElement

from monnaie_locale.clock import as_utc
from monnaie_locale.exports.source import CHUNK, Progress
from monnaie_locale.ledger.accounts import get_account
from monnaie_locale.model import Account
from monnaie_locale.store.tables import accounts, holds, postings, transactions
from monnaie_locale.store.tables_operations import reconversions

# The kind of the transaction that takes a reconversion's units off the account.
RECONVERSION_HOLD = "reconversion_hold"

__all__ = [
    "Movement",
    "ReconversionSplit",
    "StatementWindow",
    "latest_window",
    "statement_movements",
    "statement_window",
]


@dataclass(frozen=True, slots=True)
class ReconversionSplit:
    """What a reconversion line stands for: ``gross`` = ``payout`` (euros) + ``fee``."""

    gross: int
    fee: int
    payout: int


@dataclass(frozen=True, slots=True)
class StatementWindow:
    """Which postings of ``account`` a statement covers, and the balance before them.

    ``first_id`` and ``last_id`` bound the movements (both None when there is none);
    ``count`` is how many there are.
    """

    account: Account
    start: date | None
    end: date | None
    opening: int
    first_id: int | None
    last_id: int | None
    count: int


@dataclass(frozen=True, slots=True)
class Movement:
    posting_id: int
    transaction_id: int
    created_at: datetime  # UTC
    kind: str
    memo: str
    reference: str | None
    amount: int  # positive credits the account, as in the ledger
    balance_after: int
    counterparty: str = ""  # who paid or was paid: display names, else codes
    reconversion: ReconversionSplit | None = None


def _bounds(
    start: date | None, end: date | None, zone: tzinfo
) -> tuple[datetime | None, datetime | None]:
    """The period as [from, until) instants in UTC; None leaves that side open."""
    since = None if start is None else datetime.combine(start, time.min, zone).astimezone(UTC)
    until = (
        None
        if end is None
        else datetime.combine(end + timedelta(days=1), time.min, zone).astimezone(UTC)
    )
    return since, until


def statement_window(
    conn: Connection,
    account: str,
    *,
    start: date | None = None,
    end: date | None = None,
    zone: tzinfo = UTC,
) -> StatementWindow:
    """Find the statement's movements and opening balance (see the module's docstring)."""
    found = get_account(conn, account)
    since, until = _bounds(start, end, zone)
    mine = postings.c.account_id == found.id
    dated: list[ColumnElement[bool]] = [mine]
    if since is not None:
        dated.append(postings.c.created_at >= since)
    if until is not None:
        dated.append(postings.c.created_at < until)
    first_id, last_id = conn.execute(
        select(func.min(postings.c.id), func.max(postings.c.id)).where(*dated)
    ).one()
    if first_id is None:
        before = since if since is not None else until
        return StatementWindow(
            found, start, end, _balance_before(conn, found.id, before), None, None, 0
        )
    first = conn.execute(
        select(postings.c.amount, postings.c.balance_after).where(postings.c.id == first_id)
    ).one()
    count = conn.execute(
        select(func.count()).where(mine, postings.c.id.between(first_id, last_id))
    ).scalar_one()
    return StatementWindow(
        account=found,
        start=start,
        end=end,
        opening=first.balance_after - first.amount,
        first_id=int(first_id),
        last_id=int(last_id),
        count=int(count),
    )


def _balance_before(conn: Connection, account_id: int, moment: datetime | None) -> int:
    """The balance after the account's last posting dated before ``moment`` (all: None)."""
    query = select(postings.c.balance_after).where(postings.c.account_id == account_id)
    if moment is not None:
        query = query.where(postings.c.created_at < moment)
    balance = conn.execute(query.order_by(postings.c.id.desc()).limit(1)).scalar()
    return 0 if balance is None else int(balance)


def statement_movements(
    conn: Connection,
    window: StatementWindow,
    *,
    chunk: int = CHUNK,
    progress: Progress | None = None,
) -> Iterator[Movement]:
    """The window's movements in posting order, read ``chunk`` at a time.

    ``progress`` hears the number of movements given so far after each chunk.
    """
    if window.first_id is None or window.last_id is None:
        return
    after, read = window.first_id - 1, 0
    while True:
        rows = conn.execute(
            select(
                postings.c.id,
                postings.c.transaction_id,
                postings.c.amount,
                postings.c.balance_after,
                postings.c.created_at,
                transactions.c.kind,
                transactions.c.memo,
                transactions.c.reference,
            )
            .join(transactions, transactions.c.id == postings.c.transaction_id)
            .where(
                postings.c.account_id == window.account.id,
                postings.c.id > after,
                postings.c.id <= window.last_id,
            )
            .order_by(postings.c.id)
            .limit(chunk)
        ).all()
        ids = {row.transaction_id for row in rows}
        others = _counterparties(conn, window.account, ids)
        splits = _reconversions(
            conn, {row.transaction_id for row in rows if row.kind == RECONVERSION_HOLD}
        )
        for row in rows:
            yield Movement(
                posting_id=row.id,
                transaction_id=row.transaction_id,
                created_at=as_utc(row.created_at),
                kind=row.kind,
                memo=row.memo,
                reference=row.reference,
                amount=row.amount,
                balance_after=row.balance_after,
                counterparty=_named(others.get(row.transaction_id, []), row.amount),
                reconversion=splits.get(row.transaction_id),
            )
        read += len(rows)
        if rows and progress is not None:
            progress(read)
        # A short chunk, or one that reached the last id, was the last: no query for nothing.
        if len(rows) < chunk or rows[-1].id >= window.last_id:
            return
        after = rows[-1].id


def _counterparties(
    conn: Connection, account: Account, transaction_ids: set[int]
) -> dict[int, list[tuple[int, str]]]:
    """Per transaction, the other legs in the account's currency: (amount, name)."""
    if not transaction_ids:
        return {}
    rows = conn.execute(
        select(
            postings.c.transaction_id, postings.c.amount, accounts.c.code, accounts.c.display_name
        )
        .join(accounts, accounts.c.id == postings.c.account_id)
        .where(
            postings.c.transaction_id.in_(transaction_ids),
            postings.c.account_id != account.id,
            postings.c.currency == account.currency,
        )
        .order_by(postings.c.id)
    ).all()
    found: dict[int, list[tuple[int, str]]] = {}
    for row in rows:
        found.setdefault(row.transaction_id, []).append((row.amount, row.display_name or row.code))
    return found


def _named(legs: list[tuple[int, str]], amount: int) -> str:
    """The names on the other side of ``amount``: who paid a credit, who took a debit."""
    facing = [name for other, name in legs if (other < 0) != (amount < 0)] or [
        name for _, name in legs
    ]
    return ", ".join(dict.fromkeys(facing))


def _reconversions(conn: Connection, transaction_ids: set[int]) -> dict[int, ReconversionSplit]:
    """The reconversion requests whose hold was posted by one of these transactions."""
    if not transaction_ids:
        return {}
    rows = conn.execute(
        select(
            holds.c.transaction_id,
            reconversions.c.amount,
            reconversions.c.fee,
            reconversions.c.payout,
        )
        .join(reconversions, reconversions.c.hold_id == holds.c.id)
        .where(holds.c.transaction_id.in_(transaction_ids))
    ).all()
    return {
        row.transaction_id: ReconversionSplit(gross=row.amount, fee=row.fee, payout=row.payout)
        for row in rows
    }


def latest_window(conn: Connection, account: str, count: int) -> StatementWindow:
    """The window of the account's last ``count`` movements (a wallet's recent lines)."""
    found = get_account(conn, account)
    ids = (
        conn.execute(
            select(postings.c.id)
            .where(postings.c.account_id == found.id)
            .order_by(postings.c.id.desc())
            .limit(count)
        )
        .scalars()
        .all()
    )
    if not ids:
        return StatementWindow(found, None, None, found.balance, None, None, 0)
    return StatementWindow(found, None, None, 0, int(ids[-1]), int(ids[0]), len(ids))
