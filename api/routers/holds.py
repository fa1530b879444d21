"""Holds: reserve an amount now, post it (in full or in part) or void it later."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from api.access import EVERYONE, HOLD_SETTLERS, PAYERS
from api.deps import IdempotencyKey, LedgerDep, require
from api.problems import problem_responses
from api.routers.checks import check_hold_party, scoped_key
from api.schemas.ledger import HoldIn, HoldOut, HoldPostIn, TransactionOut
from monnaie_locale.auth import Principal
from monnaie_locale.operations import transfers

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
    principal: Annotated[Principal, require(*PAYERS)],
    ledger: LedgerDep,
) -> HoldOut:
    principal.check_move_from(body.payer)
    key = scoped_key(principal, idempotency_key)
    hold = ledger.database.write(
        lambda conn: transfers.place_hold(
            conn,
            debit=body.payer,
            credit=body.payee,
            amount=body.amount,
            idempotency_key=key,
            clock=ledger.clock,
            expires_at=body.expires_at,
            memo=body.memo,
        )
    )
    return HoldOut.of(hold)


@router.get(
    "/{hold_id}",
    summary="One hold",
    responses=problem_responses(401, 403, 404, 422),
)
def get_hold(
    hold_id: HoldId, principal: Annotated[Principal, require(*EVERYONE)], ledger: LedgerDep
) -> HoldOut:
    hold = ledger.get_hold(hold_id)
    check_hold_party(principal, hold, settling=False)
    return HoldOut.of(hold)


@router.post(
    "/{hold_id}/post",
    status_code=201,
    summary="Turn a pending hold into a payment, of all or part of its amount",
    responses=problem_responses(400, 401, 403, 404, 409, 413, 422),
)
def post_hold(
    hold_id: HoldId,
    idempotency_key: IdempotencyKey,
    principal: Annotated[Principal, require(*HOLD_SETTLERS)],
    ledger: LedgerDep,
    body: HoldPostIn | None = None,
) -> TransactionOut:
    check_hold_party(principal, ledger.get_hold(hold_id), settling=True)
    key = scoped_key(principal, idempotency_key)
    transaction = ledger.database.write(
        lambda conn: transfers.post_hold(
            conn,
            hold_id,
            idempotency_key=key,
            clock=ledger.clock,
            amount=None if body is None else body.amount,
        )
    )
    ledger.after_commit()
    return TransactionOut.of(transaction)


@router.post(
    "/{hold_id}/void",
    summary="Release a pending hold without moving money",
    responses=problem_responses(401, 403, 404, 409, 422),
)
def void_hold(
    hold_id: HoldId,
    principal: Annotated[Principal, require(*HOLD_SETTLERS)],
    ledger: LedgerDep,
) -> HoldOut:
    check_hold_party(principal, ledger.get_hold(hold_id), settling=True)
    return HoldOut.of(
        ledger.database.write(lambda conn: transfers.void_hold(conn, hold_id, clock=ledger.clock))
    )
