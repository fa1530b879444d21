"""The association's bank accounts and their reconciliation, as the API shows them."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import Field

from api.schemas.common import JsonInt, RequestBody, ResponseBody
from api.schemas.money import AmountOut, amount_out
from api.schemas.operations import example
from monnaie_locale.operations.bank_accounts import BankAccount
from monnaie_locale.operations.bank_reconciliation import (
    AccountReconciliation,
    BankLine,
    BookItem,
    LineChange,
)
from monnaie_locale.operations.reserve_statements import Recorded


class BankAccountIn(RequestBody):
    """A bank account of the association; the IBAN and BIC are checked now."""

    model_config = example(
        name="fonds-numerique", role="reserve_digital", iban="FR7630006000011234567890189",
        bic="CCOPFRPP",
    )  # fmt: skip

    name: str = Field(min_length=1, max_length=60)
    role: str = Field(
        description="reserve_digital (reserve:digital), reserve_notes (reserve:notes) or "
        "operating (association:operating)."
    )
    iban: str = Field(max_length=60)
    bic: str | None = Field(default=None, max_length=20)


class BankAccountChangeIn(RequestBody):
    """What to change; the role stays. An empty bic removes the BIC."""

    model_config = example(bic="CCOPFRPP")

    iban: str | None = Field(default=None, max_length=60)
    bic: str | None = Field(default=None, max_length=20)
    name: str | None = Field(default=None, min_length=1, max_length=60)


class BankAccountOut(ResponseBody):
    name: str
    role: str
    ledger_account: str
    iban: str
    bic: str | None
    updated_at: datetime | None
    updated_by: str

    @classmethod
    def of(cls, item: BankAccount) -> BankAccountOut:
        return cls(
            name=item.name,
            role=item.role,
            ledger_account=item.ledger_account,
            iban=item.iban,
            bic=item.bic,
            updated_at=item.updated_at,
            updated_by=item.updated_by,
        )


class MatchIn(RequestBody):
    model_config = example(transaction_id=42)

    transaction_id: JsonInt = Field(
        ge=1, le=2**53 - 1, description="The ledger transaction the line stands for."
    )


class LineChangeOut(ResponseBody):
    action: str
    transaction_id: int | None
    actor: str
    changed_at: datetime

    @classmethod
    def of(cls, item: LineChange) -> LineChangeOut:
        return cls(
            action=item.action,
            transaction_id=item.transaction_id,
            actor=item.actor,
            changed_at=item.changed_at,
        )


class BankLineOut(ResponseBody):
    id: int = Field(description="The line's number, to match or unmatch it.")
    bank_account: str
    statement_id: str
    line_id: str
    booking_date: date
    value_date: date | None
    amount: AmountOut
    remittance: str
    matched_kind: str | None
    matched_id: int | None
    note: str
    transactions: list[int]
    changes: list[LineChangeOut]

    @classmethod
    def of(cls, item: BankLine) -> BankLineOut:
        return cls(
            id=item.id,
            bank_account=item.bank_account,
            statement_id=item.statement_id,
            line_id=item.line_id,
            booking_date=item.booking_date,
            value_date=item.value_date,
            amount=amount_out(item.amount),
            remittance=item.remittance,
            matched_kind=item.matched_kind,
            matched_id=item.matched_id,
            note=item.note,
            transactions=list(item.transactions),
            changes=[LineChangeOut.of(change) for change in item.changes],
        )


class BookItemOut(ResponseBody):
    transaction_id: int
    booked_at: datetime
    amount: AmountOut
    memo: str

    @classmethod
    def of(cls, item: BookItem) -> BookItemOut:
        return cls(
            transaction_id=item.transaction_id,
            booked_at=item.booked_at,
            amount=amount_out(item.amount),
            memo=item.memo,
        )


class AccountReconciliationOut(ResponseBody):
    """A statement beside its ledger account at the end of its closing day (UTC)."""

    bank_account: str
    ledger_account: str
    statement_id: str
    closing_date: date | None
    as_of: datetime | None
    statement_balance: AmountOut | None
    ledger_balance: AmountOut = Field(description="The ledger account at the closing moment.")
    booked_after: AmountOut = Field(
        description="Matched lines of the statement's dates booked in the ledger later."
    )
    books_at_closing: AmountOut
    difference: AmountOut | None = Field(description="Statement minus books_at_closing.")
    matched_lines: int
    unmatched_bank: list[BankLineOut]
    unmatched_books: list[BookItemOut]

    @classmethod
    def of(cls, item: AccountReconciliation) -> AccountReconciliationOut:
        return cls(
            bank_account=item.bank_account,
            ledger_account=item.ledger_account,
            statement_id=item.statement_id,
            closing_date=item.closing_date,
            as_of=item.as_of,
            statement_balance=None
            if item.statement_balance is None
            else amount_out(item.statement_balance),
            ledger_balance=amount_out(item.ledger_balance),
            booked_after=amount_out(item.booked_after),
            books_at_closing=amount_out(item.books_at_closing),
            difference=None if item.difference is None else amount_out(item.difference),
            matched_lines=item.matched_lines,
            unmatched_bank=[BankLineOut.of(line) for line in item.unmatched_bank],
            unmatched_books=[BookItemOut.of(book) for book in item.unmatched_books],
        )


class ReserveAttestationOut(ResponseBody):
    """A bank statement recorded in the journal: what a checkpoint's statement line says,
    and the journal entry that commits to it."""

    account: str = Field(description="The reserve's ledger account the bank account backs.")
    closing_date: date
    closing_balance: AmountOut
    file_sha256: str = Field(description="The SHA-256 of the bank's file, in hexadecimal.")
    statement_id: str | None = Field(description="The bank's id of the statement.")
    transaction_id: int
    journal_seq: int | None = Field(description="The journal entry; null until it is sealed.")
    recorded_at: datetime

    @classmethod
    def of(cls, item: Recorded) -> ReserveAttestationOut:
        return cls(
            account=item.statement.account,
            closing_date=item.statement.day,
            closing_balance=amount_out(item.statement.closing),
            file_sha256=item.statement.file_hash,
            statement_id=item.statement_id,
            transaction_id=item.transaction_id,
            journal_seq=item.seq,
            recorded_at=item.recorded_at,
        )
