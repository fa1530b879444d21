"""Signing in and out, and who the caller is."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from api.access import EVERYONE
from api.deps import ClockDep, DatabaseDep, LimiterDep, Public, SettingsDep, require
from api.principal_cache import forgets_credentials
from api.problems import problem_responses
from api.schemas.auth import LoginIn, Me, TokenOut
from monnaie_locale.auth import LoginPolicy, Principal, sign_in, sign_out
from monnaie_locale.errors import InvalidRequest

router = APIRouter(prefix="/v1", tags=["auth"])


@router.post(
    "/auth/login",
    dependencies=[Public],
    summary="Sign in with a username and password; returns a bearer token",
    responses=problem_responses(400, 401, 422, 429),
)
def login(
    body: LoginIn,
    request: Request,
    database: DatabaseDep,
    settings: SettingsDep,
    clock: ClockDep,
    limiter: LimiterDep,
) -> TokenOut:
    limiter.hit(request.client.host if request.client else "unknown", now=clock())
    policy = LoginPolicy(
        token_ttl=timedelta(minutes=settings.token_ttl_minutes),
        max_failures=settings.login_max_failures,
        lockout=timedelta(minutes=settings.lockout_minutes),
    )
    issued = sign_in(database, body.username, body.password, clock=clock, policy=policy)
    return TokenOut(token=issued.token, expires_at=issued.expires_at)


@router.post(
    "/auth/logout",
    dependencies=[Depends(forgets_credentials)],
    status_code=204,
    summary="Revoke the token this request carries",
    responses=problem_responses(401, 422),
)
def logout(
    principal: Annotated[Principal, require(*EVERYONE)], database: DatabaseDep, clock: ClockDep
) -> Response:
    if principal.token_id is None:
        raise InvalidRequest("an API key is not signed out; its owner revokes it")
    sign_out(database, principal.token_id, clock=clock)
    return Response(status_code=204)


@router.get(
    "/me",
    summary="The caller: name, role and the accounts they hold",
    responses=problem_responses(401),
)
def me(principal: Annotated[Principal, require(*EVERYONE)]) -> Me:
    return Me(name=principal.name, role=principal.role, accounts=sorted(principal.accounts))
