"""Passkeys on the pages: signing in with one, and a user's own passkeys.

================================  ======================================================
Page                              Who may open it
================================  ======================================================
``POST /connexion/cle/options``   anyone: the options of a passkey sign-in
``POST /connexion/cle``           anyone: the authenticator's answer opens a session
``GET /cles``                     anyone signed in: their passkeys, to add or remove
``POST /cles/options``            anyone signed in: the options of a new passkey
``POST /cles``                    anyone signed in: the new passkey, under a name
``POST /cles/{id}/retirer``       anyone signed in: one of their passkeys removed
================================  ======================================================

The ceremonies are the core's (:mod:`monnaie_locale.acts.passkeys`); the page's script
(``/assets/checkout/passkeys.js``) calls these routes with the page's CSRF token in a
header, and a refusal comes back as the API's problem document. A passkey sign-in opens
the same session as a password (:mod:`api.web.session`).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Request, Response
from fastapi.responses import JSONResponse

from api.deps import Public
from api.rate_limit import AttemptLimiter
from api.routers.auth import login_policy
from api.schemas.passkeys import PasskeyRegisterIn, PasskeySignInIn
from api.web.home import home_for
from api.web.rendering import PageRoute, redirect, render
from api.web.session import CheckedForm, CheckedScriptCall, PageContext, start_session
from monnaie_locale.acts import passkeys
from monnaie_locale.auth import resolve_credential

__all__ = ["router"]

router = APIRouter(include_in_schema=False, route_class=PageRoute)


@router.post("/connexion/cle/options", dependencies=[Public, CheckedScriptCall])
def sign_in_options(request: Request) -> dict[str, Any]:
    state = request.app.state
    return passkeys.begin_sign_in(
        state.database, clock=state.clock, party=passkeys.relying_party(state.settings)
    )


@router.post("/connexion/cle", dependencies=[Public, CheckedScriptCall])
def sign_in(request: Request, body: Annotated[PasskeySignInIn, Body()]) -> Response:
    state = request.app.state
    limiter: AttemptLimiter = state.login_limiter
    now = state.clock()
    limiter.hit(request.client.host if request.client else "unknown", now=now)
    issued = passkeys.finish_sign_in(
        state.database,
        body.answer(),
        clock=state.clock,
        party=passkeys.relying_party(state.settings),
        policy=login_policy(state.settings),
    )
    principal = state.database.read(lambda conn: resolve_credential(conn, issued.token, now=now))
    response = JSONResponse({"next": home_for(request, principal)})
    start_session(
        response, issued.token, expires_at=issued.expires_at, settings=state.settings, now=now
    )
    return response


@router.get("/cles", response_class=Response)
def own_passkeys(request: Request, ctx: PageContext) -> Response:
    return render(
        request, "web/passkeys.html", {"passkeys": passkeys.list_passkeys(ctx)}, user=ctx.actor
    )


@router.post("/cles/options", dependencies=[CheckedScriptCall])
def registration_options(request: Request, ctx: PageContext) -> dict[str, Any]:
    return passkeys.begin_registration(
        ctx, party=passkeys.relying_party(request.app.state.settings)
    )


@router.post("/cles", dependencies=[CheckedScriptCall])
def register(
    request: Request, ctx: PageContext, body: Annotated[PasskeyRegisterIn, Body()]
) -> dict[str, Any]:
    passkey = passkeys.finish_registration(
        ctx, body.answer(), body.name, party=passkeys.relying_party(request.app.state.settings)
    )
    return {"id": passkey.id, "name": passkey.name}


@router.post("/cles/{passkey_id}/retirer", response_class=Response)
def revoke(
    request: Request,
    form: CheckedForm,
    ctx: PageContext,
    passkey_id: Annotated[int, Path(ge=1, le=2**63 - 1)],
) -> Response:
    passkeys.revoke_passkey(ctx, passkey_id)
    return redirect(request, "/cles")
