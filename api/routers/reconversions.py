"""Reconversions: units back to euros, from the request to the paid bank transfer.

A holder requests one (the units are held); the association puts requests in a payout
batch, downloads its pain.001 file for the bank, and marks the payouts paid.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from api.deps import IdempotencyKey, acting
from api.problems import problem_responses
from api.schemas.common import IsoDate, RowIdInPath
from api.schemas.operations import (
    BankReferenceIn,
    PayoutBatchIn,
    PayoutBatchOut,
    ReconversionIn,
    ReconversionOut,
)
from monnaie_locale.acting import Context
from monnaie_locale.acts import reconversions

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
    ctx: Annotated[Context, acting(reconversions.request_reconversion)],
) -> ReconversionOut:
    request = reconversions.request_reconversion(
        ctx,
        body.account,
        body.amount,
        creditor_name=body.creditor_name,
        iban=body.iban,
        bic=body.bic,
        key=idempotency_key,
    )
    return ReconversionOut.of(request)


@router.get(
    "/reconversions/{request_id}",
    summary="One reconversion request",
    responses=problem_responses(401, 403, 404, 422),
)
def get_reconversion(
    request_id: RecordId,
    ctx: Annotated[Context, acting(reconversions.get_reconversion)],
) -> ReconversionOut:
    return ReconversionOut.of(reconversions.get_reconversion(ctx, request_id))


@router.post(
    "/reconversions/{request_id}/cancel",
    summary="Cancel a request not yet in a payout batch; its units are released",
    responses=problem_responses(401, 403, 404, 409, 422),
)
def cancel_reconversion(
    request_id: RecordId,
    ctx: Annotated[Context, acting(reconversions.cancel_reconversion)],
) -> ReconversionOut:
    return ReconversionOut.of(reconversions.cancel_reconversion(ctx, request_id))


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
    ctx: Annotated[Context, acting(reconversions.mark_paid)],
) -> ReconversionOut:
    paid = reconversions.mark_paid(
        ctx, request_id, bank_reference=body.bank_reference, key=idempotency_key
    )
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
    ctx: Annotated[Context, acting(reconversions.validate_batch)],
) -> PayoutBatchOut:
    batch = reconversions.validate_batch(ctx, body.request_ids, key=idempotency_key)
    return PayoutBatchOut.of(batch)


@router.get(
    "/payout-batches/{batch_id}",
    summary="One payout batch",
    responses=problem_responses(401, 403, 404, 422),
)
def get_batch(
    batch_id: RecordId,
    ctx: Annotated[Context, acting(reconversions.get_batch)],
) -> PayoutBatchOut:
    return PayoutBatchOut.of(reconversions.get_batch(ctx, batch_id))


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
    ctx: Annotated[Context, acting(reconversions.export_batch)],
) -> Response:
    content = reconversions.export_batch(ctx, batch_id, execution_date=execution_date)
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
    ctx: Annotated[Context, acting(reconversions.mark_batch_paid)],
) -> PayoutBatchOut:
    batch = reconversions.mark_batch_paid(
        ctx, batch_id, bank_reference=body.bank_reference, key=idempotency_key
    )
    return PayoutBatchOut.of(batch)
