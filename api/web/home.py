"""The pages everyone starts from: the home page, signing in and out, the language switch.

================================  ======================================================
Page                              Who may open it
================================  ======================================================
``GET /``                         anyone: links to the wallet, the shop, the directory
                                  and the API's documentation
``GET/POST /connexion``           anyone: a username and password open a session
``POST /deconnexion``             anyone signed in: this session ends
``POST /deconnexion-partout``     anyone signed in: every session of theirs ends
``GET /langue/{fr|en}``           anyone: the pages' language, kept in a cookie
================================  ======================================================
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from api import db_calls
from api.deps import Public
from api.problems import status_for
from api.rate_limit import AttemptLimiter
from api.routers.auth import login_policy
from api.web.rendering import LANGUAGE_COOKIE, PageRoute, language_of, redirect, render
from api.web.session import (
    SESSION_COOKIE,
    CheckedForm,
    PageContext,
    end_session,
    local_path,
    start_session,
)
from monnaie_locale.acting import Context
from monnaie_locale.acts import regie_desk, sessions
from monnaie_locale.auth import Principal, Role, resolve_credential
from monnaie_locale.errors import MonnaieLocaleError
from monnaie_locale.i18n import Messages, describe

__all__ = ["home_for", "optional_user", "router"]

router = APIRouter(include_in_schema=False, dependencies=[Public], route_class=PageRoute)

Next = Annotated[str | None, Query(alias="suite", max_length=300)]

_HOMES = {
    Role.MEMBER: "/portefeuille",
    # An agent without a duty at a régie (see home_for) holds an account as a member does.
    Role.AUTHORITY_AGENT: "/portefeuille",
    Role.MERCHANT_OWNER: "/commerce",
    Role.MERCHANT_CASHIER: "/commerce",
    # The association's people start from its dashboard.
    Role.ASSOCIATION_OPERATOR: "/gestion",
    Role.AUDITOR: "/gestion",
    Role.ADMIN: "/gestion",
    Role.OFFICE_OPERATOR: "/guichet",
}


def home_for(request: Request, principal: Principal) -> str:
    """Where a user lands after signing in: their wallet, their shop, the association's
    dashboard, their exchange office's counter, or the home page; an authority's agent
    who collects at a régie or oversees its finances, the régies' space."""
    if principal.role == Role.AUTHORITY_AGENT:
        state = request.app.state
        ctx = Context(
            database=state.database,
            actor=principal,
            deployment=state.deployment,
            clock=state.clock,
        )
        if regie_desk.works_at_regies(ctx):
            return "/regie"
    return _HOMES.get(principal.role, "/")


async def optional_user(request: Request) -> Principal | None:
    """Who is signed in on this browser, if anyone (for pages open to all)."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token or len(token) > 200:
        return None
    state = request.app.state
    now = state.clock()
    principal: Principal | None = await db_calls.look_up(
        state.database, lambda conn: resolve_credential(conn, token, now=now)
    )
    return principal if principal is not None and principal.token_id is not None else None


@router.get("/", response_class=Response)
async def home(request: Request) -> Response:
    user = await optional_user(request)
    return render(
        request,
        "web/home.html",
        {"name": request.app.state.settings.deployment_name},
        user=user,
    )


@router.get("/connexion", response_class=Response)
async def sign_in_page(request: Request, suite: Next = None) -> Response:
    return render(request, "web/sign_in.html", {"next": local_path(suite, "")})


@router.post("/connexion", response_class=Response)
def sign_in(request: Request, form: CheckedForm) -> Response:
    state = request.app.state
    settings = state.settings
    username, password = str(form.get("username", ""))[:150], str(form.get("password", ""))
    next_page = local_path(str(form.get("next", "")), "")
    limiter: AttemptLimiter = state.login_limiter
    now = state.clock()
    try:
        limiter.hit(request.client.host if request.client else "unknown", now=now)
        issued = sessions.sign_in(
            state.database, username, password, clock=state.clock, policy=login_policy(settings)
        )
    except MonnaieLocaleError as refusal:
        notice = describe(
            refusal, Messages(language_of(request)), prefixes=("page.refusal.", "error.")
        )
        return render(
            request,
            "web/sign_in.html",
            {"next": next_page, "notice": notice or refusal.message, "username": username},
            status=status_for(type(refusal)),
        )
    principal = state.database.read(lambda conn: resolve_credential(conn, issued.token, now=now))
    response = redirect(request, next_page or home_for(request, principal))
    start_session(response, issued.token, expires_at=issued.expires_at, settings=settings, now=now)
    return response


@router.post("/deconnexion", response_class=Response)
def sign_out(request: Request, form: CheckedForm, ctx: PageContext) -> Response:
    sessions.sign_out(ctx)
    response = redirect(request, "/")
    end_session(response, settings=request.app.state.settings)
    return response


@router.post("/deconnexion-partout", response_class=Response)
def sign_out_everywhere(request: Request, form: CheckedForm, ctx: PageContext) -> Response:
    sessions.sign_out_all(ctx)
    response = redirect(request, "/")
    end_session(response, settings=request.app.state.settings)
    return response


@router.get("/langue/{language}", response_class=Response)
async def switch_language(request: Request, language: str, suite: Next = None) -> Response:
    response = redirect(request, local_path(suite))
    if language in ("fr", "en"):
        response.set_cookie(
            LANGUAGE_COOKIE, language, max_age=365 * 24 * 3600, path="/", samesite="lax"
        )
    return response
