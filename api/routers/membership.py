"""Membership fees: paying one for a period, and who is up to date.

Each route calls its act (:mod:`monnaie_locale.acts.membership`), which says who may pay
which fee, and how.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import IdempotencyKey, acting
from api.problems import problem_responses
from api.schemas.common import IsoDate
from api.schemas.operations import (
    MembershipPaymentIn,
    MembershipPaymentOut,
    MembershipStatusOut,
)
from monnaie_locale.acting import Context
from monnaie_locale.acts import membership

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
    ctx: Annotated[Context, acting(membership.pay_fee)],
) -> MembershipPaymentOut:
    paid = membership.pay_fee(
        ctx, body.account, body.period, paid_in=body.paid_in, key=idempotency_key
    )
    return MembershipPaymentOut(
        account=body.account, period=body.period, transaction_batch=paid.transaction_batch
    )


@router.get(
    "/status",
    summary="Every account owing a fee, and whether it paid the current period",
    responses=problem_responses(401, 403, 422),
)
def fee_status(
    ctx: Annotated[Context, acting(membership.fee_status)],
    on: Annotated[
        IsoDate | None, Query(description="A day of the period; today by default.")
    ] = None,
) -> list[MembershipStatusOut]:
    return [
        MembershipStatusOut(account=row.account, kind=row.kind, period=row.period, paid=row.paid)
        for row in membership.fee_status(ctx, on)
    ]
