"""API keys for merchant terminals: created by the account's owner, shown once, revocable."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from api.access import KEY_MANAGERS
from api.deps import ClockDep, DatabaseDep, require
from api.problems import problem_responses
from api.schemas.auth import ApiKeyCreated, ApiKeyIn, ApiKeyOut
from api.schemas.common import RowIdInPath
from monnaie_locale.auth import Principal, create_api_key, get_api_key, revoke_api_key

router = APIRouter(prefix="/v1/api-keys", tags=["api keys"])

KeyId = RowIdInPath


@router.post(
    "",
    status_code=201,
    summary="Create a cashier key for one account; the secret is shown only in this response",
    responses=problem_responses(400, 401, 403, 404, 413, 422),
)
def create_key(
    body: ApiKeyIn,
    principal: Annotated[Principal, require(*KEY_MANAGERS)],
    database: DatabaseDep,
    clock: ClockDep,
) -> ApiKeyCreated:
    principal.check_move_from(body.account)
    created = database.write(
        lambda conn: create_api_key(
            conn, body.account, label=body.label, created_by=principal.user_id, now=clock()
        )
    )
    return ApiKeyCreated(**ApiKeyOut.of(created.key).model_dump(), secret=created.secret)


@router.post(
    "/{key_id}/revoke",
    summary="Revoke an API key at once",
    responses=problem_responses(401, 403, 404, 422),
)
def revoke_key(
    key_id: KeyId,
    principal: Annotated[Principal, require(*KEY_MANAGERS)],
    database: DatabaseDep,
    clock: ClockDep,
) -> ApiKeyOut:
    key = database.read(lambda conn: get_api_key(conn, key_id))
    principal.check_move_from(key.account)
    return ApiKeyOut.of(database.write(lambda conn: revoke_api_key(conn, key_id, now=clock())))
