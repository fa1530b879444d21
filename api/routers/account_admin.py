"""The association's hand on accounts: opening, importing, renaming, freezing, closing.

What ``mlc accounts create / import / rename / freeze / unfreeze / close`` do, over HTTP,
for the association's operators and administrators. Who opens what is the core's rule
(:mod:`monnaie_locale.operations.account_opening`): operators open holder accounts under
the deployment's limits, the administrator also the association's and the exchange
offices', in either currency, with limits of their own; system accounts come from the
deployment's set-up only. None of these moves money, so none takes an
``Idempotency-Key``: opening a code twice is refused (``duplicate_account``), importing a
file twice is refused line by line (its codes are taken), and a status change or a
renaming repeated comes out the same.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Response
from fastapi.responses import JSONResponse

from api.deps import acting
from api.problems import PROBLEM_MEDIA_TYPE, TYPE_PREFIX, Problem, problem_responses
from api.request_id import current_request_id
from api.schemas.account_admin import (
    AccountImportIn,
    AccountImportOut,
    AccountOpenIn,
    AccountRenameIn,
    ImportedAccountOut,
    ImportProblemOut,
    import_refused_schema,
)
from api.schemas.common import ACCOUNT_CODE_PATTERN
from api.schemas.ledger import AccountOut
from monnaie_locale.acting import Context
from monnaie_locale.acts import accounts
from monnaie_locale.operations import account_import

__all__ = ["ACCOUNT_MANAGERS", "IMPORT_REFUSED", "router"]

router = APIRouter(prefix="/v1/accounts", tags=["accounts"])

ACCOUNT_MANAGERS = accounts.ACCOUNT_MANAGERS
Code = Annotated[str, Path(max_length=120, pattern=ACCOUNT_CODE_PATTERN, examples=["alice"])]
CHANGING = problem_responses(401, 403, 404, 409, 422)
IMPORT_REFUSED = "import_refused"


@router.post(
    "",
    status_code=201,
    summary="Open an account: a holder's in the local unit, or (administrator) any other",
    description="By default the account opens empty in the local unit, with no overdraft "
    "and the deployment's upper limit for its kind. The administrator may also open "
    "association and exchange_office accounts, in another currency, with limits of their "
    "own (what `mlc accounts create` opens); an association operator asking for those gets "
    "403 opening_forbidden. system accounts are the set-up's alone: 422 "
    "kind_opened_by_set_up. Give a holder's account to a user with "
    "POST /v1/users/{username}/accounts.",
    responses=problem_responses(400, 401, 403, 409, 413, 422),
)
def open_one(
    body: AccountOpenIn, ctx: Annotated[Context, acting(accounts.open_account)]
) -> AccountOut:
    given = body.model_fields_set
    account = accounts.open_account(
        ctx,
        body.code,
        kind=body.kind,
        currency=body.currency,
        # A side not given is the deployment's usual limit for the kind.
        lower_limit=body.lower_limit if "lower_limit" in given else accounts.USUAL,
        upper_limit=body.upper_limit if "upper_limit" in given else accounts.USUAL,
        owner_ref=body.owner_ref,
        category=body.category,
        display_name=body.display_name,
    )
    return AccountOut.of(account)


@router.post(
    "/import",
    status_code=201,
    summary="Open many accounts from a membership tool's CSV export: all of them, or none",
    description="Every line is checked before anything is written; with any problem, the "
    "answer is 422 import_refused listing each (line, column, message) and nothing is "
    "opened. With dry_run, the lines are checked and what would be opened is answered "
    "(200), nothing written. A file imported twice is refused the second time: its codes "
    "are taken. Lines follow the caller's rights as when opening one account (an operator "
    "imports member, business and authority accounts in the local unit, lower_limit 0 and "
    "upper_limit empty). A file larger than the service's body limit (MLC_MAX_BODY_BYTES) "
    "gets 413: split it, or use `mlc accounts import`.",
    response_model=AccountImportOut,
    responses={
        200: {
            "description": "Dry run: every line checked, nothing opened",
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/AccountImportOut"}}
            },
        },
        **problem_responses(400, 401, 403, 409, 413),
        422: {
            "description": "Problems in the file (each with its line), or an invalid form",
            "content": {PROBLEM_MEDIA_TYPE: {"schema": import_refused_schema()}},
        },
    },
)
def import_many(
    body: Annotated[AccountImportIn, Form(media_type="multipart/form-data")],
    ctx: Annotated[Context, acting(accounts.import_accounts)],
    response: Response,
) -> AccountImportOut | JSONResponse:
    outcome = accounts.import_accounts(
        ctx, body.file.file.read(), encoding=body.encoding, dry_run=body.dry_run
    )
    if outcome.problems:
        return _import_refused(outcome.problems)
    if body.dry_run:
        response.status_code = 200
    return AccountImportOut(
        dry_run=body.dry_run,
        count=len(outcome.rows),
        accounts=[ImportedAccountOut.of(row) for row in outcome.rows],
        problems=[],
    )


def _import_refused(problems: list[account_import.ImportProblem]) -> JSONResponse:
    """A problem document with every problem of the file, as the command line lists them."""
    problem = Problem(
        type=TYPE_PREFIX + IMPORT_REFUSED,
        title="Import refused",
        status=422,
        detail=f"{len(problems)} problem(s) in the file, nothing was opened: "
        + "; ".join(f"line {p.line}: {p.message}" for p in problems[:3])
        + ("; ..." if len(problems) > 3 else ""),
        code=IMPORT_REFUSED,
        request_id=current_request_id(),
    )
    body = problem.model_dump(exclude_none=True)
    body["problems"] = [ImportProblemOut.of(p).model_dump() for p in problems]
    return JSONResponse(
        body, status_code=422, media_type=PROBLEM_MEDIA_TYPE, headers={"Content-Language": "en"}
    )


@router.patch(
    "/{code}",
    summary="Rename an account: the name payers are shown (on the QR pay page)",
    description="display_name null shows the code again. The name is checked as on opening: "
    "1 to 120 characters, no outer spaces, no control or invisible character.",
    responses=problem_responses(400, 401, 403, 404, 413, 422),
)
def rename(
    code: Code, body: AccountRenameIn, ctx: Annotated[Context, acting(accounts.rename)]
) -> AccountOut:
    return AccountOut.of(accounts.rename(ctx, code, body.display_name))


@router.post(
    "/{code}/freeze",
    summary="Stop every movement on the account until it is unfrozen",
    responses=CHANGING,
)
def freeze(code: Code, ctx: Annotated[Context, acting(accounts.freeze)]) -> AccountOut:
    return AccountOut.of(accounts.freeze(ctx, code))


@router.post(
    "/{code}/unfreeze",
    summary="Let a frozen account move money again",
    responses=CHANGING,
)
def unfreeze(code: Code, ctx: Annotated[Context, acting(accounts.unfreeze)]) -> AccountOut:
    return AccountOut.of(accounts.unfreeze(ctx, code))


@router.post(
    "/{code}/close",
    summary="Close an empty account, for good",
    description="Refused with account_not_empty while the balance or the held amount is not zero.",
    responses=CHANGING,
)
def close(code: Code, ctx: Annotated[Context, acting(accounts.close)]) -> AccountOut:
    return AccountOut.of(accounts.close(ctx, code))
