"""Request dependencies, as typed aliases: the settings, the database, the clock, and who
is calling.

Each route declares who may call it: :func:`acting` gives a route that calls one of the
core's acts its :class:`~monnaie_locale.acting.Context`, admitting the act's own roles;
:data:`Public` marks the routes anyone may call; the alias :data:`CurrentUser` only
authenticates. Credentials are sent as
``Authorization: Bearer <token or API key>``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api import db_calls
from api.principal_cache import PrincipalCache
from api.rate_limit import AttemptLimiter
from monnaie_locale.acting import Act, Context
from monnaie_locale.auth import Principal, resolve_credential
from monnaie_locale.auth.errors import NotAuthenticated, RoleForbidden
from monnaie_locale.clock import Clock
from monnaie_locale.config import Settings
from monnaie_locale.store.database import Database

__all__ = [
    "ClockDep",
    "CurrentUser",
    "DatabaseDep",
    "IdempotencyKey",
    "LimiterDep",
    "Public",
    "SettingsDep",
    "acting",
    "bearer",
    "context_for",
    "current_principal",
]


async def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def _database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


async def _clock(request: Request) -> Clock:
    clock: Clock = request.app.state.clock
    return clock


async def _limiter(request: Request) -> AttemptLimiter:
    limiter: AttemptLimiter = request.app.state.login_limiter
    return limiter


# The dependencies that only read app.state are coroutines: FastAPI runs a plain function
# dependency on a worker thread, and that hop costs more than the work.
SettingsDep = Annotated[Settings, Depends(_settings)]
DatabaseDep = Annotated[Database, Depends(_database)]
ClockDep = Annotated[Clock, Depends(_clock)]
LimiterDep = Annotated[AttemptLimiter, Depends(_limiter)]

bearer = HTTPBearer(
    auto_error=False,
    description="A sign-in token from POST /v1/auth/login, or a terminal's API key.",
)


async def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    """The caller behind the bearer credential; 401 when there is none that is valid.

    A valid credential is remembered a moment (see api.principal_cache).
    """
    if credentials is None:
        raise NotAuthenticated()
    credential = credentials.credentials
    state = request.app.state
    cache: PrincipalCache = state.principals
    clock: Clock = state.clock
    principal = cache.get(credential, now=clock())
    if principal is None:
        database: Database = state.database
        principal = await db_calls.look_up(
            database, lambda conn: resolve_credential(conn, credential, now=clock())
        )
        if principal is None:
            raise NotAuthenticated("the credential is unknown, expired or revoked; sign in again")
        cache.put(credential, principal)
    return principal


CurrentUser = Annotated[Principal, Depends(current_principal)]


def acting(act: Act[Any, Any]) -> Any:
    """A dependency giving the route its caller's :class:`Context` for ``act``.

    Only the act's roles are admitted (403 for the others, before the body is read); the
    act checks them again, and everything else it needs, itself.
    """
    allowed = act.roles

    async def context(request: Request, principal: CurrentUser) -> Context:
        return context_for(request, principal, allowed)

    return Depends(context)


def context_for(request: Request, principal: Principal, allowed: frozenset[Any]) -> Context:
    """The :class:`Context` of ``principal`` acting through ``request``; 403 unless its
    role is ``allowed``."""
    if principal.role not in allowed:
        raise RoleForbidden(str(principal.role))
    state = request.app.state
    return Context(
        database=state.database,
        actor=principal,
        deployment=state.deployment,
        clock=state.clock,
        signing=state.checkout,
    )


async def _public() -> None:
    """Marks a route anyone may call, so that every route says who may call it."""


Public = Depends(_public)

IdempotencyKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=100,
        pattern=r"^[\x21-\x7e]+$",
        description="A new random key per operation (visible ASCII, such as a UUID); a retry "
        "with the same key and body "
        "gets the first response, the same key with another body gets 409.",
        examples=["6f1c2a8e-4d0b-4a43-9a8c-0f3e7f0e2b11"],
    ),
]
