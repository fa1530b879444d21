"""Conversions: euros in, units issued, by bank transfer order, card or cash at an office."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from sqlalchemy import Connection

from api.access import EVERYONE
from api.deps import ClockDep, DatabaseDep, IdempotencyKey, require
from api.problems import problem_responses
from api.routers.checks import scoped_key
from api.routers.operations_common import (
    HOLDERS,
    OFFICE_STAFF,
    OPERATORS,
    DeploymentDep,
    check_office,
    keyed,
)
from api.schemas.common import RowIdInPath
from api.schemas.operations import (
    CardConversionIn,
    CashConversionIn,
    ConversionOrderIn,
    ConversionOut,
    OrderCreditIn,
)
from monnaie_locale.auth import Principal
from monnaie_locale.operations import conversion

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
    principal: Annotated[Principal, require(*HOLDERS)],
    database: DatabaseDep,
    deployment: DeploymentDep,
    clock: ClockDep,
) -> ConversionOut:
    principal.check_move_from(body.account)
    key = scoped_key(principal, idempotency_key)
    order = database.write(
        lambda conn: conversion.order_conversion(
            conn,
            deployment,
            account=body.account,
            amount=body.amount,
            idempotency_key=key,
            clock=clock,
        )
    )
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
    principal: Annotated[Principal, require(*OPERATORS)],
    database: DatabaseDep,
    deployment: DeploymentDep,
    clock: ClockDep,
) -> ConversionOut:
    def credit(conn: Connection) -> conversion.Conversion:
        return conversion.credit_conversion_order(
            conn,
            deployment,
            reference=reference,
            amount=body.amount,
            bank_reference=body.bank_reference,
            clock=clock,
        )

    request = f"credit|{reference}|{body.model_dump_json()}"
    order = database.write(keyed(principal, idempotency_key, request, credit, clock=clock))
    return ConversionOut.of(order)


@router.post(
    "/orders/{reference}/cancel",
    summary="Cancel a pending order (the transfer never came, or came back)",
    responses=problem_responses(401, 403, 404, 409, 422),
)
def cancel_order(
    reference: OrderReference,
    _principal: Annotated[Principal, require(*OPERATORS)],
    database: DatabaseDep,
    clock: ClockDep,
) -> ConversionOut:
    order = database.write(
        lambda conn: conversion.cancel_conversion_order(conn, reference=reference, clock=clock)
    )
    return ConversionOut.of(order)


@router.post(
    "/card",
    status_code=201,
    summary="Issue units paid by card (the card payment's reference is used once)",
    responses=MOVING,
)
def convert_by_card(
    body: CardConversionIn,
    idempotency_key: IdempotencyKey,
    principal: Annotated[Principal, require(*OFFICE_STAFF)],
    database: DatabaseDep,
    deployment: DeploymentDep,
    clock: ClockDep,
) -> ConversionOut:
    key = scoped_key(principal, idempotency_key)
    done = database.write(
        lambda conn: conversion.convert_by_card(
            conn,
            deployment,
            account=body.account,
            amount=body.amount,
            payment_reference=body.payment_reference,
            idempotency_key=key,
            clock=clock,
        )
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
    principal: Annotated[Principal, require(*OFFICE_STAFF)],
    database: DatabaseDep,
    deployment: DeploymentDep,
    clock: ClockDep,
) -> ConversionOut:
    check_office(principal, body.office)
    key = scoped_key(principal, idempotency_key)
    done = database.write(
        lambda conn: conversion.convert_cash(
            conn,
            deployment,
            office=body.office,
            account=body.account,
            amount=body.amount,
            idempotency_key=key,
            clock=clock,
        )
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
    principal: Annotated[Principal, require(*EVERYONE)],
    database: DatabaseDep,
) -> ConversionOut:
    found = database.read(lambda conn: conversion.load_conversion(conn, conversion_id))
    principal.check_read(found.account)
    return ConversionOut.of(found)
