"""API keys for merchant terminals: created by the account's owner, shown once, revocable."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from api.deps import acting
from api.problems import problem_responses
from api.schemas.auth import ApiKeyCreated, ApiKeyIn, ApiKeyOut
from api.schemas.common import RowIdInPath
from monnaie_locale.acting import Context
from monnaie_locale.acts import api_keys

router = APIRouter(prefix="/v1/api-keys", tags=["api keys"])

KeyId = RowIdInPath


@router.post(
    "",
    status_code=201,
    summary="Create a cashier key for one account; the secret is shown only in this response",
    responses=problem_responses(400, 401, 403, 404, 413, 422),
)
def create_key(
    body: ApiKeyIn, ctx: Annotated[Context, acting(api_keys.create_key)]
) -> ApiKeyCreated:
    created = api_keys.create_key(ctx, body.account, label=body.label)
    return ApiKeyCreated(**ApiKeyOut.of(created.key).model_dump(), secret=created.secret)


@router.post(
    "/{key_id}/revoke",
    summary="Revoke an API key at once",
    responses=problem_responses(401, 403, 404, 422),
)
def revoke_key(key_id: KeyId, ctx: Annotated[Context, acting(api_keys.revoke_key)]) -> ApiKeyOut:
    return ApiKeyOut.of(api_keys.revoke_key(ctx, key_id))
