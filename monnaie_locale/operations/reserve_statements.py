"""The reserve's documents: bank statements recorded in the journal as they are imported.

When a statement of a reserve bank account is imported (see
:mod:`monnaie_locale.operations.reconciliation`), a record of its own, in the same
database transaction, carries what the bank's file says: the ledger account the bank
account backs, the closing day, the closing balance in cents and the file's SHA-256 (see
:mod:`monnaie_locale.ledger.records` for why it has no postings). Its memo is written
exactly as the checkpoint's line for it,

::

    statement reserve:digital 2026-11-03 1121751 3f2a...e9

so the journal's chain and the Merkle tree commit to the document, and each checkpoint
carries the latest one per account (:mod:`monnaie_locale.transparency.statements`). An
auditor then checks the reserve against the bank's own file with the offline verifier
(:mod:`monnaie_locale.verify.reserve`). The bank's statement id is the record's reference.

Nothing is recorded for a statement without a closing balance (most CSV exports): there
is no figure to tie the reserve to, and :class:`Unrecorded` says so. Nor for the
association's operating account, whose euros are not the reserve. A statement imported
again is recognised before this runs and records nothing.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Connection, select

from monnaie_locale.bank import BankStatement
from monnaie_locale.clock import Clock, as_utc
from monnaie_locale.deployment import RESERVE_DIGITAL, RESERVE_NOTES
from monnaie_locale.errors import InvalidRequest
from monnaie_locale.ledger.records import RESERVE_STATEMENT, write_record
from monnaie_locale.model import MAX_REFERENCE, check_plain_text
from monnaie_locale.store.tables import journal, transactions
from monnaie_locale.verify.checkpoint import Statement

__all__ = [
    "RESERVE_ACCOUNTS",
    "Recorded",
    "Unrecorded",
    "latest_per_account",
    "memo_of",
    "parse_memo",
    "record_statement",
    "recorded",
]

# The ledger accounts whose bank statements back the reserve.
RESERVE_ACCOUNTS = (RESERVE_DIGITAL, RESERVE_NOTES)
_WORD = "statement"


class Unrecorded(enum.StrEnum):
    """Why an imported statement left no record in the journal."""

    NO_CLOSING_BALANCE = "no_closing_balance"
    NOT_RESERVE = "not_reserve"


@dataclass(frozen=True, slots=True)
class Recorded:
    """A statement recorded in the journal: what it says, and where the journal holds it.

    ``seq`` is the journal entry's sequence; ``None`` while the record waits for the
    sealer (PostgreSQL).
    """

    statement: Statement
    transaction_id: int
    seq: int | None
    statement_id: str | None
    recorded_at: datetime


def memo_of(statement: Statement) -> str:
    """The record's memo: the checkpoint's line for the statement, word for word."""
    st = statement
    return f"{_WORD} {st.account} {st.day.isoformat()} {st.closing} {st.file_hash}"


def parse_memo(memo: str) -> Statement:
    """The statement a record's memo says; :class:`ValueError` if it is not one."""
    words = memo.split(" ")
    if len(words) != 5 or words[0] != _WORD:
        raise ValueError(f"not a statement record: {memo!r}")
    _, account, day, closing, file_hash = words
    return Statement(account, date.fromisoformat(day), int(closing), file_hash)


def _reference(statement_id: str) -> str | None:
    # The bank's id, for people; a statement id the ledger cannot hold is left out rather
    # than refusing the import: the memo carries everything the checkpoint needs.
    try:
        return check_plain_text(statement_id, "reference", max_length=MAX_REFERENCE)
    except InvalidRequest:
        return None


def record_statement(
    conn: Connection, *, ledger_account: str, statement: BankStatement, clock: Clock
) -> int | Unrecorded:
    """Record ``statement`` of the bank account backing ``ledger_account``; the record's
    transaction id, or why nothing was recorded."""
    if ledger_account not in RESERVE_ACCOUNTS:
        return Unrecorded.NOT_RESERVE
    closing, day = statement.closing_balance_cents, statement.closing_date
    if closing is None or day is None:
        return Unrecorded.NO_CLOSING_BALANCE
    line = Statement(ledger_account, day, closing, statement.fingerprint)
    written = write_record(
        conn,
        kind=RESERVE_STATEMENT,
        memo=memo_of(line),
        reference=_reference(statement.statement_id),
        clock=clock,
    )
    return written.id


def recorded(conn: Connection, *, up_to: int | None = None) -> list[Recorded]:
    """Every statement recorded, in the journal's order (those awaiting the sealer last).

    ``up_to``: only those sealed at or before that journal sequence (a tree's size).
    """
    query = (
        select(
            transactions.c.id,
            transactions.c.memo,
            transactions.c.reference,
            transactions.c.created_at,
            journal.c.seq,
        )
        .outerjoin(journal, journal.c.transaction_id == transactions.c.id)
        .where(transactions.c.kind == RESERVE_STATEMENT)
    )
    if up_to is not None:
        query = query.where(journal.c.seq <= up_to)
    rows = conn.execute(query).all()
    found = [
        Recorded(
            statement=parse_memo(row.memo),
            transaction_id=int(row.id),
            seq=None if row.seq is None else int(row.seq),
            statement_id=row.reference,
            recorded_at=as_utc(row.created_at),
        )
        for row in rows
    ]
    return sorted(found, key=lambda r: (r.seq is None, r.seq or 0, r.transaction_id))


def latest_per_account(records: list[Recorded]) -> tuple[Statement, ...]:
    """The latest statement of each account, by closing day, then by the order recorded;
    sorted by account."""
    latest: dict[str, Statement] = {}
    for record in records:  # in the order recorded: a later one of the same day wins
        current = latest.get(record.statement.account)
        if current is None or record.statement.day >= current.day:
            latest[record.statement.account] = record.statement
    return tuple(latest[account] for account in sorted(latest))
