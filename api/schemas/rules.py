"""The currency's rules over HTTP: those in force, their history, a change.

A rule's value is text as people write it, never a JSON number: ``"300"`` basis points,
``"yes"``, ``"15,00/year"``, ``"1500.00"``, ``"none"``; a number, above all a float for
an amount, is refused before the act sees it.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import Field, StrictBool

from api.schemas.common import IsoDate, RequestBody, ResponseBody
from api.schemas.operations import example
from monnaie_locale.rules import RuleChange, RuleInForce

__all__ = ["RuleChangeIn", "RuleChangeOut", "RuleInForceOut"]


class RuleChangeIn(RequestBody):
    model_config = example(
        rule="reconversion_fee.business", value="300", effective_from="2027-01-01"
    )

    rule: str = Field(
        min_length=1, max_length=80, pattern=r"^[a-z_]+(\.[a-z0-9_-]+)?$",
        examples=["conversion_bonus"],
    )  # fmt: skip
    value: str = Field(
        min_length=1,
        max_length=40,
        pattern=r"^[A-Za-z0-9 ,./_-]+$",
        description="As people write it: basis points (300 = 3 %), yes or no, an amount "
        "(15,00 or 15.00; a membership fee with /year or /month), or none.",
        examples=["300"],
    )
    effective_from: IsoDate = Field(description="The day the new value applies from.")
    new_category: StrictBool = Field(
        default=False, description="Price a reconversion category no rule priced yet."
    )


class RuleInForceOut(ResponseBody):
    rule: str
    value: str
    version: int | None = Field(
        description="The change that set the rule; null: the settings', none recorded yet."
    )
    effective_from: date | None

    @classmethod
    def of(cls, item: RuleInForce) -> RuleInForceOut:
        return cls(
            rule=item.rule,
            value=item.value,
            version=item.version,
            effective_from=item.effective_from,
        )


class RuleChangeOut(ResponseBody):
    id: int
    rule: str
    value: str
    effective_from: date
    changed_by: str
    changed_at: datetime

    @classmethod
    def of(cls, item: RuleChange) -> RuleChangeOut:
        return cls(
            id=item.id,
            rule=item.rule,
            value=item.value,
            effective_from=item.effective_from,
            changed_by=item.changed_by,
            changed_at=item.changed_at,
        )
