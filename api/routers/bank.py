"""Bank reconciliation: a statement from the reserve's bank, matched to the books.

The upload is a camt.053 file or a CSV export; each line is matched to what it settles
(a conversion order, a till deposit, a payout) and the result says what matched, what
did not, and how the bank's balance compares with the books. A statement imported twice
is recognised by its id and changes nothing the second time; the idempotency key, as on
every call that moves money, refuses a key reused for another file.
"""

from __future__ import annotations

import hashlib
from typing import Annotated

from fastapi import APIRouter, Form

from api.deps import ClockDep, DatabaseDep, IdempotencyKey, require
from api.problems import problem_responses
from api.routers.operations_common import OPERATORS, DeploymentDep, keyed
from api.schemas.operations import BankStatementIn, ReconciliationOut
from monnaie_locale.auth import Principal
from monnaie_locale.operations.reconciliation import import_statement_file

router = APIRouter(prefix="/v1/bank", tags=["bank reconciliation"])


@router.post(
    "/statements",
    summary="Import a bank statement of the reserve and reconcile it with the books",
    description="A statement already imported is recognised by its id: the result says "
    "so, and nothing moves again.",
    responses=problem_responses(400, 401, 403, 409, 413, 422),
)
def import_statement(
    body: Annotated[BankStatementIn, Form(media_type="multipart/form-data")],
    idempotency_key: IdempotencyKey,
    principal: Annotated[Principal, require(*OPERATORS)],
    database: DatabaseDep,
    deployment: DeploymentDep,
    clock: ClockDep,
) -> list[ReconciliationOut]:
    content = body.file.file.read()
    file_format = body.file_format
    request = f"statement|{file_format}|{hashlib.sha256(content).hexdigest()}"
    results = database.write(
        keyed(
            principal,
            idempotency_key,
            request,
            lambda conn: import_statement_file(
                conn, deployment, content, file_format=file_format, clock=clock
            ),
            clock=clock,
        )
    )
    return [ReconciliationOut.of(item) for item in results]
