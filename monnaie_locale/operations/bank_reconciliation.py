"""A bank account's statement beside its ledger account, at the statement's closing date.

The bank's closing balance is compared with the ledger account's balance at the end of the
closing day (UTC): the postings stamped up to then, through
:func:`monnaie_locale.ledger.history.balance_as_of`, the one place that says what an
account held at a moment. Operations booked after that day therefore leave no difference.

One adjustment brings the books to the bank's dates: a line the bank booked on or before
the closing date whose match was booked in the ledger only later (a transfer seen when the
statement was imported, days after) counts at the bank's date, as ``booked_after``. Then

    difference = statement balance - (ledger balance at closing + booked_after)

is 0.00 when every movement on either side is matched; otherwise the lines left unmatched
on each side (bank lines with no transaction, postings with no bank line over the
statement's period) say where it comes from.

A person can match a line to a ledger transaction that moves the account, or unmatch a
line, automatic matches included; each change is kept with who made it and when.
Unmatching changes the reconciliation only: what a match booked stays booked (a correction
of the books is a reversal, made on its own).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, true, update

from monnaie_locale.clock import Clock, as_utc
from monnaie_locale.errors import UnknownTransaction
from monnaie_locale.ledger import history
from monnaie_locale.ledger.accounts import get_account
from monnaie_locale.operations import bank_accounts
from monnaie_locale.operations.bank_accounts import BankAccount
from monnaie_locale.operations.bank_errors import (
    BankLineMatched,
    BankLineUnmatched,
    NotOnBankAccount,
)
from monnaie_locale.operations.errors import UnknownRecord, WrongState
from monnaie_locale.store.tables import accounts, postings, transactions
from monnaie_locale.store.tables_bank import (
    bank_accounts as bank_accounts_table,
)
from monnaie_locale.store.tables_bank import (
    bank_line_changes,
    bank_line_transactions,
)
from monnaie_locale.store.tables_operations import bank_lines, bank_statements

__all__ = [
    "AccountReconciliation",
    "BankLine",
    "BookItem",
    "LineChange",
    "account_reconciliation",
    "closing_moment",
    "get_line",
    "latest_reconciliations",
    "match_line",
    "reconcile_statement_row",
    "unmatch_line",
]

MATCHED_BY_HAND = "transaction"


@dataclass(frozen=True, slots=True)
class LineChange:
    """A match or an unmatch made by hand."""

    action: str
    transaction_id: int | None
    actor: str
    changed_at: datetime


@dataclass(frozen=True, slots=True)
class BankLine:
    """A bank line as imported, what it is matched to, and the changes made by hand."""

    id: int
    bank_account: str
    statement_id: str
    line_id: str
    booking_date: date
    value_date: date | None
    amount: int
    remittance: str
    matched_kind: str | None
    matched_id: int | None
    note: str
    transactions: tuple[int, ...]
    changes: tuple[LineChange, ...] = ()


@dataclass(frozen=True, slots=True)
class BookItem:
    """A ledger transaction on the bank's ledger account that no bank line stands for.

    ``amount`` is what it added to the account (negative: what it took out)."""

    transaction_id: int
    booked_at: datetime
    amount: int
    memo: str


@dataclass(frozen=True, slots=True)
class AccountReconciliation:
    """A bank account's statement beside its ledger account at the closing date."""

    bank_account: str
    ledger_account: str
    statement_id: str
    closing_date: date | None
    as_of: datetime | None
    statement_balance: int | None
    ledger_balance: int
    booked_after: int
    matched_lines: int
    unmatched_bank: tuple[BankLine, ...]
    unmatched_books: tuple[BookItem, ...]
    # Every line of the statement, matched or not, in the bank's booking order.
    lines: tuple[BankLine, ...] = ()

    @property
    def books_at_closing(self) -> int:
        """The ledger balance at closing, with matches booked later counted at the bank's date."""
        return self.ledger_balance + self.booked_after

    @property
    def difference(self) -> int | None:
        """Bank minus books; ``None`` when the statement gives no closing balance."""
        if self.statement_balance is None:
            return None
        return self.statement_balance - self.books_at_closing


