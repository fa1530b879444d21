"""Bank reconciliation: the reserve account's statement, matched line by line to the books.

Each new line of a statement is matched to what the association waits for:

* money in carrying a conversion order's reference (``MLC-7Q4K2P``) for the order's exact
  amount credits that order: the units are issued now;
* money in carrying a till deposit's reference (``MLC-TD-12``) for its amount receives it;
* money out carrying a payout's end-to-end id (``MLC-RC-5``) for its amount marks that
  reconversion paid; money out naming a batch's message id (``MLC-PAYOUT-3``) for the
  batch's total marks the whole batch paid.

Anything else is listed as unmatched, with the reason when a reference was found but the
amount or the state did not fit; a person decides. Lines are remembered by their line id,
so importing the same statement again, or an export overlapping a previous one, books
nothing twice. A file that cannot be read is refused whole, before anything is written.
Last, the ledger's ``reserve:digital`` is compared with the statement's closing balance.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import Connection, insert, select

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
from monnaie_locale.deployment import RESERVE_DIGITAL, Deployment
from monnaie_locale.errors import InvalidRequest, MonnaieLocaleError
from monnaie_locale.ledger.accounts import get_account
from monnaie_locale.ledger.periods import open_day
from monnaie_locale.money import format_amount
from monnaie_locale.operations import conversion, offices, payouts, reconversion
from monnaie_locale.operations.errors import MalformedBankFile
from monnaie_locale.store.tables_operations import bank_lines, bank_statements

__all__ = [
    "LineOutcome",
    "Reconciliation",
    "import_statement",
    "import_statement_file",
    "read_statement_file",
]


@dataclass(frozen=True, slots=True)
class LineOutcome:
    """What became of one statement line: what it matched, or why it did not."""

    line_id: str
    amount: int
    remittance: str
    matched_kind: str | None
    matched_id: int | None
    note: str


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

    @property
    def difference(self) -> int | None:
        """Bank minus books on the digital reserve; ``None`` without a closing balance."""
        if self.closing_balance is None:
            return None
        return self.closing_balance - self.ledger_balance


def read_statement_file(
    deployment: Deployment,
    content: bytes,
    *,
    file_format: Literal["camt053", "csv"],
    csv_format: CsvFormat = FRENCH_BANK,
) -> list[BankStatement]:
    """The statements of a camt.053 or CSV file; :class:`MalformedBankFile` naming the
    line or element at fault if it cannot be read."""
    try:
        if file_format == "camt053":
            return list(parse_camt053(content))
        return [
            parse_csv_statement(
                content, csv_format=csv_format, account_iban=deployment.reserve_iban
            )
        ]
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
) -> list[Reconciliation]:
    """Read a camt.053 or CSV file and import each statement in it, all or nothing."""
    statements = read_statement_file(
        deployment, content, file_format=file_format, csv_format=csv_format
    )
    return [import_statement(conn, deployment, item, clock=clock) for item in statements]


def import_statement(
    conn: Connection,
    deployment: Deployment,
    statement: BankStatement,
    *,
    clock: Clock,
    progress: Callable[[int], None] | None = None,
) -> Reconciliation:
    """Record ``statement``'s new lines and book those that match what the books await.

    ``progress``, if given, is called with each line's number as the line is handled.
    """
    _check_account(deployment, statement)
    key = hashlib.sha256(f"{statement.fingerprint}|{statement.statement_id}".encode()).hexdigest()
    known = conn.execute(
        select(bank_statements.c.id).where(bank_statements.c.fingerprint == key)
    ).scalar()
    if known is not None:
        return _summary(conn, statement, int(known), already=True, skipped=len(statement.lines))
    statement_row = conn.execute(
        insert(bank_statements)
        .values(
            fingerprint=key,
            statement_id=statement.statement_id,
            account_iban=statement.account_iban,
            closing_balance=statement.closing_balance_cents,
            closing_date=statement.closing_date,
            imported_at=clock(),
        )
        .returning(bank_statements.c.id)
    ).scalar_one()
    seen = set(
        conn.execute(
            select(bank_lines.c.line_id).where(
                bank_lines.c.line_id.in_([line.line_id for line in statement.lines])
            )
        ).scalars()
    )
    skipped = 0
    for done, line in enumerate(statement.lines, start=1):
        if progress is not None:
            progress(done)
        if line.line_id in seen:
            skipped += 1
            continue
        outcome = _match(conn, deployment, line, clock=clock)
        conn.execute(
            insert(bank_lines).values(
                statement_row_id=statement_row,
                line_id=line.line_id,
                booking_date=line.booking_date,
                amount=line.amount_cents,
                remittance=line.remittance,
                bank_reference=line.bank_reference,
                end_to_end_id=line.end_to_end_id,
                matched_kind=outcome.matched_kind,
                matched_id=outcome.matched_id,
                note=outcome.note,
            )
        )
    return _summary(conn, statement, statement_row, already=False, skipped=skipped)


def _check_account(deployment: Deployment, statement: BankStatement) -> None:
    if statement.currency != "EUR":
        raise InvalidRequest(f"the reserve is in euros; this statement is in {statement.currency}")
    theirs, ours = statement.account_iban, deployment.reserve_iban
    if theirs and ours and normalise(theirs) != normalise(ours):
        raise InvalidRequest(
            f"this statement is for {theirs}, not the reserve account {normalise(ours)}"
        )


def _summary(
    conn: Connection, statement: BankStatement, row_id: int, *, already: bool, skipped: int
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
        )
        for row in rows
    ]
    return Reconciliation(
        statement_id=statement.statement_id,
        already_imported=already,
        skipped_lines=skipped,
        matched=tuple(o for o in outcomes if o.matched_kind is not None),
        unmatched=tuple(o for o in outcomes if o.matched_kind is None),
        closing_balance=statement.closing_balance_cents,
        ledger_balance=-get_account(conn, RESERVE_DIGITAL).balance,
    )


def _texts(line: StatementLine) -> str:
    parts = (line.remittance, line.creditor_reference, line.end_to_end_id)
    return " ".join(part for part in parts if part)


def _found(pattern: str, text: str) -> Iterator[str]:
    # Bounded on both sides, so MLC-RC-1 is not read inside MLC-RC-12.
    for match in re.finditer(rf"(?<![A-Z0-9-])(?:{pattern})(?![A-Z0-9])", text.upper()):
        yield match.group(0)


_Matcher = Callable[[Connection, Deployment, StatementLine, Clock], LineOutcome | None]


def _match(
    conn: Connection, deployment: Deployment, line: StatementLine, *, clock: Clock
) -> LineOutcome:
    matchers: tuple[_Matcher, ...] = (
        (_conversion, _till_deposit) if line.amount_cents > 0 else (_payout, _payout_batch)
    )
    notes: list[str] = []
    for matcher in matchers:
        try:
            # A savepoint per attempt: a refused booking leaves the rest of the import intact.
            with conn.begin_nested():
                outcome = matcher(conn, deployment, line, clock)
        except MonnaieLocaleError as exc:
            notes.append(exc.message)
            continue
        if outcome is not None:
            return outcome
    return _outcome(line, None, None, "; ".join(notes) or "no reference the books await")


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
