"""Bodies of the currency operations: conversions, reconversions, notes, offices,
membership fees, the reserve report and bank reconciliation.

Amounts travel as decimal strings both ways, like everywhere else; a note bundle is a
list of denominations (as amounts) and counts.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import UploadFile
from pydantic import ConfigDict, Field

from api.schemas.common import (
    TEXT_PATTERN,
    AccountCode,
    IsoDate,
    JsonInt,
    RequestBody,
    ResponseBody,
    RowId,
)
from api.schemas.money import AmountIn, AmountOut, CountedAmountIn, amount_out
from monnaie_locale.operations.conversion import Conversion
from monnaie_locale.operations.notes import NoteMovement
from monnaie_locale.operations.offices import ClosedOffice, OfficeClosing, TillDeposit
from monnaie_locale.operations.payouts import PayoutBatch
from monnaie_locale.operations.reconciliation import LineOutcome, Reconciliation
from monnaie_locale.operations.reconversion import Reconversion
from monnaie_locale.reserve import ReserveReport

__all__ = [
    "BankReferenceIn",
    "BankStatementIn",
    "CardConversionIn",
    "CashConversionIn",
    "ConversionOrderIn",
    "ConversionOut",
    "MembershipPaymentIn",
    "MembershipPaymentOut",
    "MembershipStatusOut",
    "NoteMovementOut",
    "NotesAtLocationIn",
    "NotesAtOfficeIn",
    "NotesDepositIn",
    "NotesIn",
    "OfficeClosingIn",
    "OfficeClosingOut",
    "OrderCreditIn",
    "PayoutBatchIn",
    "PayoutBatchOut",
    "ReconciliationOut",
    "ReconversionIn",
    "ReconversionOut",
    "ReserveReportOut",
    "TillDepositIn",
    "TillDepositOut",
]

Reference = Annotated[
    str, Field(min_length=1, max_length=140, pattern=r"^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$")
]
OfficeId = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,40}$", examples=["gare"])]
Name = Annotated[str, Field(min_length=1, max_length=140, pattern=TEXT_PATTERN)]


def example(**body: Any) -> ConfigDict:
    """A request body's configuration with its example, shown in the OpenAPI document."""
    return ConfigDict(json_schema_extra={"examples": [body]})


# Conversions ------------------------------------------------------------------------


class ConversionOrderIn(RequestBody):
    model_config = example(account="alice", amount="50.00")

    account: AccountCode
    amount: AmountIn


class OrderCreditIn(RequestBody):
    model_config = example(amount="50.00", bank_reference="VIR-20261102-0042")

    amount: AmountIn = Field(description="The amount seen on the bank account.")
    bank_reference: Reference
    on: IsoDate | None = Field(
        default=None,
        description="The bank's booking day, when not today; never in a closed period.",
    )


class CardConversionIn(RequestBody):
    model_config = example(account="alice", amount="30.00", payment_reference="CB-778-2026")

    account: AccountCode
    amount: AmountIn
    payment_reference: Reference = Field(description="The card payment's reference.")


class CashConversionIn(RequestBody):
    model_config = example(office="gare", account="bakery", amount="100.00")

    office: OfficeId
    account: AccountCode
    amount: AmountIn
    on: IsoDate | None = Field(
        default=None,
        description="The day the cash was taken, when not today; never in a closed period.",
    )


class ConversionOut(ResponseBody):
    id: int
    account: str
    method: str = Field(examples=["transfer"])
    amount: AmountOut
    bonus: AmountOut
    status: str = Field(examples=["pending"])
    reference: str | None = Field(description="Put it on the bank transfer (orders only).")
    payment_reference: str | None
    office: str | None
    bank_reference: str | None
    transaction_batch: str | None
    created_at: datetime
    settled_at: datetime | None
    bonus_rule: int | None = Field(
        default=None,
        description="The rule change whose bonus applied (GET /v1/rules/history); null: "
        "the settings', before any rule was recorded.",
    )

    @classmethod
    def of(cls, item: Conversion) -> ConversionOut:
        return cls(
            id=item.id,
            account=item.account,
            method=item.method,
            amount=amount_out(item.amount),
            bonus=amount_out(item.bonus),
            status=item.status,
            reference=item.reference,
            payment_reference=item.payment_reference,
            office=item.office,
            bank_reference=item.bank_reference,
            transaction_batch=item.transaction_batch,
            created_at=item.created_at,
            settled_at=item.settled_at,
            bonus_rule=item.bonus_rule,
        )


