"""Passkeys: registering one's own, listing and revoking them, and signing in with one.

Each ceremony is two calls: options (the challenge), then the authenticator's answer.
A page's script does both with ``/assets/checkout/passkeys.js``. Signing in answers as
``POST /v1/auth/login`` does, refusals included, and counts toward the same limit per
client address.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request, Response

from api.deps import ClockDep, DatabaseDep, LimiterDep, Public, SettingsDep, acting
from api.problems import problem_responses
from api.routers.auth import login_policy
from api.schemas.auth import TokenOut
from api.schemas.common import RowIdInPath
from api.schemas.passkeys import (
    PasskeyOut,
    PasskeyRegisterIn,
    PasskeySignInIn,
    PasskeySignInOptionsIn,
    WebAuthnOptions,
)
from monnaie_locale.acting import Context
from monnaie_locale.acts import passkeys

router = APIRouter(prefix="/v1/auth/passkeys", tags=["auth"])


def _options(options: dict[str, Any]) -> WebAuthnOptions:
    return WebAuthnOptions.model_validate(options)


@router.post(
    "/register/options",
    summary="Options for navigator.credentials.create(): a new passkey for the caller",
    responses=problem_responses(401, 422),
)
def registration_options(
    settings: SettingsDep, ctx: Annotated[Context, acting(passkeys.begin_registration)]
) -> WebAuthnOptions:
    return _options(passkeys.begin_registration(ctx, party=passkeys.relying_party(settings)))


@router.post(
    "/register",
    status_code=201,
    summary="Keep the passkey the authenticator made from the options, under a name",
    responses=problem_responses(400, 401, 413, 422),
)
def register(
    body: PasskeyRegisterIn,
    settings: SettingsDep,
    ctx: Annotated[Context, acting(passkeys.finish_registration)],
) -> PasskeyOut:
    passkey = passkeys.finish_registration(
        ctx, body.answer(), body.name, party=passkeys.relying_party(settings)
    )
    return PasskeyOut.of(passkey)


@router.get(
    "",
    summary="The caller's passkeys (revoked ones left out)",
    responses=problem_responses(401, 422),
)
def list_passkeys(ctx: Annotated[Context, acting(passkeys.list_passkeys)]) -> list[PasskeyOut]:
    return [PasskeyOut.of(passkey) for passkey in passkeys.list_passkeys(ctx)]


@router.delete(
    # Numbers only, so DELETE on /register or /sign-in is a method not allowed (405).
    "/{passkey_id:int}",
    status_code=204,
    summary="Revoke one of the caller's passkeys at once",
    responses=problem_responses(401, 404, 422),
)
def revoke(
    passkey_id: RowIdInPath, ctx: Annotated[Context, acting(passkeys.revoke_passkey)]
) -> Response:
    passkeys.revoke_passkey(ctx, passkey_id)
    return Response(status_code=204)


@router.post(
    "/sign-in/options",
    dependencies=[Public],
    summary="Options for navigator.credentials.get(): any passkey of this site, or a name's",
    responses=problem_responses(400, 413, 422, 429),
)
def sign_in_options(
    request: Request,
    database: DatabaseDep,
    settings: SettingsDep,
    clock: ClockDep,
    limiter: LimiterDep,
    body: PasskeySignInOptionsIn | None = None,
) -> WebAuthnOptions:
    # Each call stores a challenge: counted as a sign-in attempt, so none floods the table.
    limiter.hit(request.client.host if request.client else "unknown", now=clock())
    options = passkeys.begin_sign_in(
        database,
        clock=clock,
        party=passkeys.relying_party(settings),
        username=body.username if body is not None else None,
    )
    return _options(options)


@router.post(
    "/sign-in",
    dependencies=[Public],
    summary="Sign in with a passkey's answer; returns a bearer token, as /v1/auth/login",
    responses=problem_responses(400, 401, 413, 422, 429),
)
def sign_in(
    body: PasskeySignInIn,
    request: Request,
    database: DatabaseDep,
    settings: SettingsDep,
    clock: ClockDep,
    limiter: LimiterDep,
) -> TokenOut:
    limiter.hit(request.client.host if request.client else "unknown", now=clock())
    issued = passkeys.finish_sign_in(
        database,
        body.answer(),
        clock=clock,
        party=passkeys.relying_party(settings),
        policy=login_policy(settings),
    )
    return TokenOut(token=issued.token, expires_at=issued.expires_at)
