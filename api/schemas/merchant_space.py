"""Bodies of a shop's own management: its cashiers, its takings, a reconversion's quote."""

from __future__ import annotations

from datetime import date

from pydantic import ConfigDict, Field

from api.schemas.common import RequestBody, ResponseBody
from api.schemas.money import AmountOut, amount_out
from api.schemas.users import NewPassword, Username, UserOut
from monnaie_locale.acts.takings import DayTakings, Takings, Totals
from monnaie_locale.operations.reconversion import ReconversionQuote

__all__ = ["CashierIn", "CashierList", "DayTakingsOut", "QuoteOut", "TakingsOut", "TotalsOut"]


class CashierIn(RequestBody):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"username": "lea.bakery", "password": "a passphrase to change soon"}]
        },
    )

    username: Username
    password: NewPassword


class CashierList(ResponseBody):
    items: list[UserOut] = Field(description="The shop's cashiers, by name, active or not.")


class TotalsOut(ResponseBody):
    received: AmountOut = Field(description="What the shop's payments brought in.")
    refunded: AmountOut = Field(description="What the shop paid back, on the day it did.")
    net: AmountOut = Field(description="Received less refunded.")
    payments: int = Field(description="How many payments.", examples=[42])
    refunds: int = Field(description="How many refunds.", examples=[1])

    @classmethod
    def of(cls, totals: Totals) -> TotalsOut:
        return cls(
            received=amount_out(totals.received),
            refunded=amount_out(totals.refunded),
            net=amount_out(totals.net),
            payments=totals.payments,
            refunds=totals.refunds,
        )


class DayTakingsOut(ResponseBody):
    day: date
    totals: TotalsOut

    @classmethod
    def of(cls, line: DayTakings) -> DayTakingsOut:
        return cls(day=line.day, totals=TotalsOut.of(line.totals))


class TakingsOut(ResponseBody):
    account: str = Field(examples=["bakery"])
    zone: str = Field(
        description="The time zone the days are counted in.", examples=["Europe/Paris"]
    )
    day: date
    day_totals: TotalsOut
    month: str = Field(pattern=r"^[0-9]{4}-[0-9]{2}$", examples=["2026-12"])
    month_totals: TotalsOut
    days: list[DayTakingsOut] = Field(description="Every day of the month, in order.")

    @classmethod
    def of(cls, takings: Takings) -> TakingsOut:
        return cls(
            account=takings.account,
            zone=takings.zone,
            day=takings.day,
            day_totals=TotalsOut.of(takings.day_totals),
            month=takings.month_text,
            month_totals=TotalsOut.of(takings.month_totals),
            days=[DayTakingsOut.of(line) for line in takings.days],
        )


class QuoteOut(ResponseBody):
    account: str = Field(examples=["bakery"])
    amount: AmountOut = Field(description="The units given back.")
    fee: AmountOut = Field(description="The association's fee, kept in units.")
    payout: AmountOut = Field(description="The euros the holder would be paid.")
    category: str = Field(examples=["business"])
    fee_rule: int | None = Field(
        description="The rule change whose fee applies (GET /v1/rules/history); null: the "
        "settings', before any rule was recorded."
    )

    @classmethod
    def of(cls, quote: ReconversionQuote) -> QuoteOut:
        return cls(
            account=quote.account,
            amount=amount_out(quote.amount),
            fee=amount_out(quote.fee),
            payout=amount_out(quote.payout),
            category=quote.category,
            fee_rule=quote.fee_rule,
        )