def closing_moment(day: date) -> datetime:
    """The last moment of ``day`` in UTC: postings stamped up to it count for that day."""
    return datetime.combine(day, time.max, tzinfo=UTC)


def _owner(conn: Connection, bank_account_id: int | None, iban: str | None) -> BankAccount:
    if bank_account_id is None:
        # Imported before accounts were data: the reserve's single account.
        return BankAccount(
            id=None,
            name=bank_accounts.SETTINGS_NAME,
            role=bank_accounts.RESERVE_DIGITAL_ROLE,
            iban=iban or "",
            bic=None,
        )
    row = conn.execute(
        select(bank_accounts_table.c.name).where(bank_accounts_table.c.id == bank_account_id)
    ).scalar_one()
    return bank_accounts.get_bank_account(conn, str(row))


def _same_account(owner: BankAccount) -> Any:
    if owner.id is None:
        return bank_lines.c.bank_account_id.is_(None)
    return bank_lines.c.bank_account_id == owner.id


def _links(conn: Connection, line_ids: list[int]) -> dict[int, tuple[int, ...]]:
    found: dict[int, list[int]] = {line_id: [] for line_id in line_ids}
    if line_ids:
        rows = conn.execute(
            select(bank_line_transactions.c.bank_line_id, bank_line_transactions.c.transaction_id)
            .where(bank_line_transactions.c.bank_line_id.in_(line_ids))
            .order_by(bank_line_transactions.c.transaction_id)
        ).all()
        for line_id, transaction_id in rows:
            found[int(line_id)].append(int(transaction_id))
    return {key: tuple(value) for key, value in found.items()}


def _lines(conn: Connection, owner: BankAccount, condition: Any) -> list[BankLine]:
    rows = conn.execute(
        select(bank_lines, bank_statements.c.statement_id.label("statement_name"))
        .join(bank_statements, bank_statements.c.id == bank_lines.c.statement_row_id)
        .where(condition)
        .order_by(bank_lines.c.booking_date, bank_lines.c.id)
    ).all()
    links = _links(conn, [int(row.id) for row in rows])
    return [
        BankLine(
            id=int(row.id),
            bank_account=owner.name,
            statement_id=row.statement_name,
            line_id=row.line_id,
            booking_date=row.booking_date,
            value_date=row.value_date,
            amount=int(row.amount),
            remittance=row.remittance,
            matched_kind=row.matched_kind,
            matched_id=row.matched_id,
            note=row.note,
            transactions=links[int(row.id)],
        )
        for row in rows
    ]


def _postings_on(ledger_account: str) -> Any:
    return (
        select(
            postings.c.transaction_id,
            postings.c.created_at,
            postings.c.amount,
            transactions.c.memo,
        )
        .join(accounts, accounts.c.id == postings.c.account_id)
        .join(transactions, transactions.c.id == postings.c.transaction_id)
        .where(accounts.c.code == ledger_account)
    )


def reconcile_statement_row(conn: Connection, row_id: int) -> AccountReconciliation:
    """The reconciliation of the imported statement ``row_id`` with its ledger account."""
    statement = conn.execute(select(bank_statements).where(bank_statements.c.id == row_id)).one()
    owner = _owner(conn, statement.bank_account_id, statement.account_iban)
    ledger = owner.ledger_account
    closing: date | None = statement.closing_date
    moment = closing_moment(closing) if closing is not None else None
    if moment is None:
        ledger_balance = -get_account(conn, ledger).balance  # euro assets read negative
    else:
        ledger_balance = -history.balance_as_of(conn, ledger, moment)
    up_to = _same_account(owner)
    if closing is not None:
        up_to = up_to & (bank_lines.c.booking_date <= closing)
    lines = _lines(conn, owner, up_to)
    linked = {item for line in lines for item in line.transactions}
    booked_after = 0
    if moment is not None and linked:
        late = _postings_on(ledger).where(
            postings.c.transaction_id.in_(linked), postings.c.created_at > moment
        )
        booked_after = -sum(int(row.amount) for row in conn.execute(late).all())
    these = [line for line in lines if line.statement_id == statement.statement_id]
    return AccountReconciliation(
        bank_account=owner.name,
        ledger_account=ledger,
        statement_id=statement.statement_id,
        closing_date=closing,
        as_of=moment,
        statement_balance=statement.closing_balance,
        ledger_balance=ledger_balance,
        booked_after=booked_after,
        matched_lines=sum(1 for line in these if line.matched_kind is not None),
        unmatched_bank=tuple(line for line in these if line.matched_kind is None),
        unmatched_books=_unmatched_books(conn, owner, statement, these, moment),
        lines=tuple(these),
    )


