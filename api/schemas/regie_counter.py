"""Bodies of a régie's counter: the sale the payer pays by QR, and the quittances."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from api.schemas.common import TEXT_PATTERN, RequestBody, ResponseBody, RowId
from api.schemas.money import AmountIn, AmountOut, CountedAmountIn, amount_out
from api.schemas.operations import example
from monnaie_locale.authorities.quittances import Quittance
from monnaie_locale.authorities.sales import Sale, SaleStatus
from monnaie_locale.checkout.requests import ShownStatus

__all__ = ["QuittanceOut", "SaleIn", "SaleOut", "SaleStatusOut", "SignedQuittanceOut"]


class SaleIn(RequestBody):
    """A tariff of the régie, or an amount and its object; the euro part is optional."""

    model_config = example(tariff_id=1, euros="1.50", euro_means="card", euro_reference="CB-8841")

    tariff_id: RowId | None = Field(default=None, examples=[1])
    amount: AmountIn | None = Field(default=None, description="The whole price.")
    object: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        pattern=TEXT_PATTERN,
        examples=["Entrée piscine, plein tarif"],
    )
    euros: CountedAmountIn = Field(
        default=0, description="The part of the price paid in euros outside the service."
    )
    euro_means: Literal["card", "cash"] | None = None
    euro_reference: str | None = Field(
        default=None, min_length=1, max_length=140, pattern=TEXT_PATTERN, examples=["CB-8841"]
    )
    payer_name: str | None = Field(default=None, min_length=1, max_length=200, pattern=TEXT_PATTERN)


class QuittanceOut(ResponseBody):
    regie: str
    year: int
    number: int
    label: str = Field(examples=["2026-000042"])
    issued_at: datetime
    object: str
    payer_name: str = Field(description='The payer, or "anonyme" where the régie names none.')
    units: AmountOut = Field(description="The part paid in local units, by the ledger.")
    euros: AmountOut = Field(description="The part paid in euros outside the service.")
    euro_means: str | None
    euro_reference: str | None
    transaction_id: int
    signed: bool

    @classmethod
    def of(cls, quittance: Quittance, *, regie: str) -> QuittanceOut:
        return cls(
            regie=regie,
            year=quittance.year,
            number=quittance.number,
            label=quittance.label,
            issued_at=quittance.issued_at,
            object=quittance.object,
            payer_name=quittance.payer_name,
            units=amount_out(quittance.units),
            euros=amount_out(quittance.euros),
            euro_means=quittance.euro_means,
            euro_reference=quittance.euro_reference,
            transaction_id=quittance.transaction_id,
            signed=quittance.signature is not None,
        )


class SaleOut(ResponseBody):
    regie: str
    request_id: str
    token: str
    url: str = Field(description="What the QR shown to the payer says.")
    units: AmountOut = Field(description="What the QR asks, in local units.")
    euros: AmountOut
    euro_means: str | None
    euro_reference: str | None
    object: str
    payer_name: str | None
    expires_at: datetime

    @classmethod
    def of(cls, sale: Sale, *, host: str) -> SaleOut:
        return cls(
            regie=sale.regie,
            request_id=sale.request_id,
            token=sale.token,
            url=sale.url(host=host),
            units=amount_out(sale.units),
            euros=amount_out(sale.euros),
            euro_means=sale.euro_means,
            euro_reference=sale.euro_reference,
            object=sale.object,
            payer_name=sale.payer_name,
            expires_at=sale.expires_at,
        )


class SaleStatusOut(ResponseBody):
    sale: SaleOut
    status: ShownStatus
    quittance: QuittanceOut | None

    @classmethod
    def of(cls, status: SaleStatus, *, host: str) -> SaleStatusOut:
        quittance = status.quittance
        return cls(
            sale=SaleOut.of(status.sale, host=host),
            status=status.status,
            quittance=None
            if quittance is None
            else QuittanceOut.of(quittance, regie=status.sale.regie),
        )


class SignedQuittanceOut(ResponseBody):
    """The quittance as signed: check it with the keys of ``GET /v1/checkout/keys``."""

    quittance: dict[str, Any] = Field(description="The signed fields; amounts in minor units.")
    kid: str | None
    signature: str | None = Field(description="Ed25519 over the fields' canonical JSON.")
