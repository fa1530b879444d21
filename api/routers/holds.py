"""Holds: reserve an amount now, post it (in full or in part) or void it later."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from api.deps import IdempotencyKey, acting
from api.problems import problem_responses
from api.schemas.ledger import HoldIn, HoldOut, HoldPostIn, TransactionOut
from monnaie_locale.acting import Context
from monnaie_locale.acts import transfers

router = APIRouter(prefix="/v1/holds", tags=["holds"])

HoldId = Annotated[int, Path(ge=1, le=2**63 - 1)]


@router.post(
    "",
    status_code=201,
    summary="Reserve an amount on an account the caller holds, for a later payment",
    responses=problem_responses(400, 401, 403, 404, 409, 413, 422),
)
def create_hold(
    body: HoldIn,
    idempotency_key: IdempotencyKey,
    ctx: Annotated[Context, acting(transfers.place_hold)],
) -> HoldOut:
    hold = transfers.place_hold(
        ctx,
        body.payer,
        body.payee,
        body.amount,
        key=idempotency_key,
        expires_at=body.expires_at,
        memo=body.memo,
    )
    return HoldOut.of(hold)


@router.get(
    "/{hold_id}",
    summary="One hold",
    responses=problem_responses(401, 403, 404, 422),
)
def get_hold(hold_id: HoldId, ctx: Annotated[Context, acting(transfers.get_hold)]) -> HoldOut:
    return HoldOut.of(transfers.get_hold(ctx, hold_id))


@router.post(
    "/{hold_id}/post",
    status_code=201,
    summary="Turn a pending hold into a payment, of all or part of its amount",
    responses=problem_responses(400, 401, 403, 404, 409, 413, 422),
)
def post_hold(
    hold_id: HoldId,
    idempotency_key: IdempotencyKey,
    ctx: Annotated[Context, acting(transfers.post_hold)],
    body: HoldPostIn | None = None,
) -> TransactionOut:
    amount = None if body is None else body.amount
    return TransactionOut.of(transfers.post_hold(ctx, hold_id, key=idempotency_key, amount=amount))


@router.post(
    "/{hold_id}/void",
    summary="Release a pending hold without moving money",
    responses=problem_responses(401, 403, 404, 409, 422),
)
def void_hold(hold_id: HoldId, ctx: Annotated[Context, acting(transfers.void_hold)]) -> HoldOut:
    return HoldOut.of(transfers.void_hold(ctx, hold_id))
