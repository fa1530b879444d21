"""Bank reconciliation: a statement from the reserve's bank, matched to the books.

The upload is a camt.053 file or a CSV export; each line is matched to what it settles
(a conversion order, a till deposit, a payout) and the result says what matched, what
did not, and how the bank's balance compares with the books. A statement imported twice
is recognised by its id and changes nothing the second time, so no idempotency key is
needed.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, UploadFile

from api.deps import ClockDep, DatabaseDep, require
from api.problems import problem_responses
from api.routers.operations_common import OPERATORS, DeploymentDep
from api.schemas.operations import ReconciliationOut
from monnaie_locale.auth import Principal
from monnaie_locale.operations.reconciliation import import_statement_file

router = APIRouter(prefix="/v1/bank", tags=["bank reconciliation"])


@router.post(
    "/statements",
    summary="Import a bank statement of the reserve and reconcile it with the books",
    responses=problem_responses(400, 401, 403, 409, 413, 422),
)
def import_statement(
    file: Annotated[UploadFile, File(description="The statement file.")],
    file_format: Annotated[Literal["camt053", "csv"], Form(alias="format")],
    _principal: Annotated[Principal, require(*OPERATORS)],
    database: DatabaseDep,
    deployment: DeploymentDep,
    clock: ClockDep,
) -> list[ReconciliationOut]:
    content = file.file.read()
    results = database.write(
        lambda conn: import_statement_file(
            conn, deployment, content, file_format=file_format, clock=clock
        )
    )
    return [ReconciliationOut.of(item) for item in results]
