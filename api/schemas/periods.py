"""Bodies of the closing of periods."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import ConfigDict, Field

from api.schemas.common import IsoDate, RequestBody, ResponseBody
from monnaie_locale.periods import Check, ClosedPeriod

__all__ = ["CheckOut", "ChecklistOut", "CloseIn", "ClosedPeriodOut"]


class CheckOut(ResponseBody):
    name: str = Field(examples=["coverage"], description="journal, coverage or reconciliation.")
    passed: bool
    detail: str = Field(examples=["100.00 %"])

    @classmethod
    def of(cls, check: Check) -> CheckOut:
        return cls(name=check.name, passed=check.passed, detail=check.detail)


class ChecklistOut(ResponseBody):
    through: date
    passed: bool = Field(description="True when every check passed: the period may be closed.")
    checks: list[CheckOut]

    @classmethod
    def of(cls, through: date, checks: list[Check]) -> ChecklistOut:
        return cls(
            through=through,
            passed=all(check.passed for check in checks),
            checks=[CheckOut.of(check) for check in checks],
        )


class CloseIn(RequestBody):
    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        json_schema_extra={
            "examples": [{"through": "2026-12-31", "year_end": True, "note": "Exercice 2026"}]
        },
    )

    through: IsoDate = Field(description="The period's last day (inclusive), a past day.")
    year_end: bool = Field(
        default=False, description="The end of an exercice: the next FEC opens with à-nouveaux."
    )
    note: str = Field(default="", max_length=500)


class ClosedPeriodOut(ResponseBody):
    closed_through: date
    year_end: bool
    closed_at: datetime
    closed_by: str
    note: str

    @classmethod
    def of(cls, period: ClosedPeriod) -> ClosedPeriodOut:
        return cls(
            closed_through=period.closed_through,
            year_end=period.year_end,
            closed_at=period.closed_at,
            closed_by=period.closed_by,
            note=period.note,
        )