# Reconversions and payouts ----------------------------------------------------------


class ReconversionIn(RequestBody):
    model_config = example(
        account="bakery",
        amount="100.00",
        creditor_name="Boulangerie du Port",
        iban="FR14 2004 1010 0505 0001 3M02 606",
        bic="PSSTFRPPPAR",
    )

    account: AccountCode
    amount: AmountIn
    creditor_name: Name = Field(examples=["Boulangerie du Port"])
    iban: str = Field(min_length=5, max_length=42, pattern=r"^[A-Za-z0-9 ]+$")
    bic: str | None = Field(default=None, min_length=8, max_length=11, pattern=r"^[A-Za-z0-9]+$")


class ReconversionOut(ResponseBody):
    id: int
    account: str
    amount: AmountOut
    fee: AmountOut
    payout: AmountOut
    category: str
    creditor_name: str
    iban: str
    bic: str | None
    status: str = Field(examples=["requested"])
    batch_id: int | None
    bank_reference: str | None
    created_at: datetime
    settled_at: datetime | None
    fee_rule: int | None = Field(
        default=None,
        description="The rule change whose fee applied (GET /v1/rules/history); null: the "
        "settings', before any rule was recorded.",
    )

    @classmethod
    def of(cls, item: Reconversion) -> ReconversionOut:
        return cls(
            id=item.id,
            account=item.account,
            amount=amount_out(item.amount),
            fee=amount_out(item.fee),
            payout=amount_out(item.payout),
            category=item.category,
            creditor_name=item.creditor_name,
            iban=item.iban,
            bic=item.bic,
            status=item.status,
            batch_id=item.batch_id,
            bank_reference=item.bank_reference,
            created_at=item.created_at,
            settled_at=item.settled_at,
            fee_rule=item.fee_rule,
        )


class PayoutBatchIn(RequestBody):
    model_config = example(request_ids=[12, 13])

    request_ids: list[RowId] = Field(min_length=1, max_length=1000)


class BankReferenceIn(RequestBody):
    model_config = example(bank_reference="VIR-20261105-0007")

    bank_reference: Reference


class PayoutBatchOut(ResponseBody):
    id: int
    status: str = Field(examples=["validated"])
    total_payout: AmountOut
    message_id: str | None
    validated_by: str
    request_ids: list[int]
    created_at: datetime
    exported_at: datetime | None
    paid_at: datetime | None

    @classmethod
    def of(cls, batch: PayoutBatch) -> PayoutBatchOut:
        return cls(
            id=batch.id,
            status=batch.status,
            total_payout=amount_out(batch.total_payout),
            message_id=batch.message_id,
            validated_by=batch.validated_by,
            request_ids=list(batch.request_ids),
            created_at=batch.created_at,
            exported_at=batch.exported_at,
            paid_at=batch.paid_at,
        )


# Notes --------------------------------------------------------------------------------


class NoteCount(RequestBody):
    denomination: AmountIn = Field(description="The face value of the note.")
    count: JsonInt = Field(ge=1, le=1_000_000)


TWENTIES = [{"denomination": "20", "count": 10}]


class NotesIn(RequestBody):
    model_config = example(notes=[*TWENTIES, {"denomination": "5", "count": 40}])

    notes: list[NoteCount] = Field(min_length=1, max_length=50)

    def bundle(self) -> dict[int, int]:
        bundle: dict[int, int] = {}
        for item in self.notes:
            bundle[item.denomination] = bundle.get(item.denomination, 0) + item.count
        return bundle


class NotesAtOfficeIn(NotesIn):
    model_config = example(office="gare", notes=TWENTIES)

    office: OfficeId


class NotesDepositIn(NotesIn):
    model_config = example(
        office="gare", account="alice", notes=[{"denomination": "20", "count": 2}]
    )

    office: OfficeId
    account: AccountCode