def _unmatched_books(
    conn: Connection,
    owner: BankAccount,
    statement: Any,
    these: list[BankLine],
    moment: datetime | None,
) -> tuple[BookItem, ...]:
    """Postings over the statement's period that no line of the account stands for."""
    every_link = (
        select(bank_line_transactions.c.transaction_id)
        .join(bank_lines, bank_lines.c.id == bank_line_transactions.c.bank_line_id)
        .where(_same_account(owner))
    )
    query = _postings_on(owner.ledger_account).where(postings.c.transaction_id.not_in(every_link))
    start: date | None = statement.opening_date or min(
        (line.booking_date for line in these), default=None
    )
    if start is not None:
        query = query.where(postings.c.created_at >= datetime.combine(start, time.min, tzinfo=UTC))
    if moment is not None:
        query = query.where(postings.c.created_at <= moment)
    rows = conn.execute(query.order_by(postings.c.created_at, postings.c.id)).all()
    return tuple(
        BookItem(
            transaction_id=int(row.transaction_id),
            booked_at=as_utc(row.created_at),
            amount=-int(row.amount),
            memo=row.memo,
        )
        for row in rows
    )


def _account_for_report(conn: Connection, name: str) -> BankAccount:
    if name == bank_accounts.SETTINGS_NAME and not bank_accounts.any_entered(conn):
        return _owner(conn, None, None)
    return bank_accounts.get_bank_account(conn, name)


def account_reconciliation(
    conn: Connection, *, account: str, statement_id: str | None = None
) -> AccountReconciliation:
    """The reconciliation of the bank account named ``account`` at one of its statements:
    the one named, else the latest by closing date."""
    owner = _account_for_report(conn, account)
    query = select(bank_statements.c.id).where(
        bank_statements.c.bank_account_id.is_(None)
        if owner.id is None
        else bank_statements.c.bank_account_id == owner.id
    )
    if statement_id is not None:
        query = query.where(bank_statements.c.statement_id == statement_id)
    row_id = conn.execute(
        query.order_by(
            bank_statements.c.closing_date.desc().nulls_last(), bank_statements.c.id.desc()
        ).limit(1)
    ).scalar()
    if row_id is None:
        raise UnknownRecord("bank statement", statement_id or f"of {owner.name}")
    return reconcile_statement_row(conn, int(row_id))


def latest_reconciliations(
    conn: Connection, *, through: date | None = None
) -> list[AccountReconciliation]:
    """Each bank account's latest statement with a closing balance, reconciled; with
    ``through``, the latest closing on or before that day (or undated)."""
    closing = bank_statements.c.closing_date
    dated = true() if through is None else (closing.is_(None) | (closing <= through))
    latest = (
        select(
            bank_statements.c.bank_account_id,
            func.max(bank_statements.c.id).label("row_id"),
        )
        .where(bank_statements.c.closing_balance.is_not(None), dated)
        .group_by(bank_statements.c.bank_account_id)
    )
    found = []
    for account_id, _ in conn.execute(latest).all():
        # The latest by closing date, then by import, of that account.
        row_id = conn.execute(
            select(bank_statements.c.id)
            .where(
                bank_statements.c.closing_balance.is_not(None),
                dated,
                bank_statements.c.bank_account_id.is_(None)
                if account_id is None
                else bank_statements.c.bank_account_id == account_id,
            )
            .order_by(bank_statements.c.closing_date.desc(), bank_statements.c.id.desc())
            .limit(1)
        ).scalar_one()
        found.append(reconcile_statement_row(conn, int(row_id)))
    return sorted(found, key=lambda item: item.bank_account)


# Matching by hand --------------------------------------------------------------------


