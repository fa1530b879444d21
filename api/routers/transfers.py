"""Transfers between holder accounts, reading transactions, and reversing them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from sqlalchemy import Connection
from starlette.concurrency import run_in_threadpool

from api import db_calls
from api.access import CORRECTORS, EVERYONE, PAYERS
from api.deps import IdempotencyKey, LedgerDep, require
from api.problems import problem_responses
from api.routers.checks import scoped_key
from api.schemas.ledger import ReversalIn, TransactionOut, TransferIn
from monnaie_locale.auth import Principal
from monnaie_locale.auth.errors import NotYourTransaction
from monnaie_locale.model import Transaction, TransferRequest
from monnaie_locale.operations import transfers

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
    principal: Annotated[Principal, require(*PAYERS)],
    ledger: LedgerDep,
) -> TransactionOut:
    # The busiest route: a coroutine, so that the check and the posting share one
    # transaction and no worker thread (see api.db_calls).
    principal.check_move_from(body.payer)
    request = TransferRequest.simple(body.payer, body.payee, body.amount, memo=body.memo)
    key = scoped_key(principal, idempotency_key)

    def pay(conn: Connection) -> Transaction:
        return transfers.transfer(conn, request, idempotency_key=key, clock=ledger.clock)

    transaction = await db_calls.write(ledger.database, pay)
    if ledger.seals_after_commit:
        await run_in_threadpool(ledger.after_commit)
    return TransactionOut.of(transaction)


@router.get(
    "/transactions/{transaction_id}",
    summary="One transaction and its postings",
    responses=problem_responses(401, 403, 404, 422),
)
def get_transaction(
    transaction_id: TransactionId,
    principal: Annotated[Principal, require(*EVERYONE)],
    ledger: LedgerDep,
) -> TransactionOut:
    transaction = ledger.transaction(transaction_id)
    if not principal.sees_all_accounts and not any(
        posting.account in principal.accounts for posting in transaction.postings
    ):
        raise NotYourTransaction(f"transaction {transaction_id}")
    return TransactionOut.of(transaction)


@router.post(
    "/transactions/{transaction_id}/reversal",
    status_code=201,
    summary="Correct a transaction with its exact opposite (once)",
    responses=problem_responses(400, 401, 403, 404, 409, 413, 422),
)
def reverse_transaction(
    transaction_id: TransactionId,
    body: ReversalIn,
    idempotency_key: IdempotencyKey,
    principal: Annotated[Principal, require(*CORRECTORS)],
    ledger: LedgerDep,
) -> TransactionOut:
    key = scoped_key(principal, idempotency_key)
    reversal = ledger.database.write(
        lambda conn: transfers.reverse(
            conn, transaction_id, idempotency_key=key, clock=ledger.clock, memo=body.memo
        )
    )
    ledger.after_commit()
    return TransactionOut.of(reversal)