class NotesAtLocationIn(NotesIn):
    model_config = example(location="vault", notes=TWENTIES)

    location: str = Field(
        pattern=r"^[A-Za-z0-9_-]{1,40}$",
        description='"vault", or the id of an exchange office.',
        examples=["vault"],
    )


class NoteMovementOut(ResponseBody):
    kind: str = Field(examples=["notes_printed"])
    source: str | None
    target: str | None
    notes: dict[str, int] = Field(description="Count by denomination.")
    amount: AmountOut
    transaction_batch: str

    @classmethod
    def of(cls, movement: NoteMovement) -> NoteMovementOut:
        return cls(
            kind=movement.kind,
            source=movement.source,
            target=movement.target,
            notes={amount_out(value): count for value, count in movement.bundle},
            amount=amount_out(movement.amount),
            transaction_batch=movement.transaction_batch,
        )


# Offices ------------------------------------------------------------------------------


class OfficeClosingIn(RequestBody):
    model_config = example(counted="312.40")

    counted: CountedAmountIn = Field(description="The cash counted in the till.")


class OfficeClosingOut(ResponseBody):
    id: int
    office: str
    expected: AmountOut
    counted: AmountOut
    difference: AmountOut
    transaction_batch: str | None
    closed_at: datetime

    @classmethod
    def of(cls, closing: OfficeClosing) -> OfficeClosingOut:
        return cls(
            id=closing.id,
            office=closing.office,
            expected=amount_out(closing.expected),
            counted=amount_out(closing.counted),
            difference=amount_out(closing.difference),
            transaction_batch=closing.transaction_batch,
            closed_at=closing.closed_at,
        )


class ClosedOfficeOut(ResponseBody):
    """An office closed for good, and its accounts, which now refuse every operation."""

    office: str
    accounts: list[str]

    @classmethod
    def of(cls, closed: ClosedOffice) -> ClosedOfficeOut:
        return cls(office=closed.office, accounts=list(closed.accounts))


class TillDepositIn(RequestBody):
    model_config = example(amount="300.00")

    amount: AmountIn


class TillDepositOut(ResponseBody):
    id: int
    office: str
    amount: AmountOut
    status: str = Field(examples=["in_transit"])
    reference: str = Field(
        examples=["MLC-TD-12"],
        description="To write on the bank's deposit slip: the statement shows it, and its "
        "import receives the deposit.",
    )
    bank_reference: str | None
    created_at: datetime
    received_at: datetime | None

    @classmethod
    def of(cls, deposit: TillDeposit) -> TillDepositOut:
        return cls(
            id=deposit.id,
            office=deposit.office,
            amount=amount_out(deposit.amount),
            status=deposit.status,
            reference=deposit.reference,
            bank_reference=deposit.bank_reference,
            created_at=deposit.created_at,
            received_at=deposit.received_at,
        )


# Membership ---------------------------------------------------------------------------


class MembershipPaymentIn(RequestBody):
    model_config = example(account="alice", period="2026", paid_in="units")

    account: AccountCode
    period: str = Field(pattern=r"^[0-9]{4}(-[0-9]{2})?$", examples=["2026"])
    paid_in: Literal["units", "euros"]


class MembershipPaymentOut(ResponseBody):
    account: str
    period: str
    transaction_batch: str


class MembershipStatusOut(ResponseBody):
    account: str
    kind: str
    period: str
    paid: bool


# Bank reconciliation ------------------------------------------------------------------


class BankStatementIn(RequestBody):
    """A statement of one of the association's bank accounts, uploaded as a form."""

    model_config = example(
        format="csv",
        file="Date;Date de valeur;Libellé;Référence;Débit;Crédit\r\n"
        "02/11/2026;02/11/2026;VIR SEPA RECU /MOTIF CONV MLC-7KQ2XD;R1;;120,00\r\n",
    )

    file: UploadFile = Field(description="The statement file: camt.053 XML, or a CSV export.")
    file_format: Literal["camt053", "csv"] = Field(alias="format")
    account: str | None = Field(
        default=None,
        max_length=60,
        description="The bank account a CSV export is of (a camt.053 statement names its "
        "IBAN); without it, the digital reserve's.",
    )


