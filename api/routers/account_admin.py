"""The association's hand on accounts: opening holder accounts, freezing, closing.

What ``mlc accounts create / freeze / unfreeze / close`` do, over HTTP, for the
association's operators and administrators. None of these moves money, so none takes an
``Idempotency-Key``: opening a code twice is refused (``duplicate_account``), and a
status change repeated comes out the same.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from api.deps import ClockDep, DatabaseDep, require
from api.problems import problem_responses
from api.routers.operations_common import DeploymentDep
from api.schemas.account_admin import AccountOpenIn
from api.schemas.common import ACCOUNT_CODE_PATTERN
from api.schemas.ledger import AccountOut
from monnaie_locale.auth import Principal, Role
from monnaie_locale.deployment import open_holder_account
from monnaie_locale.ledger.accounts import set_status
from monnaie_locale.model import AccountKind, AccountStatus

__all__ = ["ACCOUNT_MANAGERS", "router"]

router = APIRouter(prefix="/v1/accounts", tags=["accounts"])

# Opening and closing accounts is the association's decision.
ACCOUNT_MANAGERS = (Role.ASSOCIATION_OPERATOR, Role.ADMIN)
Manager = Annotated[Principal, require(*ACCOUNT_MANAGERS)]
Code = Annotated[str, Path(max_length=120, pattern=ACCOUNT_CODE_PATTERN, examples=["alice"])]
CHANGING = problem_responses(401, 403, 404, 409, 422)


@router.post(
    "",
    status_code=201,
    summary="Open a member's, business's or authority's account in the local unit",
    description="The account opens empty, with no overdraft and the deployment's upper "
    "limit for its kind. Give it to a user with POST /v1/users/{username}/accounts.",
    responses=problem_responses(400, 401, 403, 409, 413, 422),
)
def open_holder(
    body: AccountOpenIn,
    _manager: Manager,
    database: DatabaseDep,
    deployment: DeploymentDep,
    clock: ClockDep,
) -> AccountOut:
    account = database.write(
        lambda conn: open_holder_account(
            conn,
            deployment,
            body.code,
            kind=AccountKind(body.kind),
            now=clock(),
            owner_ref=body.owner_ref,
            category=body.category,
            display_name=body.display_name,
        )
    )
    return AccountOut.of(account)


@router.post(
    "/{code}/freeze",
    summary="Stop every movement on the account until it is unfrozen",
    responses=CHANGING,
)
def freeze(code: Code, _manager: Manager, database: DatabaseDep) -> AccountOut:
    return AccountOut.of(database.write(lambda conn: set_status(conn, code, AccountStatus.FROZEN)))


@router.post(
    "/{code}/unfreeze",
    summary="Let a frozen account move money again",
    responses=CHANGING,
)
def unfreeze(code: Code, _manager: Manager, database: DatabaseDep) -> AccountOut:
    return AccountOut.of(database.write(lambda conn: set_status(conn, code, AccountStatus.ACTIVE)))


@router.post(
    "/{code}/close",
    summary="Close an empty account, for good",
    description="Refused with account_not_empty while the balance or the held amount is not zero.",
    responses=CHANGING,
)
def close(code: Code, _manager: Manager, database: DatabaseDep) -> AccountOut:
    return AccountOut.of(database.write(lambda conn: set_status(conn, code, AccountStatus.CLOSED)))
