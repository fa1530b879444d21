"""The reserve report: units in circulation against the euros that back them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from api.deps import DatabaseDep, require
from api.problems import problem_responses
from api.routers.operations_common import REPORT_READERS, DeploymentDep
from api.schemas.common import IsoMoment
from api.schemas.operations import ReserveReportOut
from monnaie_locale.auth import Principal
from monnaie_locale.reserve import ReserveReport, reserve_report, to_csv

router = APIRouter(prefix="/v1/reserve", tags=["reserve"])

AsOf = Annotated[IsoMoment | None, Query(description="The moment to report on; now by default.")]
Readers = Annotated[Principal, require(*REPORT_READERS)]


def _report(database: DatabaseDep, deployment: DeploymentDep, as_of: AsOf) -> ReserveReport:
    return database.read(lambda conn: reserve_report(conn, deployment, as_of=as_of))


@router.get(
    "/report",
    summary="The reserve report: circulation, reserve, coverage and discrepancies",
    responses=problem_responses(401, 403, 422),
)
def get_report(
    _principal: Readers, database: DatabaseDep, deployment: DeploymentDep, as_of: AsOf = None
) -> ReserveReportOut:
    return ReserveReportOut.of(_report(database, deployment, as_of))


@router.get(
    "/report.csv",
    summary="The reserve report as CSV (section, item, value)",
    response_class=Response,
    responses={
        200: {"content": {"text/csv": {}}, "description": "The report."},
        **problem_responses(401, 403, 422),
    },
)
def get_report_csv(
    _principal: Readers, database: DatabaseDep, deployment: DeploymentDep, as_of: AsOf = None
) -> Response:
    return Response(
        to_csv(_report(database, deployment, as_of)), media_type="text/csv; charset=utf-8"
    )
