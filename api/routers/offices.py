"""Exchange offices: closing a till against its count, and taking its cash to the bank."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from sqlalchemy import Connection

from api.deps import ClockDep, DatabaseDep, IdempotencyKey, require
from api.problems import problem_responses
from api.routers.checks import scoped_key
from api.routers.operations_common import (
    OFFICE_STAFF,
    OPERATORS,
    DeploymentDep,
    check_office,
    keyed,
)
from api.schemas.common import RowIdInPath
from api.schemas.operations import (
    BankReferenceIn,
    OfficeClosingIn,
    OfficeClosingOut,
    TillDepositIn,
    TillDepositOut,
)
from monnaie_locale.auth import Principal
from monnaie_locale.operations import offices

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
    principal: Annotated[Principal, require(*OFFICE_STAFF)],
    database: DatabaseDep,
    deployment: DeploymentDep,
    clock: ClockDep,
) -> OfficeClosingOut:
    check_office(principal, office)
    key = scoped_key(principal, idempotency_key)
    closing = database.write(
        lambda conn: offices.close_till(
            conn, deployment, office=office, counted=body.counted, idempotency_key=key, clock=clock
        )
    )
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
    principal: Annotated[Principal, require(*OFFICE_STAFF)],
    database: DatabaseDep,
    deployment: DeploymentDep,
    clock: ClockDep,
) -> TillDepositOut:
    check_office(principal, office)
    key = scoped_key(principal, idempotency_key)
    deposit = database.write(
        lambda conn: offices.bank_till(
            conn, deployment, office=office, amount=body.amount, idempotency_key=key, clock=clock
        )
    )
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
    principal: Annotated[Principal, require(*OPERATORS)],
    database: DatabaseDep,
    deployment: DeploymentDep,
    clock: ClockDep,
) -> TillDepositOut:
    def receive(conn: Connection) -> offices.TillDeposit:
        return offices.receive_till_deposit(
            conn,
            deployment,
            deposit_id=deposit_id,
            bank_reference=body.bank_reference,
            clock=clock,
        )

    request = f"deposit_received|{deposit_id}|{body.model_dump_json()}"
    deposit = database.write(keyed(principal, idempotency_key, request, receive, clock=clock))
    return TillDepositOut.of(deposit)
