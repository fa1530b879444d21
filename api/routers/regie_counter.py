"""A régie's counter: the sale a payer pays by QR, its status, and the quittances.

Authority people call these with the role ``authority_agent``; their duty at the régie is
the act's to check (403 ``not_your_regie``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from api.checkout_runtime import CheckoutDep
from api.deps import IdempotencyKey, acting
from api.problems import problem_responses
from api.schemas.common import IsoDate
from api.schemas.regie_counter import (
    QuittanceOut,
    SaleIn,
    SaleOut,
    SaleStatusOut,
    SignedQuittanceOut,
)
from monnaie_locale.acting import Context
from monnaie_locale.acts import regie_counter
from monnaie_locale.authorities.quittance_signing import signed_quittance

__all__ = ["router"]

router = APIRouter(prefix="/v1/regies", tags=["regies"])

RegieCode = Annotated[str, Path(min_length=1, max_length=60, examples=["bayonne-piscine"])]
RequestId = Annotated[str, Path(pattern=r"^[0-9a-f]{16}$", examples=["9f1c2a8e4d0b4a43"])]
Year = Annotated[int, Path(ge=2000, le=9999)]
Number = Annotated[int, Path(ge=1, le=2**31 - 1)]
READING = problem_responses(401, 403, 404, 422)


@router.post(
    "/{code}/sales",
    status_code=201,
    summary="Prepare a sale at the régie's counter: show its QR to the payer",
    description=(
        "A tariff of the régie, or an amount and its object. The euro part, paid by card "
        "or cash outside the service, is taken off what the QR asks and shown on the "
        "quittance; the payment's transaction names its reference."
    ),
    responses=problem_responses(400, 401, 403, 404, 409, 413, 422),
)
def prepare_sale(
    code: RegieCode,
    body: SaleIn,
    idempotency_key: IdempotencyKey,
    ctx: Annotated[Context, acting(regie_counter.prepare_sale)],
    runtime: CheckoutDep,
) -> SaleOut:
    sale = regie_counter.prepare_sale(
        ctx,
        code,
        tariff_id=body.tariff_id,
        amount=body.amount,
        object=body.object,
        euros=body.euros,
        euro_means=body.euro_means,
        euro_reference=body.euro_reference,
        payer_name=body.payer_name,
        key=idempotency_key,
    )
    return SaleOut.of(sale, host=runtime.public_host)


@router.get(
    "/{code}/sales/{request_id}",
    summary="Whether a sale is paid yet, and its quittance once it is",
    responses=READING,
)
def sale_status(
    code: RegieCode,
    request_id: RequestId,
    ctx: Annotated[Context, acting(regie_counter.sale_status)],
    runtime: CheckoutDep,
) -> SaleStatusOut:
    status = regie_counter.sale_status(ctx, code, request_id)
    return SaleStatusOut.of(status, host=runtime.public_host)


@router.get(
    "/{code}/quittances",
    summary="The régie's quittances from one day to another (the books' days), by number",
    responses=READING,
)
def list_quittances(
    code: RegieCode,
    ctx: Annotated[Context, acting(regie_counter.list_quittances)],
    start: Annotated[IsoDate | None, Query(alias="from")] = None,
    end: Annotated[IsoDate | None, Query(alias="to")] = None,
) -> list[QuittanceOut]:
    found = regie_counter.list_quittances(ctx, code, start=start, end=end)
    return [QuittanceOut.of(quittance, regie=code) for quittance in found]


@router.get(
    "/{code}/quittances/{year}/{number}",
    summary="One quittance, signed by the deployment's key",
    responses=READING,
)
def get_quittance(
    code: RegieCode,
    year: Year,
    number: Number,
    ctx: Annotated[Context, acting(regie_counter.get_quittance)],
) -> SignedQuittanceOut:
    quittance = regie_counter.get_quittance(ctx, code, year, number)
    return SignedQuittanceOut.model_validate(signed_quittance(quittance, regie=code))
