"""The QR checkout over HTTP: issue payment requests, show their QR, pay them, refund.

A merchant's owner or cashier (or a terminal's API key) issues a request and shows its QR;
a payer's app sends the scanned text to ``POST /v1/checkout/pay``. Every route calls one
act of :mod:`monnaie_locale.acts.checkout`, which says who may do it, owns its
transaction and wakes the merchant's live pages after the commit; the route only reads
the request and renders what the act returns.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response

from api.checkout_runtime import CheckoutDep
from api.deps import IdempotencyKey, Public, SettingsDep, acting
from api.payment_limit import limit_payments
from api.problems import problem_responses
from api.schemas.checkout import (
    DynamicRequestIn,
    PayIn,
    PaymentOut,
    RefundIn,
    RefundOut,
    RequestOut,
    StaticCodeIn,
)
from monnaie_locale.acting import Context
from monnaie_locale.acts import checkout

__all__ = ["router"]

router = APIRouter(prefix="/v1/checkout", tags=["checkout"])

RequestId = Annotated[str, Path(pattern=r"^[0-9a-f]{16}$", examples=["9f1c2a8e4d0b4a43"])]
PaymentId = Annotated[int, Path(ge=1, le=2**63 - 1)]
_SVG = "image/svg+xml"


@router.get(
    "/keys",
    dependencies=[Public],
    summary="The public keys (JWK Set) that verify payment requests and receipts",
)
def signing_keys(runtime: CheckoutDep) -> dict[str, list[dict[str, str]]]:
    return runtime.keyring.jwks()


@router.post(
    "/requests",
    status_code=201,
    summary="Issue a single-use payment request for one sale; show its QR to the payer",
    responses=problem_responses(400, 401, 403, 404, 409, 413, 422),
)
def issue_request(
    body: DynamicRequestIn,
    idempotency_key: IdempotencyKey,
    ctx: Annotated[Context, acting(checkout.issue_request)],
    runtime: CheckoutDep,
) -> RequestOut:
    issued = checkout.issue_request(
        ctx,
        body.account,
        body.amount,
        key=idempotency_key,
        services=runtime,
        reference=body.reference,
        ttl=timedelta(seconds=body.ttl_seconds),
    )
    return RequestOut.of(issued, host=runtime.public_host, now=ctx.clock())


@router.post(
    "/static-codes",
    status_code=201,
    summary="Issue a counter code the payer types the amount into; print its A6 sheet",
    responses=problem_responses(400, 401, 403, 404, 409, 413, 422),
)
def issue_static_code(
    body: StaticCodeIn,
    idempotency_key: IdempotencyKey,
    ctx: Annotated[Context, acting(checkout.issue_static_code)],
    runtime: CheckoutDep,
) -> RequestOut:
    issued = checkout.issue_static_code(
        ctx, body.account, key=idempotency_key, services=runtime, reference=body.reference
    )
    return RequestOut.of(issued, host=runtime.public_host, now=ctx.clock())


@router.get(
    "/requests/{request_id}",
    summary="A payment request of the caller's shop, with its status",
    responses=problem_responses(401, 403, 404, 422),
)
def read_request(
    request_id: RequestId,
    ctx: Annotated[Context, acting(checkout.get_request)],
    runtime: CheckoutDep,
) -> RequestOut:
    issued = checkout.get_request(ctx, request_id)
    return RequestOut.of(issued, host=runtime.public_host, now=ctx.clock())


@router.get(
    "/requests/{request_id}/qr.png",
    summary="The request's QR code as a PNG, for a screen",
    response_class=Response,
    responses={200: {"content": {"image/png": {}}}, **problem_responses(401, 403, 404, 422)},
)
def request_png(
    request_id: RequestId,
    ctx: Annotated[Context, acting(checkout.get_request)],
    runtime: CheckoutDep,
) -> Response:
    issued = checkout.get_request(ctx, request_id)
    return Response(issued.png(host=runtime.public_host), media_type="image/png")


@router.get(
    "/requests/{request_id}/qr.svg",
    summary="The request's QR code as SVG, for print or a page",
    response_class=Response,
    responses={200: {"content": {_SVG: {}}}, **problem_responses(401, 403, 404, 422)},
)
def request_svg(
    request_id: RequestId,
    ctx: Annotated[Context, acting(checkout.get_request)],
    runtime: CheckoutDep,
) -> Response:
    issued = checkout.get_request(ctx, request_id)
    return Response(issued.svg(host=runtime.public_host), media_type=_SVG)


@router.get(
    "/requests/{request_id}/sheet.svg",
    summary="The A6 sheet of a counter code, naming the merchant, to print",
    response_class=Response,
    responses={200: {"content": {_SVG: {}}}, **problem_responses(401, 403, 404, 422)},
)
def request_sheet(
    request_id: RequestId,
    ctx: Annotated[Context, acting(checkout.get_static_code)],
    runtime: CheckoutDep,
    settings: SettingsDep,
) -> Response:
    issued = checkout.get_static_code(ctx, request_id)
    sheet = issued.sheet_svg(host=runtime.public_host, currency_name=settings.currency_name)
    return Response(sheet, media_type=_SVG)


@router.post(
    "/requests/{request_id}/cancel",
    summary="Withdraw an open request; a paid one cannot be cancelled (refund it instead)",
    responses=problem_responses(401, 403, 404, 409, 422),
)
def cancel(
    request_id: RequestId,
    ctx: Annotated[Context, acting(checkout.cancel_request)],
    runtime: CheckoutDep,
) -> RequestOut:
    cancelled = checkout.cancel_request(ctx, request_id)
    return RequestOut.of(cancelled, host=runtime.public_host, now=ctx.clock())


@router.post(
    "/pay",
    status_code=201,
    summary="Pay a scanned payment request from an account the caller holds",
    dependencies=[Depends(limit_payments)],
    responses=problem_responses(400, 401, 403, 404, 409, 413, 422, 429),
)
async def pay(
    body: PayIn,
    idempotency_key: IdempotencyKey,
    ctx: Annotated[Context, acting(checkout.pay_async)],
    runtime: CheckoutDep,
) -> PaymentOut:
    # On a payer's phone at a busy till: a coroutine, so that no worker thread is taken
    # where none is needed (see Context.write_async).
    payment = await checkout.pay_async(
        ctx,
        body.request,
        key=idempotency_key,
        services=runtime,
        payer=body.payer,
        amount=body.amount,
    )
    return PaymentOut.of(payment)


@router.get(
    "/payments/{payment_id}",
    summary="A payment to the caller's shop, with what was refunded",
    responses=problem_responses(401, 403, 404, 422),
)
def read_payment(
    payment_id: PaymentId, ctx: Annotated[Context, acting(checkout.get_payment)]
) -> PaymentOut:
    return PaymentOut.of(checkout.get_payment(ctx, payment_id))


@router.post(
    "/payments/{payment_id}/refunds",
    status_code=201,
    summary="Pay back part or all of a payment to its payer (a cashier within a daily limit)",
    dependencies=[Depends(limit_payments)],
    responses=problem_responses(400, 401, 403, 404, 409, 413, 422, 429),
)
def refund(
    payment_id: PaymentId,
    body: RefundIn,
    idempotency_key: IdempotencyKey,
    ctx: Annotated[Context, acting(checkout.refund)],
    runtime: CheckoutDep,
) -> RefundOut:
    booked = checkout.refund(ctx, payment_id, body.amount, key=idempotency_key, services=runtime)
    return RefundOut.of(booked)
