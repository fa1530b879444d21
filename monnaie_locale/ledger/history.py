"""Reading the past: account statements page by page, and balances as of a moment.

Reading a balance costs one row whatever the history: accounts carry their running
balance, and every posting carries ``balance_after``, so a balance "as of" a moment is
the ``balance_after`` of the account's last posting stamped at or before it (one index
probe on ``(account_id, created_at)``).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, select

from monnaie_locale.clock import as_utc
from monnaie_locale.errors import InvalidRequest
from monnaie_locale.ledger.accounts import get_account
from monnaie_locale.model import Posting
from monnaie_locale.store.tables import postings, transactions

__all__ = ["StatementLine", "StatementPage", "balance_as_of", "statement"]

MAX_PAGE = 500


@dataclass(frozen=True, slots=True)
class StatementLine:
    """One posting on an account statement, with what the transaction was."""

    posting: Posting
    kind: str
    memo: str
    reference: str | None


@dataclass(frozen=True, slots=True)
class StatementPage:
    lines: tuple[StatementLine, ...]
    next_cursor: str | None  # None on the last page


def _encode_cursor(posting_id: int) -> str:
    return base64.urlsafe_b64encode(f"p{posting_id}".encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        if not text.startswith("p"):
            raise ValueError(text)
        return min(max(int(text[1:]), 0), 2**63 - 1)  # a forged cursor must not overflow
    except ValueError as exc:
        raise InvalidRequest("this cursor is not one the ledger gave; start again") from exc


def statement(
    conn: Connection,
    account_code: str,
    *,
    cursor: str | None = None,
    limit: int = 100,
    newest_first: bool = True,
) -> StatementPage:
    """A page of the account's postings; pass ``next_cursor`` back for the next page."""
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidRequest(f"a page holds 1 to {MAX_PAGE} lines")
    account = get_account(conn, account_code)
    query = (
        select(postings, transactions.c.kind, transactions.c.memo, transactions.c.reference)
        .join(transactions, transactions.c.id == postings.c.transaction_id)
        .where(postings.c.account_id == account.id)
    )
    if cursor is not None:
        after = _decode_cursor(cursor)
        query = query.where(postings.c.id < after if newest_first else postings.c.id > after)
    order = postings.c.id.desc() if newest_first else postings.c.id.asc()
    rows = conn.execute(query.order_by(order).limit(limit + 1)).all()
    lines = tuple(
        StatementLine(
            posting=Posting(
                id=row.id,
                transaction_id=row.transaction_id,
                account=account.code,
                currency=row.currency,
                amount=row.amount,
                balance_after=row.balance_after,
                created_at=as_utc(row.created_at),
            ),
            kind=row.kind,
            memo=row.memo,
            reference=row.reference,
        )
        for row in rows[:limit]
    )
    more = len(rows) > limit
    return StatementPage(
        lines=lines, next_cursor=_encode_cursor(lines[-1].posting.id) if more else None
    )


def balance_as_of(conn: Connection, account_code: str, moment: datetime) -> int:
    """The account's balance right after the last posting stamped at or before ``moment``."""
    account = get_account(conn, account_code)
    if moment.tzinfo is None:
        raise InvalidRequest("give the moment with its time zone")
    moment = moment.astimezone(UTC)
    balance = conn.execute(
        select(postings.c.balance_after)
        .where(postings.c.account_id == account.id, postings.c.created_at <= moment)
        .order_by(postings.c.created_at.desc(), postings.c.id.desc())
        .limit(1)
    ).scalar()
    return int(balance or 0)
