"""Bank reconciliation: a bank account's statement, matched line by line to the books.

A statement belongs to one of the association's bank accounts (see
:mod:`monnaie_locale.operations.bank_accounts`): the one whose IBAN a camt.053 statement
carries, or the one named for a CSV export. Its lines keep the bank's booking and value
dates. Each new line of a statement is matched to what the association waits for:

* money in carrying a conversion order's reference (``MLC-7Q4K2P``) for the order's exact
  amount credits that order: the units are issued now;
* money in carrying a till deposit's reference (``MLC-TD-12``) for its amount receives it;
* money out carrying a payout's end-to-end id (``MLC-RC-5``) for its amount marks that
  reconversion paid; money out naming a batch's message id (``MLC-PAYOUT-3``) for the
  batch's total marks the whole batch paid.

Anything else is listed as unmatched, with the reason when a reference was found but the
amount or the state did not fit; a person decides. Lines are remembered by their line id,
so importing the same statement again, or an export overlapping a previous one, books
nothing twice; a statement seen before (the same file, or the same account and statement
id) is reported as such and books nothing. A file that cannot be read is refused whole,
before anything is written. Which matches are tried depends on the account: conversions
and payouts on the digital reserve's, cash deposits on the notes account's.

Each line remembers the ledger transactions its match booked, so the statement's closing
balance can be compared with the account's books at the closing date (see
:mod:`monnaie_locale.operations.bank_reconciliation`), and lines can be matched by hand.

A new statement of a reserve account with a closing balance is also recorded in the
journal, in the same transaction: its file's hash, closing balance and day, so the
checkpoints' reserve figure is tied to the bank's document (see
:mod:`monnaie_locale.operations.reserve_statements`).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any, Literal

from sqlalchemy import Connection, func, insert, or_, select

from monnaie_locale.bank import (
    FRENCH_BANK,
    BankFileError,
    BankStatement,
    CsvFormat,
    StatementLine,
    normalise,
    parse_camt053,
    parse_csv_statement,
)
from monnaie_locale.clock import Clock
from monnaie_locale.deployment import Deployment
from monnaie_locale.errors import InvalidRequest, MonnaieLocaleError
from monnaie_locale.ledger.periods import open_day
from monnaie_locale.money import format_amount
from monnaie_locale.operations import (
    bank_accounts,
    bank_reconciliation,
    conversion,
    offices,
    payouts,
    reconversion,
    reserve_statements,
)
from monnaie_locale.operations.bank_accounts import BankAccount
from monnaie_locale.operations.bank_errors import UnknownBankAccount
from monnaie_locale.operations.errors import MalformedBankFile
from monnaie_locale.store.tables import accounts, postings, transactions
from monnaie_locale.store.tables_bank import bank_line_transactions
from monnaie_locale.store.tables_operations import bank_lines, bank_statements

__all__ = [
    "LineOutcome",
    "Reconciliation",
    "import_statement",
    "import_statement_file",
    "read_statement_file",
    "statement_account",
]


@dataclass(frozen=True, slots=True)
class LineOutcome:
    """What became of one statement line: what it matched, or why it did not.

    ``transactions`` are the ledger transactions the match booked on the account's ledger
    account; ``row_id`` is the line's number, to match or unmatch it by hand.
    """

    line_id: str
    amount: int
    remittance: str
    matched_kind: str | None
    matched_id: int | None
    note: str
    transactions: tuple[int, ...] = ()
    row_id: int | None = None


@dataclass(frozen=True, slots=True)
class Reconciliation:
    """The outcome of importing one statement."""

    statement_id: str
    already_imported: bool
    skipped_lines: int
    matched: tuple[LineOutcome, ...]
    unmatched: tuple[LineOutcome, ...]
    closing_balance: int | None
    ledger_balance: int
    bank_account: str = bank_accounts.SETTINGS_NAME
    ledger_account: str = bank_accounts.LEDGER_ACCOUNTS[bank_accounts.RESERVE_DIGITAL_ROLE]
    # The journal's record of the statement (see operations.reserve_statements): its
    # transaction, or why there is none; both None for a statement imported before.
    recorded: int | None = None
    unrecorded: reserve_statements.Unrecorded | None = None

    @property
    def difference(self) -> int | None:
        """Bank minus books at the closing date; ``None`` without a closing balance."""
        if self.closing_balance is None:
            return None
        return self.closing_balance - self.ledger_balance


def read_statement_file(
    deployment: Deployment,
    content: bytes,
    *,
    file_format: Literal["camt053", "csv"],
    csv_format: CsvFormat = FRENCH_BANK,
    account_iban: str | None = None,
) -> list[BankStatement]:
    """The statements of a camt.053 or CSV file; :class:`MalformedBankFile` naming the
    line or element at fault if it cannot be read.

    A CSV export names no account: ``account_iban``, when given, is the one it is read
    for; otherwise the import decides (see :func:`statement_account`)."""
    try:
        if file_format == "camt053":
            return list(parse_camt053(content))
        return [parse_csv_statement(content, csv_format=csv_format, account_iban=account_iban)]
    except BankFileError as exc:
        location = getattr(exc, "location", "file")
        raise MalformedBankFile(location, getattr(exc, "reason", str(exc))) from exc


def import_statement_file(
    conn: Connection,
    deployment: Deployment,
    content: bytes,
    *,
    file_format: Literal["camt053", "csv"],
    clock: Clock,
    csv_format: CsvFormat = FRENCH_BANK,
    account: str | None = None,
) -> list[Reconciliation]:
    """Read a camt.053 or CSV file and import each statement in it, all or nothing.

    ``account`` names the bank account a CSV export is of (see :func:`statement_account`).
    """
    iban = bank_accounts.get_bank_account(conn, account).iban if account is not None else None
    statements = read_statement_file(
        deployment, content, file_format=file_format, csv_format=csv_format, account_iban=iban
    )
    return [
        import_statement(conn, deployment, item, clock=clock, account=account)
        for item in statements
    ]


def import_statement(
    conn: Connection,
    deployment: Deployment,
    statement: BankStatement,
    *,
    clock: Clock,
    account: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> Reconciliation:
    """Record ``statement``'s new lines and book those that match what the books await.

    ``account`` names the bank account when the statement carries no IBAN (see
    :func:`statement_account`). ``progress``, if given, is called with each line's number
    as the line is handled.
    """
    if statement.currency != "EUR":
        raise InvalidRequest(f"the reserve is in euros; this statement is in {statement.currency}")
    owner = statement_account(conn, deployment, statement, account=account)
    key = hashlib.sha256(f"{statement.fingerprint}|{statement.statement_id}".encode()).hexdigest()
    known = _known_statement(conn, owner, statement, key)
    if known is not None:
        return _summary(conn, owner, statement, known, already=True, skipped=len(statement.lines))
    statement_row = conn.execute(
        insert(bank_statements)
        .values(
            fingerprint=key,
            statement_id=statement.statement_id,
            account_iban=statement.account_iban or owner.iban,
            closing_balance=statement.closing_balance_cents,
            closing_date=statement.closing_date,
            opening_balance=statement.opening_balance_cents,
            opening_date=statement.opening_date,
            imported_at=clock(),
            bank_account_id=owner.id,
            file_hash=statement.fingerprint,
        )
        .returning(bank_statements.c.id)
    ).scalar_one()
    # In the same transaction: the journal commits to the document as soon as it is in.
    record = reserve_statements.record_statement(
        conn, ledger_account=owner.ledger_account, statement=statement, clock=clock
    )
    seen = _seen_lines(conn, owner, statement)
    skipped = 0
    for done, line in enumerate(statement.lines, start=1):
        if progress is not None:
            progress(done)
        if line.line_id in seen:
            skipped += 1
            continue
        outcome = _match(conn, deployment, owner, line, clock=clock)
        _record_line(conn, owner, statement_row, line, outcome)
    summary = _summary(conn, owner, statement, statement_row, already=False, skipped=skipped)
    if isinstance(record, reserve_statements.Unrecorded):
        return replace(summary, unrecorded=record)
    return replace(summary, recorded=record)


def statement_account(
    conn: Connection, deployment: Deployment, statement: BankStatement, *, account: str | None
) -> BankAccount:
    """The bank account ``statement`` is of: the one named, else the one whose IBAN it
    carries, else (a CSV export) the digital reserve's.

    While no account is entered, the settings' ``MLC_RESERVE_IBAN`` stands for the digital
    reserve's; a statement of another IBAN is then refused.
    """
    theirs = normalise(statement.account_iban) if statement.account_iban else None
    if account is not None:
        named = bank_accounts.get_bank_account(conn, account)
        if theirs and theirs != named.iban:
            raise InvalidRequest(
                f"this statement is for {theirs}, not the bank account {named.name} ({named.iban})"
            )
        return named
    if bank_accounts.any_entered(conn):
        found = (
            bank_accounts.find_by_iban(conn, theirs)
            if theirs
            else bank_accounts.find_by_role(conn, bank_accounts.RESERVE_DIGITAL_ROLE)
        )
        if found is None:
            raise UnknownBankAccount(theirs or bank_accounts.RESERVE_DIGITAL_ROLE)
        return found
    ours = deployment.reserve_iban
    if theirs and ours and theirs != normalise(ours):
        raise InvalidRequest(
            f"this statement is for {theirs}, not the reserve account {normalise(ours)}"
        )
    return bank_accounts.BankAccount(
        id=None,
        name=bank_accounts.SETTINGS_NAME,
        role=bank_accounts.RESERVE_DIGITAL_ROLE,
        iban=normalise(ours) if ours else (theirs or ""),
        bic=deployment.reserve_bic,
    )


def _same_account(table: Any, owner: BankAccount) -> Any:
    if owner.id is None:
        return table.c.bank_account_id.is_(None)
    return table.c.bank_account_id == owner.id


def _known_statement(
    conn: Connection, owner: BankAccount, statement: BankStatement, key: str
) -> int | None:
    """The statement row already imported as this one: same file, or same account and id."""
    known = conn.execute(
        select(bank_statements.c.id)
        .where(
            or_(
                bank_statements.c.fingerprint == key,
                _same_account(bank_statements, owner)
                & (bank_statements.c.statement_id == statement.statement_id),
            )
        )
        .order_by(bank_statements.c.id)
        .limit(1)
    ).scalar()
    return None if known is None else int(known)


def _seen_lines(conn: Connection, owner: BankAccount, statement: BankStatement) -> set[str]:
    ids = [line.line_id for line in statement.lines]
    found = conn.execute(
        select(bank_lines.c.line_id).where(
            bank_lines.c.line_id.in_(ids),
            # Lines imported before accounts were data belong to the reserve's account.
            or_(_same_account(bank_lines, owner), bank_lines.c.bank_account_id.is_(None))
            if owner.role == bank_accounts.RESERVE_DIGITAL_ROLE
            else _same_account(bank_lines, owner),
        )
    ).scalars()
    return set(found)


def _record_line(
    conn: Connection,
    owner: BankAccount,
    statement_row: int,
    line: StatementLine,
    outcome: LineOutcome,
) -> None:
    row_id = conn.execute(
        insert(bank_lines)
        .values(
            statement_row_id=statement_row,
            bank_account_id=owner.id,
            line_id=line.line_id,
            booking_date=line.booking_date,
            value_date=line.value_date,
            amount=line.amount_cents,
            remittance=line.remittance,
            bank_reference=line.bank_reference,
            end_to_end_id=line.end_to_end_id,
            matched_kind=outcome.matched_kind,
            matched_id=outcome.matched_id,
            note=outcome.note,
        )
        .returning(bank_lines.c.id)
    ).scalar_one()
    for transaction_id in outcome.transactions:
        conn.execute(
            insert(bank_line_transactions).values(
                bank_line_id=row_id, transaction_id=transaction_id
            )
        )


def _summary(
    conn: Connection,
    owner: BankAccount,
    statement: BankStatement,
    row_id: int,
    *,
    already: bool,
    skipped: int,
) -> Reconciliation:
    rows = conn.execute(
        select(bank_lines).where(bank_lines.c.statement_row_id == row_id).order_by(bank_lines.c.id)
    ).all()
    outcomes = [
        LineOutcome(
            line_id=row.line_id,
            amount=row.amount,
            remittance=row.remittance,
            matched_kind=row.matched_kind,
            matched_id=row.matched_id,
            note=row.note,
            row_id=int(row.id),
        )
        for row in rows
    ]
    report = bank_reconciliation.reconcile_statement_row(conn, row_id)
    return Reconciliation(
        statement_id=statement.statement_id,
        already_imported=already,
        skipped_lines=skipped,
        matched=tuple(o for o in outcomes if o.matched_kind is not None),
        unmatched=tuple(o for o in outcomes if o.matched_kind is None),
        closing_balance=statement.closing_balance_cents,
        ledger_balance=report.books_at_closing,
        bank_account=owner.name,
        ledger_account=owner.ledger_account,
    )


def _texts(line: StatementLine) -> str:
    parts = (line.remittance, line.creditor_reference, line.end_to_end_id)
    return " ".join(part for part in parts if part)


def _found(pattern: str, text: str) -> Iterator[str]:
    # Bounded on both sides, so MLC-RC-1 is not read inside MLC-RC-12.
    for match in re.finditer(rf"(?<![A-Z0-9-])(?:{pattern})(?![A-Z0-9])", text.upper()):
        yield match.group(0)


_Matcher = Callable[[Connection, Deployment, StatementLine, Clock], LineOutcome | None]


def _matchers(
    owner: BankAccount, line: StatementLine, *, notes_account: bool
) -> tuple[_Matcher, ...]:
    """The matches tried on a line of this account: what can move its ledger account."""
    if owner.role == "reserve_notes":
        return (_till_deposit,) if line.amount_cents > 0 else ()
    if owner.role != bank_accounts.RESERVE_DIGITAL_ROLE:
        return ()
    if line.amount_cents <= 0:
        return (_payout, _payout_batch)
    # Without a notes account entered, the one account stands for the whole reserve and
    # the offices' cash is paid into it too (booked on reserve:notes, as ever).
    return (_conversion,) if notes_account else (_conversion, _till_deposit)


def _match(
    conn: Connection,
    deployment: Deployment,
    owner: BankAccount,
    line: StatementLine,
    *,
    clock: Clock,
) -> LineOutcome:
    notes: list[str] = []
    notes_account = bank_accounts.find_by_role(conn, "reserve_notes") is not None
    for matcher in _matchers(owner, line, notes_account=notes_account):
        try:
            # A savepoint per attempt: a refused booking leaves the rest of the import intact.
            with conn.begin_nested():
                before = _last_transaction(conn)
                outcome = matcher(conn, deployment, line, clock)
                if outcome is not None:
                    booked = _booked_since(conn, before, owner.ledger_account)
        except MonnaieLocaleError as exc:
            notes.append(exc.message)
            continue
        if outcome is not None:
            return replace(outcome, transactions=booked)
    return _outcome(line, None, None, "; ".join(notes) or "no reference the books await")


def _last_transaction(conn: Connection) -> int:
    return int(conn.execute(select(func.max(transactions.c.id))).scalar() or 0)


def _booked_since(conn: Connection, before: int, ledger_account: str) -> tuple[int, ...]:
    """The transactions this match booked on ``ledger_account``: those written after
    ``before``. On SQLite no other writer runs meanwhile; on PostgreSQL one committing a
    posting to the same account in the instant between the two reads would be taken too,
    and unmatching the line, then matching it by hand, puts that right."""
    found = conn.execute(
        select(postings.c.transaction_id)
        .join(accounts, accounts.c.id == postings.c.account_id)
        .where(postings.c.transaction_id > before, accounts.c.code == ledger_account)
        .distinct()
        .order_by(postings.c.transaction_id)
    ).scalars()
    return tuple(int(item) for item in found)


def _outcome(line: StatementLine, kind: str | None, key: int | None, note: str) -> LineOutcome:
    return LineOutcome(line.line_id, line.amount_cents, line.remittance, kind, key, note)


def _bank_reference(line: StatementLine) -> str:
    return line.bank_reference or line.line_id


def _conversion(
    conn: Connection, deployment: Deployment, line: StatementLine, clock: Clock
) -> LineOutcome | None:
    unit = re.escape(deployment.unit.code)
    for reference in _found(rf"{unit}-[A-Z2-9]{{6}}", _texts(line)):
        credited = conversion.credit_conversion_order(
            conn,
            deployment,
            reference=reference,
            amount=line.amount_cents,
            bank_reference=_bank_reference(line),
            clock=clock,
            # Dated the bank's booking day, unless that day's period is closed already.
            on=open_day(conn, line.booking_date),
        )
        return _outcome(line, "conversion", credited.id, f"credited order {reference}")
    return None


def _till_deposit(
    conn: Connection, deployment: Deployment, line: StatementLine, clock: Clock
) -> LineOutcome | None:
    # The form of offices.till_deposit_reference.
    unit = re.escape(deployment.unit.code)
    for reference in _found(rf"{unit}-TD-[0-9]+", _texts(line)):
        deposit_id = int(reference.rsplit("-", 1)[1])
        deposit = offices.load_till_deposit(conn, deployment, deposit_id)
        if deposit.amount != line.amount_cents:
            raise InvalidRequest(
                f"till deposit {reference} is {format_amount(deposit.amount)}, the bank shows "
                f"{format_amount(line.amount_cents)}"
            )
        offices.receive_till_deposit(
            conn,
            deployment,
            deposit_id=deposit_id,
            bank_reference=_bank_reference(line),
            clock=clock,
        )
        return _outcome(line, "till_deposit", deposit_id, f"received {reference}")
    return None


def _payout(
    conn: Connection, deployment: Deployment, line: StatementLine, clock: Clock
) -> LineOutcome | None:
    unit = re.escape(deployment.unit.code)
    for reference in _found(rf"{unit}-RC-[0-9]+", _texts(line)):
        request_id = int(reference.rsplit("-", 1)[1])
        item = reconversion.load_reconversion(conn, request_id)
        if item.payout != -line.amount_cents:
            raise InvalidRequest(
                f"payout {reference} is {format_amount(item.payout)}, the bank shows "
                f"{format_amount(-line.amount_cents)}"
            )
        payouts.mark_paid(
            conn,
            deployment,
            request_id=request_id,
            bank_reference=_bank_reference(line),
            clock=clock,
        )
        return _outcome(line, "reconversion", request_id, f"paid {reference}")
    return None


def _payout_batch(
    conn: Connection, deployment: Deployment, line: StatementLine, clock: Clock
) -> LineOutcome | None:
    unit = re.escape(deployment.unit.code)
    for reference in _found(rf"{unit}-PAYOUT-[0-9]+", _texts(line)):
        batch_id = int(reference.rsplit("-", 1)[1])
        batch = payouts.load_batch(conn, batch_id)
        if batch.total_payout != -line.amount_cents:
            raise InvalidRequest(
                f"batch {reference} pays {format_amount(batch.total_payout)}, the bank shows "
                f"{format_amount(-line.amount_cents)}"
            )
        payouts.mark_batch_paid(
            conn, deployment, batch_id=batch_id, bank_reference=_bank_reference(line), clock=clock
        )
        return _outcome(line, "payout_batch", batch_id, f"paid batch {reference}")
    return None
