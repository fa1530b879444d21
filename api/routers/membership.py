"""Membership fees: paying one for a period, and who is up to date."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import ClockDep, DatabaseDep, IdempotencyKey, require
from api.problems import problem_responses
from api.routers.checks import scoped_key
from api.routers.operations_common import HOLDERS, REPORT_READERS, DeploymentDep
from api.schemas.common import IsoDate
from api.schemas.operations import (
    MembershipPaymentIn,
    MembershipPaymentOut,
    MembershipStatusOut,
)
from monnaie_locale.auth import Principal
from monnaie_locale.auth.errors import RoleForbidden
from monnaie_locale.operations import membership

router = APIRouter(prefix="/v1/membership", tags=["membership"])


@router.post(
    "/fees",
    status_code=201,
    summary="Pay an account's fee for a period, in units (from the account) or in euros",
    description="A holder pays in units from an account they hold; a fee paid in euros is "
    "recorded by the association's operators.",
    responses=problem_responses(400, 401, 403, 404, 409, 413, 422),
)
def pay_fee(
    body: MembershipPaymentIn,
    idempotency_key: IdempotencyKey,
    principal: Annotated[Principal, require(*HOLDERS)],
    database: DatabaseDep,
    deployment: DeploymentDep,
    clock: ClockDep,
) -> MembershipPaymentOut:
    if body.paid_in == "euros" and not principal.moves_any_account:
        raise RoleForbidden(str(principal.role))
    principal.check_move_from(body.account)
    key = scoped_key(principal, idempotency_key)
    batch = database.write(
        lambda conn: membership.pay_membership_fee(
            conn,
            deployment,
            account=body.account,
            period=body.period,
            paid_in=body.paid_in,
            idempotency_key=key,
            clock=clock,
        )
    )
    return MembershipPaymentOut(account=body.account, period=body.period, transaction_batch=batch)


@router.get(
    "/status",
    summary="Every account owing a fee, and whether it paid the current period",
    responses=problem_responses(401, 403, 422),
)
def fee_status(
    _principal: Annotated[Principal, require(*REPORT_READERS)],
    database: DatabaseDep,
    deployment: DeploymentDep,
    clock: ClockDep,
    on: Annotated[
        IsoDate | None, Query(description="A day of the period; today by default.")
    ] = None,
) -> list[MembershipStatusOut]:
    day = on if on is not None else clock().date()
    rows = database.read(lambda conn: membership.membership_status(conn, deployment, on=day))
    return [
        MembershipStatusOut(account=row.account, kind=row.kind, period=row.period, paid=row.paid)
        for row in rows
    ]
