"""The browser's session and the CSRF guard of every form.

Signing in on a page issues the same token the API's ``POST /v1/auth/login`` gives, and
keeps it in a cookie the page's scripts cannot read (``HttpOnly``), that other sites'
forms do not carry (``SameSite=Lax``) and, in production, that travels over HTTPS only
(``Secure``). Signing out revokes it, as the API's sign-out does. The token is checked
against the database on every page: a page never trusts a remembered principal, so a
revocation takes effect at once.

Every form posts a CSRF token equal to the browser's CSRF cookie (a random value set on
the first page seen), and a form posted from another origin is refused whatever its
token: a site that cannot read our cookies cannot forge the field, and the browser says
where a post comes from (``Origin``, ``Sec-Fetch-Site``).
"""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Request, Response
from starlette.datastructures import FormData

from api import db_calls
from monnaie_locale.acting import Context
from monnaie_locale.auth import Principal, resolve_credential
from monnaie_locale.auth.errors import Forbidden, NotAuthenticated
from monnaie_locale.clock import Clock
from monnaie_locale.config import Settings
from monnaie_locale.errors import InvalidRequest
from monnaie_locale.store.database import Database

__all__ = [
    "CSRF_COOKIE",
    "CSRF_FIELD",
    "SESSION_COOKIE",
    "CheckedForm",
    "CheckedScriptCall",
    "CsrfRefused",
    "FieldTooLong",
    "PageContext",
    "PageUser",
    "csrf_token",
    "end_session",
    "form_field",
    "local_path",
    "start_session",
]

SESSION_COOKIE = "mlc_session"
CSRF_COOKIE = "mlc_csrf"
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"


class FieldTooLong(InvalidRequest):
    """A form's field longer than any value it may hold: refused, never cut to fit (a cut
    BIC or amount could be another valid one)."""

    code = "invalid_form"

    def __init__(self, name: str, limit: int) -> None:
        super().__init__(f"the field {name!r} holds more than {limit} characters")


def form_field(form: FormData, name: str, *, limit: int) -> str:
    """The text of the form's field ``name``, spaces around it removed; "" when absent."""
    value = form.get(name, "")
    text = value.strip() if isinstance(value, str) else ""
    if len(text) > limit:
        raise FieldTooLong(name, limit)
    return text


class CsrfRefused(Forbidden):
    """A form posted without its token, with another, or from another site."""

    code = "csrf_refused"

    def __init__(self) -> None:
        super().__init__("the form was not sent by this site's page; reload the page and retry")


def start_session(
    response: Response, token: str, *, expires_at: datetime, settings: Settings, now: datetime
) -> None:
    """Keep ``token`` in the browser until it expires."""
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=max(0, int((expires_at - now).total_seconds())),
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.is_production,
    )


def end_session(response: Response, *, settings: Settings) -> None:
    """Forget the session cookie in the browser (the token is revoked by the act)."""
    response.delete_cookie(
        SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=settings.is_production
    )


def csrf_token(request: Request, response: Response | None = None) -> str:
    """The browser's CSRF token, made (and set on ``response``) on the first page seen."""
    token = request.cookies.get(CSRF_COOKIE)
    if token and len(token) == 43:
        return token
    token = getattr(request.state, "new_csrf", None) or secrets.token_urlsafe(32)
    request.state.new_csrf = token
    if response is not None:
        set_csrf_cookie(response, token, secure=request.app.state.settings.is_production)
    return token


def set_csrf_cookie(response: Response, token: str, *, secure: bool) -> None:
    response.set_cookie(CSRF_COOKIE, token, path="/", httponly=True, samesite="lax", secure=secure)


async def _checked_form(request: Request) -> FormData:
    """The posted form, once it is shown to come from one of this site's pages."""
    _check_origin(request)
    form = await request.form()
    _check_token(request, form.get(CSRF_FIELD))
    return form


async def _checked_script_call(request: Request) -> None:
    """A page script's JSON call (a passkey's ceremony), shown to come from this site:
    it sends the page's token in the ``X-CSRF-Token`` header."""
    _check_origin(request)
    _check_token(request, request.headers.get(CSRF_HEADER))


def _check_origin(request: Request) -> None:
    if request.headers.get("sec-fetch-site") == "cross-site":
        raise CsrfRefused()
    origin = request.headers.get("origin")
    if origin is not None and origin != _own_origin(request):
        raise CsrfRefused()


def _check_token(request: Request, sent: object) -> None:
    expected = request.cookies.get(CSRF_COOKIE)
    if not isinstance(sent, str) or not expected or not hmac.compare_digest(sent, expected):
        raise CsrfRefused()


def _own_origin(request: Request) -> str:
    url = request.url
    default = {"http": 80, "https": 443}.get(url.scheme)
    port = "" if url.port in (None, default) else f":{url.port}"
    return f"{url.scheme}://{url.hostname}{port}"


CheckedForm = Annotated[FormData, Depends(_checked_form)]
CheckedScriptCall = Depends(_checked_script_call)


async def _page_user(request: Request) -> Principal:
    """Who the session cookie belongs to; ``NotAuthenticated`` when nobody is signed in."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token or len(token) > 200:
        raise NotAuthenticated()
    state = request.app.state
    clock: Clock = state.clock
    database: Database = state.database
    principal = await db_calls.look_up(
        database, lambda conn: resolve_credential(conn, token, now=clock())
    )
    if principal is None or principal.token_id is None:
        raise NotAuthenticated("the session has ended; sign in again")
    return principal


async def _page_context(
    request: Request, principal: Annotated[Principal, Depends(_page_user)]
) -> Context:
    state = request.app.state
    return Context(
        database=state.database,
        actor=principal,
        deployment=state.deployment,
        clock=state.clock,
        signing=state.checkout,
    )


PageUser = Annotated[Principal, Depends(_page_user)]
PageContext = Annotated[Context, Depends(_page_context)]


def local_path(target: str | None, fallback: str = "/") -> str:
    """``target`` if it is a path on this site, else ``fallback``: never an open redirect."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or "\\" in target:
        return fallback
    return target
