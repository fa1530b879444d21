"""Conversions: euros in, units issued, by bank transfer order, card or cash at an office."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from api.deps import IdempotencyKey, acting
from api.problems import problem_responses
from api.schemas.common import RowIdInPath
from api.schemas.operations import (
    CardConversionIn,
    CashConversionIn,
    ConversionOrderIn,
    ConversionOut,
    OrderCreditIn,
)
from monnaie_locale.acting import Context
from monnaie_locale.acts import conversions

router = APIRouter(prefix="/v1/conversions", tags=["conversions"])

OrderReference = Annotated[str, Path(min_length=1, max_length=60, pattern=r"^[A-Za-z0-9-]+$")]
MOVING = problem_responses(400, 401, 403, 404, 409, 413, 422)


@router.post(
    "/orders",
    status_code=201,
    summary="Order a conversion by bank transfer; put the returned reference on the transfer",
    responses=MOVING,
)
def order_conversion(
    body: ConversionOrderIn,
    idempotency_key: IdempotencyKey,
    ctx: Annotated[Context, acting(conversions.order_conversion)],
) -> ConversionOut:
    order = conversions.order_conversion(ctx, body.account, body.amount, key=idempotency_key)
    return ConversionOut.of(order)


@router.post(
    "/orders/{reference}/credit",
    summary="Issue the units of an order whose transfer reached the bank",
    description="Crediting again with the same bank reference returns the credited order "
    "and moves nothing.",
    responses=MOVING,
)
def credit_order(
    reference: OrderReference,
    body: OrderCreditIn,
    idempotency_key: IdempotencyKey,
    ctx: Annotated[Context, acting(conversions.credit_order)],
) -> ConversionOut:
    order = conversions.credit_order(
        ctx,
        reference,
        amount=body.amount,
        bank_reference=body.bank_reference,
        key=idempotency_key,
        on=body.on,
    )
    return ConversionOut.of(order)


@router.post(
    "/orders/{reference}/cancel",
    summary="Cancel a pending order (the transfer never came, or came back)",
    responses=problem_responses(401, 403, 404, 409, 422),
)
def cancel_order(
    reference: OrderReference,
    ctx: Annotated[Context, acting(conversions.cancel_order)],
) -> ConversionOut:
    return ConversionOut.of(conversions.cancel_order(ctx, reference))


@router.post(
    "/card",
    status_code=201,
    summary="Issue units paid by card (the card payment's reference is used once)",
    responses=MOVING,
)
def convert_by_card(
    body: CardConversionIn,
    idempotency_key: IdempotencyKey,
    ctx: Annotated[Context, acting(conversions.convert_by_card)],
) -> ConversionOut:
    done = conversions.convert_by_card(
        ctx,
        body.account,
        body.amount,
        payment_reference=body.payment_reference,
        key=idempotency_key,
    )
    return ConversionOut.of(done)


@router.post(
    "/cash",
    status_code=201,
    summary="Issue units for euros paid in cash at an exchange office",
    responses=MOVING,
)
def convert_cash(
    body: CashConversionIn,
    idempotency_key: IdempotencyKey,
    ctx: Annotated[Context, acting(conversions.convert_cash)],
) -> ConversionOut:
    done = conversions.convert_cash(
        ctx, body.office, body.account, body.amount, key=idempotency_key, on=body.on
    )
    return ConversionOut.of(done)


@router.get(
    # Digits only, so that GET /v1/conversions/card meets the POST route's 405.
    "/{conversion_id:int}",
    summary="One conversion",
    responses=problem_responses(401, 403, 404, 422),
)
def get_conversion(
    conversion_id: RowIdInPath,
    ctx: Annotated[Context, acting(conversions.get_conversion)],
) -> ConversionOut:
    return ConversionOut.of(conversions.get_conversion(ctx, conversion_id))