def get_line(conn: Connection, line: int) -> BankLine:
    """Bank line ``line`` (its number, as the reports show it), with its changes by hand."""
    row = conn.execute(
        select(bank_lines.c.bank_account_id, bank_statements.c.account_iban)
        .join(bank_statements, bank_statements.c.id == bank_lines.c.statement_row_id)
        .where(bank_lines.c.id == line)
    ).first()
    if row is None:
        raise UnknownRecord("bank line", line)
    owner = _owner(conn, row.bank_account_id, row.account_iban)
    (found,) = _lines(conn, owner, bank_lines.c.id == line)
    changes = conn.execute(
        select(bank_line_changes)
        .where(bank_line_changes.c.bank_line_id == line)
        .order_by(bank_line_changes.c.id)
    ).all()
    return BankLine(
        **{field: getattr(found, field) for field in BankLine.__slots__ if field != "changes"},
        changes=tuple(
            LineChange(
                action=change.action,
                transaction_id=change.transaction_id,
                actor=change.actor,
                changed_at=as_utc(change.changed_at),
            )
            for change in changes
        ),
    )


def _ledger_of(conn: Connection, line: int) -> str:
    row = conn.execute(
        select(bank_lines.c.bank_account_id).where(bank_lines.c.id == line)
    ).scalar_one()
    return _owner(conn, row, None).ledger_account


def match_line(
    conn: Connection, *, line: int, transaction_id: int, actor: str, clock: Clock
) -> BankLine:
    """Match bank line ``line`` to ledger transaction ``transaction_id`` by hand.

    Refused, changing nothing, when the line is matched already, when the transaction does
    not move the line's ledger account, or when another line stands for it already.
    """
    current = get_line(conn, line)
    if current.matched_kind is not None:
        raise BankLineMatched(line, f"{current.matched_kind} {current.matched_id}")
    exists = conn.execute(
        select(transactions.c.id).where(transactions.c.id == transaction_id)
    ).scalar()
    if exists is None:
        raise UnknownTransaction(transaction_id)
    ledger = _ledger_of(conn, line)
    touches = conn.execute(
        _postings_on(ledger).where(postings.c.transaction_id == transaction_id).limit(1)
    ).first()
    if touches is None:
        raise NotOnBankAccount(transaction_id, ledger)
    other = conn.execute(
        select(bank_line_transactions.c.bank_line_id).where(
            bank_line_transactions.c.transaction_id == transaction_id
        )
    ).scalar()
    if other is not None:
        raise WrongState("transaction", transaction_id, f"matched to bank line {other}", "free")
    conn.execute(
        update(bank_lines)
        .where(bank_lines.c.id == line)
        .values(
            matched_kind=MATCHED_BY_HAND,
            matched_id=transaction_id,
            note=f"matched by hand by {actor}",
        )
    )
    conn.execute(
        insert(bank_line_transactions).values(bank_line_id=line, transaction_id=transaction_id)
    )
    _record_change(conn, line, "match", transaction_id, actor=actor, clock=clock)
    return get_line(conn, line)


def unmatch_line(conn: Connection, *, line: int, actor: str, clock: Clock) -> BankLine:
    """Undo bank line ``line``'s match, automatic or by hand; what it booked stays booked."""
    current = get_line(conn, line)
    if current.matched_kind is None:
        raise BankLineUnmatched(line)
    conn.execute(
        delete(bank_line_transactions).where(bank_line_transactions.c.bank_line_id == line)
    )
    conn.execute(
        update(bank_lines)
        .where(bank_lines.c.id == line)
        .values(
            matched_kind=None,
            matched_id=None,
            note=f"unmatched by hand by {actor} (was {current.matched_kind} {current.matched_id})",
        )
    )
    _record_change(conn, line, "unmatch", None, actor=actor, clock=clock)
    return get_line(conn, line)


def _record_change(
    conn: Connection,
    line: int,
    action: str,
    transaction_id: int | None,
    *,
    actor: str,
    clock: Clock,
) -> None:
    conn.execute(
        insert(bank_line_changes).values(
            bank_line_id=line,
            action=action,
            transaction_id=transaction_id,
            actor=actor,
            changed_at=clock(),
        )
    )
