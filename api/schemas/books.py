"""Bodies of the association's other money flows (``/v1/books``).

Amounts travel as decimal strings both ways (``"12.50"`` or ``"12,50"`` in, ``"12.50"``
out), like everywhere else.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from api.schemas.common import (
    TEXT_PATTERN,
    AccountCode,
    IsoDate,
    JsonInt,
    RequestBody,
    ResponseBody,
)
from api.schemas.money import AmountIn, AmountOut, amount_out
from api.schemas.operations import NoteCount, example
from monnaie_locale.operations.bookings import Booking
from monnaie_locale.operations.leaving import Closure
from monnaie_locale.operations.reversals import Reversal
from monnaie_locale.operations.write_offs import WriteOff

__all__ = [
    "BankCostIn",
    "BookingOut",
    "ClosureIn",
    "ClosureOut",
    "ConversionReversalIn",
    "GiftIn",
    "ReversalOut",
    "ToOperatingIn",
    "UnitDonationIn",
    "WriteOffIn",
    "WriteOffOut",
]

Text = Annotated[str, Field(max_length=200, pattern=TEXT_PATTERN)]


class BankCostIn(RequestBody):
    model_config = example(account="reserve:digital", amount="4.20")

    account: AccountCode = Field(
        description="reserve:digital, reserve:notes or association:operating."
    )
    amount: AmountIn
    on: IsoDate | None = Field(
        default=None, description="The bank's booking day, in an open period (default: today)."
    )


class ToOperatingIn(RequestBody):
    model_config = example(what="fees", amount="120.00")

    what: Literal["fees", "surplus"]
    amount: AmountIn
    reserve: Literal["reserve:digital", "reserve:notes"] = "reserve:digital"


class GiftIn(RequestBody):
    model_config = example(amount="50.00", memo="Mme Durand")

    amount: AmountIn
    memo: Text = ""


class UnitDonationIn(RequestBody):
    model_config = example(account="alice", amount="10.00")

    account: AccountCode
    amount: AmountIn


class BookingOut(ResponseBody):
    kind: str
    account: str
    amount: AmountOut
    currency: str
    top_up: AmountOut = Field(description="What the operating account added to the reserve.")
    transaction_batch: str

    @classmethod
    def of(cls, booked: Booking) -> BookingOut:
        return cls(
            kind=booked.kind,
            account=booked.account,
            amount=amount_out(booked.amount),
            currency=booked.currency,
            top_up=amount_out(booked.extra),
            transaction_batch=booked.transaction_batch,
        )


class ClosureIn(RequestBody):
    model_config = example(
        account="alice", reason="deceased", settlement="refund", paid_to="Notaire Martin"
    )

    account: AccountCode
    reason: Literal["left", "deceased"]
    settlement: Literal["refund", "donate"]
    paid_to: Text = ""


class ClosureOut(ResponseBody):
    account: str
    reason: str
    settlement: str
    amount: AmountOut
    paid_to: str
    transaction_batch: str | None

    @classmethod
    def of(cls, closed: Closure) -> ClosureOut:
        return cls(
            account=closed.account,
            reason=closed.reason,
            settlement=closed.settlement,
            amount=amount_out(closed.amount),
            paid_to=closed.paid_to,
            transaction_batch=closed.transaction_batch,
        )


class WriteOffIn(RequestBody):
    model_config = example(
        series="A-0101..A-0150",
        location="vault",
        notes=[{"denomination": "20", "count": 50}],
        reason="stolen",
    )

    series: str = Field(min_length=1, max_length=80, pattern=TEXT_PATTERN)
    location: str = Field(
        min_length=1,
        max_length=40,
        pattern=r"^[A-Za-z0-9_-]{1,40}$",
        description="vault, an office's id, or lost (notes recorded missing).",
    )
    notes: list[NoteCount] = Field(min_length=1, max_length=50)
    reason: Literal["stolen", "destroyed"]

    def bundle(self) -> dict[int, int]:
        bundle: dict[int, int] = {}
        for item in self.notes:
            bundle[item.denomination] = bundle.get(item.denomination, 0) + item.count
        return bundle


class WriteOffOut(ResponseBody):
    series: str
    location: str
    reason: str
    amount: AmountOut
    transaction_batch: str

    @classmethod
    def of(cls, done: WriteOff) -> WriteOffOut:
        return cls(
            series=done.series,
            location=done.location,
            reason=done.reason,
            amount=amount_out(done.amount),
            transaction_batch=done.transaction_batch,
        )


class ConversionReversalIn(RequestBody):
    model_config = example(conversion_id=42, how="charged_back")

    conversion_id: JsonInt = Field(ge=1, le=2**53 - 1)  # exact in every JSON reader
    how: Literal["reversed", "charged_back"]


class ReversalOut(ResponseBody):
    conversion_id: int
    account: str
    status: str
    amount: AmountOut
    bonus: AmountOut
    taken_back: AmountOut
    borne: AmountOut = Field(description="Euros the association bore (units already spent).")
    transaction_batch: str

    @classmethod
    def of(cls, done: Reversal) -> ReversalOut:
        return cls(
            conversion_id=done.conversion_id,
            account=done.account,
            status=done.kind,
            amount=amount_out(done.amount),
            bonus=amount_out(done.bonus),
            taken_back=amount_out(done.taken_back),
            borne=amount_out(done.borne),
            transaction_batch=done.transaction_batch,
        )