class LineOut(ResponseBody):
    id: int | None = Field(description="The line's number, to match or unmatch it.")
    line_id: str
    amount: AmountOut
    remittance: str
    matched_kind: str | None
    matched_id: int | None
    note: str

    @classmethod
    def of(cls, line: LineOutcome) -> LineOut:
        return cls(
            id=line.row_id,
            line_id=line.line_id,
            amount=amount_out(line.amount),
            remittance=line.remittance,
            matched_kind=line.matched_kind,
            matched_id=line.matched_id,
            note=line.note,
        )


class ReconciliationOut(ResponseBody):
    statement_id: str
    already_imported: bool
    skipped_lines: int
    matched: list[LineOut]
    unmatched: list[LineOut]
    closing_balance: AmountOut | None
    ledger_balance: AmountOut
    difference: AmountOut | None = Field(
        description="Bank minus books at the closing date, on the account's ledger account."
    )
    bank_account: str
    ledger_account: str
    recorded: int | None = Field(
        description="The journal's record of the statement, for checkpoints to carry: its "
        "transaction; null when nothing was recorded (see unrecorded, or already_imported)."
    )
    unrecorded: Literal["no_closing_balance", "not_reserve"] | None = Field(
        description="Why the statement was not recorded in the journal."
    )

    @classmethod
    def of(cls, item: Reconciliation) -> ReconciliationOut:
        return cls(
            statement_id=item.statement_id,
            already_imported=item.already_imported,
            skipped_lines=item.skipped_lines,
            matched=[LineOut.of(line) for line in item.matched],
            unmatched=[LineOut.of(line) for line in item.unmatched],
            closing_balance=None
            if item.closing_balance is None
            else amount_out(item.closing_balance),
            ledger_balance=amount_out(item.ledger_balance),
            difference=None if item.difference is None else amount_out(item.difference),
            bank_account=item.bank_account,
            ledger_account=item.ledger_account,
            recorded=item.recorded,
            unrecorded=None if item.unrecorded is None else item.unrecorded.value,
        )


# The reserve report ---------------------------------------------------------------------


class PendingOut(ResponseBody):
    count: int
    amount: AmountOut


class ReserveReportOut(ResponseBody):
    """Units in circulation against the euros of the guarantee fund that back them."""

    unit: str = Field(examples=["MLC"])
    as_of: datetime | None
    circulation_digital: dict[str, AmountOut] = Field(description="Units by holder kind.")
    reconversion_pending: AmountOut
    paper: AmountOut
    circulation_total: AmountOut
    note_stocks: dict[str, AmountOut]
    reserve: dict[str, AmountOut]
    reserve_total: AmountOut
    pending_conversions: PendingOut
    pending_reconversions: PendingOut
    coverage_ratio: str | None = Field(description="Reserve over circulation, as a fraction.")
    coverage_percent: str | None
    discrepancies: list[str]

    @classmethod
    def of(cls, report: ReserveReport) -> ReserveReportOut:
        here = report.position
        ratio = report.coverage
        percent = report.coverage_percent

        def amounts(values: Mapping[str, int]) -> dict[str, str]:
            return {key: amount_out(value) for key, value in values.items()}

        return cls(
            unit=report.unit,
            as_of=report.as_of,
            circulation_digital=amounts(here.digital),
            reconversion_pending=amount_out(here.reconversion_pending),
            paper=amount_out(here.paper),
            circulation_total=amount_out(here.circulation),
            note_stocks=amounts(here.note_stocks),
            reserve=amounts(here.reserve),
            reserve_total=amount_out(here.reserve_total),
            pending_conversions=PendingOut(
                count=report.pending_conversions.count,
                amount=amount_out(report.pending_conversions.amount),
            ),
            pending_reconversions=PendingOut(
                count=report.pending_reconversions.count,
                amount=amount_out(report.pending_reconversions.amount),
            ),
            coverage_ratio=None if ratio is None else f"{ratio.numerator}/{ratio.denominator}",
            coverage_percent=None if percent is None else str(percent),
            discrepancies=list(report.discrepancies),
        )
