"""Exchange offices: closing a till against its count, taking its cash to the bank, and
closing an office for good.

Each route calls its act (:mod:`monnaie_locale.acts.offices`), which says who may act for
which office.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from api.deps import IdempotencyKey, acting
from api.problems import problem_responses
from api.schemas.common import RowIdInPath
from api.schemas.operations import (
    BankReferenceIn,
    ClosedOfficeOut,
    OfficeClosingIn,
    OfficeClosingOut,
    TillDepositIn,
    TillDepositOut,
)
from monnaie_locale.acting import Context
from monnaie_locale.acts import offices

router = APIRouter(prefix="/v1", tags=["offices"])

OfficeId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,40}$")]
DepositId = RowIdInPath
MOVING = problem_responses(400, 401, 403, 404, 409, 413, 422)


@router.post(
    "/offices/{office}/closings",
    status_code=201,
    summary="Close a till: the counted cash against the books; a difference is booked",
    responses=MOVING,
)
def close_till(
    office: OfficeId,
    body: OfficeClosingIn,
    idempotency_key: IdempotencyKey,
    ctx: Annotated[Context, acting(offices.close_till)],
) -> OfficeClosingOut:
    closing = offices.close_till(ctx, office, body.counted, key=idempotency_key)
    return OfficeClosingOut.of(closing)


@router.post(
    "/offices/{office}/bank-deposits",
    status_code=201,
    summary="Take cash from a till to the bank (in transit until the bank shows it)",
    responses=MOVING,
)
def bank_till(
    office: OfficeId,
    body: TillDepositIn,
    idempotency_key: IdempotencyKey,
    ctx: Annotated[Context, acting(offices.bank_till)],
) -> TillDepositOut:
    deposit = offices.bank_till(ctx, office, body.amount, key=idempotency_key)
    return TillDepositOut.of(deposit)


@router.post(
    "/bank-deposits/{deposit_id}/received",
    summary="Record that the bank shows a till's cash deposit",
    description="The same bank reference again returns the received deposit and moves nothing.",
    responses=MOVING,
)
def receive_till_deposit(
    deposit_id: DepositId,
    body: BankReferenceIn,
    idempotency_key: IdempotencyKey,
    ctx: Annotated[Context, acting(offices.receive_till_deposit)],
) -> TillDepositOut:
    deposit = offices.receive_till_deposit(
        ctx, deposit_id, body.bank_reference, key=idempotency_key
    )
    return TillDepositOut.of(deposit)


@router.post(
    "/offices/{office}/close",
    summary="Close an exchange office for good: its till and note stock refuse every operation",
    description="Refused (409, `office_not_empty`) while the till holds cash or the note "
    "stock holds notes: bank the cash and return the notes to the vault first.",
    responses=problem_responses(401, 403, 404, 409, 422),
)
def close_office(
    office: OfficeId, ctx: Annotated[Context, acting(offices.close_office)]
) -> ClosedOfficeOut:
    return ClosedOfficeOut.of(offices.close_office(ctx, office))
