"""Transfers between holder accounts, reading transactions, and reversing them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from api.deps import IdempotencyKey, acting
from api.problems import problem_responses
from api.schemas.ledger import ReversalIn, TransactionOut, TransferIn
from monnaie_locale.acting import Context
from monnaie_locale.acts import transfers

router = APIRouter(prefix="/v1", tags=["transfers"])

TransactionId = Annotated[int, Path(ge=1, le=2**63 - 1)]


@router.post(
    "/transfers",
    status_code=201,
    summary="Move an amount from an account the caller holds to another account",
    responses=problem_responses(400, 401, 403, 404, 409, 413, 422),
)
async def create_transfer(
    body: TransferIn,
    idempotency_key: IdempotencyKey,
    ctx: Annotated[Context, acting(transfers.transfer_async)],
) -> TransactionOut:
    # The busiest route: a coroutine, so that no worker thread is taken where none is
    # needed (see Context.write_async).
    transaction = await transfers.transfer_async(
        ctx, body.payer, body.payee, body.amount, key=idempotency_key, memo=body.memo
    )
    return TransactionOut.of(transaction)


@router.get(
    "/transactions/{transaction_id}",
    summary="One transaction and its postings",
    responses=problem_responses(401, 403, 404, 422),
)
def get_transaction(
    transaction_id: TransactionId,
    ctx: Annotated[Context, acting(transfers.get_transaction)],
) -> TransactionOut:
    return TransactionOut.of(transfers.get_transaction(ctx, transaction_id))


@router.post(
    "/transactions/{transaction_id}/reversal",
    status_code=201,
    summary="Correct a plain transfer with its exact opposite (once)",
    responses=problem_responses(400, 401, 403, 404, 409, 413, 422),
)
def reverse_transaction(
    transaction_id: TransactionId,
    body: ReversalIn,
    idempotency_key: IdempotencyKey,
    ctx: Annotated[Context, acting(transfers.reverse)],
) -> TransactionOut:
    reversal = transfers.reverse(ctx, transaction_id, key=idempotency_key, memo=body.memo)
    return TransactionOut.of(reversal)
