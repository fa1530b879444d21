"""Signing in and out, and who the caller is."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from api.deps import ClockDep, DatabaseDep, LimiterDep, Public, SettingsDep, acting
from api.principal_cache import forgets_credentials
from api.problems import problem_responses
from api.schemas.auth import LoginIn, Me, TokenOut
from monnaie_locale.acting import Context
from monnaie_locale.acts import sessions
from monnaie_locale.auth import LoginPolicy
from monnaie_locale.config import Settings

router = APIRouter(prefix="/v1", tags=["auth"])


def login_policy(settings: Settings) -> LoginPolicy:
    """How long a token lives, and when failed attempts lock a user: the settings'."""
    return LoginPolicy(
        token_ttl=timedelta(minutes=settings.token_ttl_minutes),
        max_failures=settings.login_max_failures,
        lockout=timedelta(minutes=settings.lockout_minutes),
    )


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
    issued = sessions.sign_in(
        database, body.username, body.password, clock=clock, policy=login_policy(settings)
    )
    return TokenOut(token=issued.token, expires_at=issued.expires_at)


@router.post(
    "/auth/logout",
    dependencies=[Depends(forgets_credentials)],
    status_code=204,
    summary="Revoke the token this request carries",
    responses=problem_responses(401, 422),
)
def logout(ctx: Annotated[Context, acting(sessions.sign_out)]) -> Response:
    sessions.sign_out(ctx)
    return Response(status_code=204)


@router.get(
    "/me",
    summary="The caller: name, role and the accounts they hold",
    responses=problem_responses(401),
)
def me(ctx: Annotated[Context, acting(sessions.whoami)]) -> Me:
    principal = sessions.whoami(ctx)
    return Me(name=principal.name, role=principal.role, accounts=sorted(principal.accounts))
