"""Bodies of a régie's versements: where it stands, and each versement paid in."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import Field

from api.schemas.common import ResponseBody
from api.schemas.money import AmountOut, amount_out
from monnaie_locale.authorities.versements import Versement, VersementDue

__all__ = ["VersementDueOut", "VersementOut"]


class VersementDueOut(ResponseBody):
    regie: str
    encaisse: AmountOut = Field(description="The units collected and not yet paid in.")
    cap: AmountOut = Field(description="The montant maximum de l'encaisse in force.")
    last_versement: date | None
    due_on: date | None = Field(description="The day the next versement is due at the latest.")
    reason: Literal["cap", "period"] | None = Field(
        description="Why a versement is due now (the cap reached, its day come), or null."
    )

    @classmethod
    def of(cls, due: VersementDue) -> VersementDueOut:
        return cls(
            regie=due.regie,
            encaisse=amount_out(due.encaisse),
            cap=amount_out(due.cap),
            last_versement=due.last_versement,
            due_on=due.due_on,
            reason=due.reason,
        )


class VersementOut(ResponseBody):
    id: int
    regie: str
    label: str = Field(examples=["2026-0003"])
    year: int
    number: int
    prepared_at: datetime
    prepared_by: str
    units: AmountOut = Field(description="The units paid in: the fee plus the euros.")
    fee: AmountOut = Field(description="The convention's fee, kept by the association.")
    euros: AmountOut = Field(description="The euros wired to the Trésor.")
    reason: Literal["cap", "period", "asked"]
    reconversion_id: int | None
    status: str | None = Field(description="Its reconversion's: requested, batched, paid.")
    quittances: int

    @classmethod
    def of(cls, versement: Versement) -> VersementOut:
        return cls(
            id=versement.id,
            regie=versement.regie,
            label=versement.label,
            year=versement.year,
            number=versement.number,
            prepared_at=versement.prepared_at,
            prepared_by=versement.prepared_by,
            units=amount_out(versement.units),
            fee=amount_out(versement.fee),
            euros=amount_out(versement.euros),
            reason=versement.reason,
            reconversion_id=versement.reconversion_id,
            status=versement.status,
            quittances=versement.quittances,
        )
