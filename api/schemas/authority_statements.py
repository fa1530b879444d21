"""The yearly statements of a régie or of an authority's account, as JSON."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from api.schemas.common import ResponseBody
from api.schemas.money import AmountOut, amount_out
from monnaie_locale.acts.authority_statements import YearStatement

__all__ = ["YearStatementOut"]


class QuittanceLineOut(ResponseBody):
    number: str = Field(examples=["2026-000042"])
    issued_at: datetime
    object: str
    payer: str = Field(description='The payer\'s name, or "anonyme".')
    units: AmountOut
    euros: AmountOut = Field(description="The part paid in euros outside the service.")


class VersementLineOut(ResponseBody):
    number: str = Field(examples=["2026-0003"])
    prepared_at: datetime
    units: AmountOut
    fee: AmountOut
    euros: AmountOut = Field(description="What the public accountant receives: units - fee.")
    reason: str = Field(examples=["period"])


class MandateLineOut(ResponseBody):
    exercice: int
    bordereau: str
    number: str
    chapitre: str
    article: str
    fonction: str
    object: str
    payee: str
    amount: AmountOut
    paid_at: datetime
    transaction_id: int


class MovementLineOut(ResponseBody):
    transaction_id: int
    created_at: datetime
    kind: str
    memo: str
    counterparty: str
    amount: AmountOut = Field(description="Positive: the account received it.")


class YearStatementOut(ResponseBody):
    kind: Literal["regie", "authority"]
    code: str
    name: str
    authority: str
    authority_name: str
    account: str
    currency: str
    year: int
    zone: str = Field(description="The books' time zone: the year's days are its.")
    complete: bool = Field(description="False while the year has not ended.")
    printed_at: datetime
    treasury_name: str
    treasury_iban: str
    opening: AmountOut = Field(description="The account's balance in the ledger.")
    closing: AmountOut
    in_transit_opening: AmountOut = Field(
        description="A régie's: of the opening balance, what versements prepared but not "
        "yet paid to the Trésor held."
    )
    in_transit_closing: AmountOut
    collected: AmountOut = Field(description="A régie's quittances, in units.")
    paid_in: AmountOut = Field(description="A régie's versements, in units.")
    mandated: AmountOut = Field(description="An authority's mandates paid.")
    quittances: list[QuittanceLineOut]
    versements: list[VersementLineOut]
    mandates: list[MandateLineOut]
    others: list[MovementLineOut]

    @classmethod
    def of(cls, s: YearStatement) -> YearStatementOut:
        return cls(
            kind=s.kind,
            code=s.code,
            name=s.name,
            authority=s.authority,
            authority_name=s.authority_name,
            account=s.account,
            currency=s.currency,
            year=s.year,
            zone=s.zone,
            complete=s.complete,
            printed_at=s.printed_at,
            treasury_name=s.treasury_name,
            treasury_iban=s.treasury_iban,
            opening=amount_out(s.opening),
            closing=amount_out(s.closing),
            in_transit_opening=amount_out(s.in_transit_opening),
            in_transit_closing=amount_out(s.in_transit_closing),
            collected=amount_out(s.collected),
            paid_in=amount_out(s.paid_in),
            mandated=amount_out(s.mandated),
            quittances=[
                QuittanceLineOut(
                    number=q.number,
                    issued_at=q.issued_at,
                    object=q.object,
                    payer=q.payer,
                    units=amount_out(q.units),
                    euros=amount_out(q.euros),
                )
                for q in s.quittances
            ],
            versements=[
                VersementLineOut(
                    number=v.number,
                    prepared_at=v.prepared_at,
                    units=amount_out(v.units),
                    fee=amount_out(v.fee),
                    euros=amount_out(v.euros),
                    reason=v.reason,
                )
                for v in s.versements
            ],
            mandates=[
                MandateLineOut(
                    exercice=m.exercice,
                    bordereau=m.bordereau,
                    number=m.number,
                    chapitre=m.chapitre,
                    article=m.article,
                    fonction=m.fonction,
                    object=m.object,
                    payee=m.payee,
                    amount=amount_out(m.amount),
                    paid_at=m.paid_at,
                    transaction_id=m.transaction_id,
                )
                for m in s.mandates
            ],
            others=[
                MovementLineOut(
                    transaction_id=o.transaction_id,
                    created_at=o.created_at,
                    kind=o.kind,
                    memo=o.memo,
                    counterparty=o.counterparty,
                    amount=amount_out(o.amount),
                )
                for o in s.others
            ],
        )
