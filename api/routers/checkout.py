"""The QR checkout over HTTP: issue payment requests, show their QR, pay them, refund.

A merchant's owner or cashier (or a terminal's API key) issues a request and shows its QR;
a payer's app sends the scanned text to ``POST /v1/checkout/pay``. Every route runs one use
case of :mod:`monnaie_locale.checkout` in one database transaction, then wakes the
merchant's live pages (after the commit, so a page never reads before the event exists).
A request or payment of another merchant is reported as unknown, so ids cannot be probed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response
from sqlalchemy import Connection

from api.access import PAYERS
from api.checkout_runtime import CheckoutDep, CheckoutRuntime
from api.deps import ClockDep, DatabaseDep, IdempotencyKey, Public, SettingsDep, require
from api.payment_limit import limit_payments
from api.problems import problem_responses
from api.routers.checks import scoped_key
from api.schemas.checkout import (
    DynamicRequestIn,
    PayIn,
    PaymentOut,
    RefundIn,
    RefundOut,
    RequestOut,
    StaticCodeIn,
)
from monnaie_locale import checkout
from monnaie_locale.auth import Principal, Role
from monnaie_locale.checkout.errors import UnknownPayment, UnknownPaymentRequest
from monnaie_locale.clock import Clock
from monnaie_locale.errors import InvalidRequest
from monnaie_locale.ledger.idempotency import claim_key, record_result
from monnaie_locale.payments.request import RequestKind

__all__ = ["ISSUERS", "REFUNDERS", "router"]

router = APIRouter(prefix="/v1/checkout", tags=["checkout"])

# Those who stand at the till: the shop's owner, its cashiers and its terminals' keys.
ISSUERS = (Role.MERCHANT_OWNER, Role.MERCHANT_CASHIER)
# A cashier refunds within a daily limit (settings); the owner up to what was paid.
REFUNDERS = ISSUERS

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
    principal: Annotated[Principal, require(*ISSUERS)],
    database: DatabaseDep,
    runtime: CheckoutDep,
    clock: ClockDep,
) -> RequestOut:
    principal.check_move_from(body.account)

    def make(conn: Connection) -> checkout.IssuedRequest:
        return checkout.issue_dynamic(
            conn,
            merchant_account=body.account,
            amount=body.amount,
            reference=body.reference,
            ttl=timedelta(seconds=body.ttl_seconds),
            keyring=runtime.keyring,
            deployment_id=runtime.deployment_id,
            clock=clock,
        )

    issued = database.write(
        lambda conn: _once(
            conn, principal, idempotency_key, body.model_dump_json(), make=make, clock=clock
        )
    )
    return RequestOut.of(issued, host=runtime.public_host, now=clock())


@router.post(
    "/static-codes",
    status_code=201,
    summary="Issue a counter code the payer types the amount into; print its A6 sheet",
    responses=problem_responses(400, 401, 403, 404, 409, 413, 422),
)
def issue_static_code(
    body: StaticCodeIn,
    idempotency_key: IdempotencyKey,
    principal: Annotated[Principal, require(Role.MERCHANT_OWNER)],
    database: DatabaseDep,
    runtime: CheckoutDep,
    clock: ClockDep,
) -> RequestOut:
    principal.check_move_from(body.account)

    def make(conn: Connection) -> checkout.IssuedRequest:
        return checkout.issue_static(
            conn,
            merchant_account=body.account,
            reference=body.reference,
            keyring=runtime.keyring,
            deployment_id=runtime.deployment_id,
            clock=clock,
        )

    issued = database.write(
        lambda conn: _once(
            conn, principal, idempotency_key, "static:" + body.model_dump_json(), make, clock
        )
    )
    return RequestOut.of(issued, host=runtime.public_host, now=clock())


@router.get(
    "/requests/{request_id}",
    summary="A payment request of the caller's shop, with its status",
    responses=problem_responses(401, 403, 404, 422),
)
def read_request(
    request_id: RequestId,
    principal: Annotated[Principal, require(*ISSUERS)],
    database: DatabaseDep,
    runtime: CheckoutDep,
    clock: ClockDep,
) -> RequestOut:
    issued = _own_request(database, principal, request_id)
    return RequestOut.of(issued, host=runtime.public_host, now=clock())


@router.get(
    "/requests/{request_id}/qr.png",
    summary="The request's QR code as a PNG, for a screen",
    response_class=Response,
    responses={200: {"content": {"image/png": {}}}, **problem_responses(401, 403, 404, 422)},
)
def request_png(
    request_id: RequestId,
    principal: Annotated[Principal, require(*ISSUERS)],
    database: DatabaseDep,
    runtime: CheckoutDep,
) -> Response:
    issued = _own_request(database, principal, request_id)
    return Response(issued.png(host=runtime.public_host), media_type="image/png")


@router.get(
    "/requests/{request_id}/qr.svg",
    summary="The request's QR code as SVG, for print or a page",
    response_class=Response,
    responses={200: {"content": {_SVG: {}}}, **problem_responses(401, 403, 404, 422)},
)
def request_svg(
    request_id: RequestId,
    principal: Annotated[Principal, require(*ISSUERS)],
    database: DatabaseDep,
    runtime: CheckoutDep,
) -> Response:
    issued = _own_request(database, principal, request_id)
    return Response(issued.svg(host=runtime.public_host), media_type=_SVG)


@router.get(
    "/requests/{request_id}/sheet.svg",
    summary="The A6 sheet of a counter code, naming the merchant, to print",
    response_class=Response,
    responses={200: {"content": {_SVG: {}}}, **problem_responses(401, 403, 404, 422)},
)
def request_sheet(
    request_id: RequestId,
    principal: Annotated[Principal, require(*ISSUERS)],
    database: DatabaseDep,
    runtime: CheckoutDep,
    settings: SettingsDep,
) -> Response:
    issued = _own_request(database, principal, request_id)
    if issued.kind is not RequestKind.STATIC:
        raise InvalidRequest("the printable sheet is for counter codes; show this one on screen")
    sheet = issued.sheet_svg(host=runtime.public_host, currency_name=settings.currency_name)
    return Response(sheet, media_type=_SVG)


@router.post(
    "/requests/{request_id}/cancel",
    summary="Withdraw an open request; a paid one cannot be cancelled (refund it instead)",
    responses=problem_responses(401, 403, 404, 409, 422),
)
def cancel(
    request_id: RequestId,
    principal: Annotated[Principal, require(*ISSUERS)],
    database: DatabaseDep,
    runtime: CheckoutDep,
    clock: ClockDep,
) -> RequestOut:
    issued = _own_request(database, principal, request_id)
    cancelled = database.write(
        lambda conn: checkout.cancel_request(
            conn, request_id, merchant_account=issued.merchant_account
        )
    )
    return RequestOut.of(cancelled, host=runtime.public_host, now=clock())


@router.post(
    "/pay",
    status_code=201,
    summary="Pay a scanned payment request from an account the caller holds",
    dependencies=[Depends(limit_payments)],
    responses=problem_responses(400, 401, 403, 404, 409, 413, 422, 429),
)
def pay(
    body: PayIn,
    idempotency_key: IdempotencyKey,
    principal: Annotated[Principal, require(*PAYERS)],
    database: DatabaseDep,
    runtime: CheckoutDep,
    clock: ClockDep,
) -> PaymentOut:
    payer = body.payer if body.payer is not None else _only_account(principal)
    principal.check_move_from(payer)
    payment = database.write(
        lambda conn: checkout.pay(
            conn,
            body.request,
            payer_account=payer,
            amount=body.amount,
            idempotency_key=scoped_key(principal, idempotency_key),
            keyring=runtime.keyring,
            deployment_id=runtime.deployment_id,
            clock=clock,
        )
    )
    runtime.notifier.publish(payment.merchant_account_id)
    return PaymentOut.of(payment)


@router.get(
    "/payments/{payment_id}",
    summary="A payment to the caller's shop, with what was refunded",
    responses=problem_responses(401, 403, 404, 422),
)
def read_payment(
    payment_id: PaymentId,
    principal: Annotated[Principal, require(*REFUNDERS)],
    database: DatabaseDep,
) -> PaymentOut:
    return PaymentOut.of(_own_payment(database, principal, payment_id))


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
    principal: Annotated[Principal, require(*REFUNDERS)],
    database: DatabaseDep,
    runtime: CheckoutDep,
    clock: ClockDep,
) -> RefundOut:
    _own_payment(database, principal, payment_id)
    booked = database.write(
        lambda conn: checkout.refund(
            conn,
            payment_id,
            amount=body.amount,
            idempotency_key=scoped_key(principal, idempotency_key),
            keyring=runtime.keyring,
            clock=clock,
            cashier=_allowance(principal, runtime),
        )
    )
    runtime.notifier.publish(booked.merchant_account_id)
    return RefundOut.of(booked)


def _allowance(principal: Principal, runtime: CheckoutRuntime) -> checkout.CashierAllowance | None:
    """A cashier refunds alone within a daily limit per credential; the owner is not limited."""
    if principal.role is not Role.MERCHANT_CASHIER:
        return None
    return checkout.CashierAllowance(
        subject=principal.subject, daily_limit=runtime.cashier_refund_limit
    )


def _once(
    conn: Connection,
    principal: Principal,
    key: str,
    fingerprint: str,
    make: Callable[[Connection], checkout.IssuedRequest],
    clock: Clock,
) -> checkout.IssuedRequest:
    """Issue once per idempotency key: a retry gets the request the first call issued."""
    scoped = "checkout:issue:" + scoped_key(principal, key)
    claim = claim_key(conn, scoped, fingerprint=fingerprint, now=clock())
    if not claim.fresh:
        return checkout.get_request(conn, claim.result_ref)
    issued = make(conn)
    record_result(conn, scoped, issued.request_id)
    return issued


def _own_request(
    database: DatabaseDep, principal: Principal, request_id: str
) -> checkout.IssuedRequest:
    issued = database.read(lambda conn: checkout.get_request(conn, request_id))
    if not principal.may_move_from(issued.merchant_account):
        raise UnknownPaymentRequest(request_id)
    return issued


def _own_payment(database: DatabaseDep, principal: Principal, payment_id: int) -> checkout.Payment:
    payment = database.read(lambda conn: checkout.get_payment(conn, payment_id))
    if not principal.may_move_from(payment.merchant_account):
        raise UnknownPayment(payment_id)
    return payment


def _only_account(principal: Principal) -> str:
    if len(principal.accounts) != 1:
        raise InvalidRequest(
            "name the paying account in `payer`: you hold "
            + (json.dumps(sorted(principal.accounts)) if principal.accounts else "no account")
        )
    return next(iter(principal.accounts))
