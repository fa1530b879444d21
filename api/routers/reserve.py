"""The reserve report: units in circulation against the euros that back them; and the
bank statements recorded in the journal, the documents the checkpoints' reserve rests on.

The report's routes call :func:`monnaie_locale.acts.reserve.reserve_report`, the
attestations' :func:`monnaie_locale.acts.reserve.reserve_attestations`; each says who may
read it.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from api.deps import acting
from api.problems import problem_responses
from api.schemas.bank import ReserveAttestationOut
from api.schemas.common import IsoMoment
from api.schemas.operations import ReserveReportOut
from monnaie_locale.acting import Context
from monnaie_locale.acts import reserve
from monnaie_locale.reserve import to_csv

router = APIRouter(prefix="/v1/reserve", tags=["reserve"])

AsOf = Annotated[IsoMoment | None, Query(description="The moment to report on; now by default.")]
Readers = Annotated[Context, acting(reserve.reserve_report)]
Auditors = Annotated[Context, acting(reserve.reserve_attestations)]


@router.get(
    "/report",
    summary="The reserve report: circulation, reserve, coverage and discrepancies",
    responses=problem_responses(401, 403, 422),
)
def get_report(ctx: Readers, as_of: AsOf = None) -> ReserveReportOut:
    return ReserveReportOut.of(reserve.reserve_report(ctx, as_of))


@router.get(
    "/report.csv",
    summary="The reserve report as CSV (section, item, value)",
    response_class=Response,
    responses={
        200: {"content": {"text/csv": {}}, "description": "The report."},
        **problem_responses(401, 403, 422),
    },
)
def get_report_csv(ctx: Readers, as_of: AsOf = None) -> Response:
    return Response(
        to_csv(reserve.reserve_report(ctx, as_of)), media_type="text/csv; charset=utf-8"
    )


@router.get(
    "/attestations",
    summary="The bank statements recorded in the journal, in the journal's order",
    description="Each imported statement of a reserve account is recorded in the journal "
    "with its file's SHA-256, closing balance and day; each checkpoint carries the latest "
    "per account. An auditor checks the bank's own file against a checkpoint with "
    "`python -m monnaie_locale.verify reserve`.",
    responses=problem_responses(401, 403),
)
def get_attestations(ctx: Auditors) -> list[ReserveAttestationOut]:
    return [ReserveAttestationOut.of(item) for item in reserve.reserve_attestations(ctx)]
