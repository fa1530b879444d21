"""Reconversions: units back to euros, from the request to the paid bank transfer.

A holder requests one (the units are held); the association puts requests in a payout
batch, downloads its pain.001 file for the bank, and marks the payouts paid.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response
from sqlalchemy import Connection

from api.access import EVERYONE
from api.deps import ClockDep, DatabaseDep, IdempotencyKey, require
from api.problems import problem_responses
from api.routers.checks import scoped_key
from api.routers.operations_common import (
    OPERATORS,
    RECONVERTERS,
    REPORT_READERS,
    DeploymentDep,
    keyed,
)
from api.schemas.common import IsoDate, RowIdInPath
from api.schemas.operations import (
    BankReferenceIn,
    PayoutBatchIn,
    PayoutBatchOut,
    ReconversionIn,
    ReconversionOut,
)
from monnaie_locale.auth import Principal
from monnaie_locale.operations import payouts, reconversion

router = APIRouter(prefix="/v1", tags=["reconversions"])

RecordId = RowIdInPath
MOVING = problem_responses(400, 401, 403, 404, 409, 413, 422)


@router.post(
    "/reconversions",
    status_code=201,
    summary="Ask for units of an account the caller holds to be paid out in euros",
    responses=MOVING,
)
def request_reconversion(
    body: ReconversionIn,
    idempotency_key: IdempotencyKey,
    principal: Annotated[Principal, require(*RECONVERTERS)],
    database: DatabaseDep,
    deployment: DeploymentDep,
    clock: ClockDep,
) -> ReconversionOut:
    principal.check_move_from(body.account)
    key = scoped_key(principal, idempotency_key)
    request = database.write(
        lambda conn: reconversion.request_reconversion(
            conn,
            deployment,
            account=body.account,
            amount=body.amount,
            creditor_name=body.creditor_name,
            iban=body.iban,
            bic=body.bic,
            idempotency_key=key,
            clock=clock,
        )
    )
    return ReconversionOut.of(request)


@router.get(
    "/reconversions/{request_id}",
    summary="One reconversion request",
    responses=problem_responses(401, 403, 404, 422),
)
def get_reconversion(
    request_id: RecordId,
    principal: Annotated[Principal, require(*EVERYONE)],
    database: DatabaseDep,
) -> ReconversionOut:
    found = database.read(lambda conn: reconversion.load_reconversion(conn, request_id))
    principal.check_read(found.account)
    return ReconversionOut.of(found)


@router.post(
    "/reconversions/{request_id}/cancel",
    summary="Cancel a request not yet in a payout batch; its units are released",
    responses=problem_responses(401, 403, 404, 409, 422),
)
def cancel_reconversion(
    request_id: RecordId,
    principal: Annotated[Principal, require(*RECONVERTERS)],
    database: DatabaseDep,
    clock: ClockDep,
) -> ReconversionOut:
    found = database.read(lambda conn: reconversion.load_reconversion(conn, request_id))
    principal.check_move_from(found.account)
    cancelled = database.write(
        lambda conn: reconversion.cancel_reconversion(conn, request_id=request_id, clock=clock)
    )
    return ReconversionOut.of(cancelled)


@router.post(
    "/reconversions/{request_id}/paid",
    summary="Record that the bank paid one request out (its units are destroyed)",
    description="The same bank reference again returns the paid request and moves nothing.",
    responses=MOVING,
)
def mark_reconversion_paid(
    request_id: RecordId,
    body: BankReferenceIn,
    idempotency_key: IdempotencyKey,
    principal: Annotated[Principal, require(*OPERATORS)],
    database: DatabaseDep,
    deployment: DeploymentDep,
    clock: ClockDep,
) -> ReconversionOut:
    def mark(conn: Connection) -> reconversion.Reconversion:
        return payouts.mark_paid(
            conn,
            deployment,
            request_id=request_id,
            bank_reference=body.bank_reference,
            clock=clock,
        )

    request = f"reconversion_paid|{request_id}|{body.model_dump_json()}"
    paid = database.write(keyed(principal, idempotency_key, request, mark, clock=clock))
    return ReconversionOut.of(paid)


@router.post(
    "/payout-batches",
    status_code=201,
    summary="Validate requests into a batch to pay, if the digital reserve can pay them all",
    responses=MOVING,
)
def validate_batch(
    body: PayoutBatchIn,
    idempotency_key: IdempotencyKey,
    principal: Annotated[Principal, require(*OPERATORS)],
    database: DatabaseDep,
    deployment: DeploymentDep,
    clock: ClockDep,
) -> PayoutBatchOut:
    key = scoped_key(principal, idempotency_key)
    batch = database.write(
        lambda conn: payouts.validate_batch(
            conn,
            deployment,
            request_ids=body.request_ids,
            validated_by=principal.name,
            idempotency_key=key,
            clock=clock,
        )
    )
    return PayoutBatchOut.of(batch)


@router.get(
    "/payout-batches/{batch_id}",
    summary="One payout batch",
    responses=problem_responses(401, 403, 404, 422),
)
def get_batch(
    batch_id: RecordId,
    _principal: Annotated[Principal, require(*REPORT_READERS)],
    database: DatabaseDep,
) -> PayoutBatchOut:
    return PayoutBatchOut.of(database.read(lambda conn: payouts.load_batch(conn, batch_id)))


@router.post(
    "/payout-batches/{batch_id}/pain001",
    summary="The batch's pain.001 credit-transfer file, for the bank",
    description="Marks the batch exported. Exporting again returns the same file for the "
    "same execution date.",
    response_class=Response,
    responses={
        200: {"content": {"application/xml": {}}, "description": "The pain.001 file."},
        **problem_responses(401, 403, 404, 409, 422),
    },
)
def export_batch(
    batch_id: RecordId,
    execution_date: Annotated[IsoDate, Query(description="When the bank is to pay.")],
    _principal: Annotated[Principal, require(*OPERATORS)],
    database: DatabaseDep,
    deployment: DeploymentDep,
    clock: ClockDep,
) -> Response:
    content = database.write(
        lambda conn: payouts.export_batch(
            conn, deployment, batch_id=batch_id, execution_date=execution_date, clock=clock
        )
    )
    return Response(
        content,
        media_type="application/xml",
        headers={"Content-Disposition": f'attachment; filename="payout-{batch_id}.xml"'},
    )


@router.post(
    "/payout-batches/{batch_id}/paid",
    summary="Record that the bank paid the whole batch",
    description="Marking a paid batch again returns it and moves nothing.",
    responses=MOVING,
)
def mark_batch_paid(
    batch_id: RecordId,
    body: BankReferenceIn,
    idempotency_key: IdempotencyKey,
    principal: Annotated[Principal, require(*OPERATORS)],
    database: DatabaseDep,
    deployment: DeploymentDep,
    clock: ClockDep,
) -> PayoutBatchOut:
    def mark(conn: Connection) -> payouts.PayoutBatch:
        return payouts.mark_batch_paid(
            conn, deployment, batch_id=batch_id, bank_reference=body.bank_reference, clock=clock
        )

    request = f"batch_paid|{batch_id}|{body.model_dump_json()}"
    batch = database.write(keyed(principal, idempotency_key, request, mark, clock=clock))
    return PayoutBatchOut.of(batch)
