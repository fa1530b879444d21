"""An authority's mandates at the edge: what the ordonnateur proposes, what comes back."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field

from api.schemas.common import TEXT_PATTERN, AccountCode, JsonInt, RequestBody, ResponseBody
from api.schemas.money import AmountIn, AmountOut, amount_out
from api.schemas.operations import example
from monnaie_locale.authorities.mandates import Mandate

__all__ = ["MandateIn", "MandateOut", "RejectionIn"]

_Code = Annotated[str, Field(min_length=1, max_length=30, pattern=TEXT_PATTERN)]


class MandateIn(RequestBody):
    model_config = example(
        payee="member:club",
        amount="250.00",
        exercice=2026,
        bordereau="B-2026-014",
        number="1207",
        chapitre="65",
        article="6574",
        fonction="40",
        object="Subvention au club de pelote",
    )

    payee: AccountCode
    amount: AmountIn
    exercice: JsonInt = Field(ge=2000, le=9999, description="The budget year.")
    bordereau: _Code = Field(description="The bordereau the mandate is issued in.")
    number: _Code = Field(description="The mandate's number in its bordereau.")
    chapitre: _Code = Field(description="M57 chapitre, 2 or 3 digits, such as 65.")
    article: _Code = Field(description="M57 article by nature, such as 6574.")
    fonction: _Code = Field(description="M57 fonction, digits, such as 40.")
    object: str = Field(min_length=1, max_length=200, pattern=TEXT_PATTERN)


class RejectionIn(RequestBody):
    model_config = example(reason="Pièces justificatives manquantes")

    reason: str = Field(min_length=1, max_length=200, pattern=TEXT_PATTERN)


class MandateOut(ResponseBody):
    id: int
    authority: str
    exercice: int
    bordereau: str
    number: str
    chapitre: str
    article: str
    fonction: str
    object: str
    payee: str
    amount: AmountOut
    status: str = Field(examples=["proposed"], description="proposed, paid or rejected.")
    proposed_by: str
    proposed_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    refusal: str | None
    transaction_id: int | None = Field(description="The payment, once paid.")

    @classmethod
    def of(cls, item: Mandate) -> MandateOut:
        return cls(
            id=item.id,
            authority=item.authority,
            exercice=item.exercice,
            bordereau=item.bordereau,
            number=item.number,
            chapitre=item.chapitre,
            article=item.article,
            fonction=item.fonction,
            object=item.object,
            payee=item.payee,
            amount=amount_out(item.amount),
            status=item.status,
            proposed_by=item.proposed_by,
            proposed_at=item.proposed_at,
            decided_by=item.decided_by,
            decided_at=item.decided_at,
            refusal=item.refusal,
            transaction_id=item.transaction_id,
        )
