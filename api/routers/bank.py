"""Bank reconciliation: a statement from the reserve's bank, matched to the books.

The upload is a camt.053 file or a CSV export; each line is matched to what it settles
(a conversion order, a till deposit, a payout) and the result says what matched, what
did not, and how the bank's balance compares with the books. A statement imported twice
is recognised by its id and changes nothing the second time; the idempotency key, as on
every call that moves money, refuses a key reused for another file (see
:func:`monnaie_locale.acts.reserve.import_statement_file`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form

from api.deps import IdempotencyKey, acting
from api.problems import problem_responses
from api.schemas.operations import BankStatementIn, ReconciliationOut
from monnaie_locale.acting import Context
from monnaie_locale.acts import reserve

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
    ctx: Annotated[Context, acting(reserve.import_statement_file)],
) -> list[ReconciliationOut]:
    results = reserve.import_statement_file(
        ctx, body.file.file.read(), file_format=body.file_format, key=idempotency_key
    )
    return [ReconciliationOut.of(item) for item in results]
