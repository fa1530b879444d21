"""The two web pages of the QR flow: the payer's page behind every QR, and the till's page.

``GET /R/{token}`` is the URL a phone camera opens. It verifies the request and shows the
merchant's name as the server's own account table has it (its display name, else its
code; never text from the QR), the amount (or a field for a counter code), then lets the
member sign in and confirm; the confirm button calls ``POST /v1/checkout/pay``. A browser
signed in to the web app (its session cookie, :mod:`api.web.session`) gets a plain form
instead, ``POST /R/{token}/payer``, that pays from the member's account with no script
at all. A refused request gets its reason in plain words, and no way to pay. The path is
matched in either case (``/r/`` too), and the token is read uppercase, as QR codes carry
it.

``GET /checkout`` is the till: sign in, type an amount, show the QR, and watch it turn to
"Payé" through the event stream, or say it expired; every payment and refund of the shop,
the printed counter code's included, is listed as it arrives. Amounts and punctuation are
written as the page's language writes them (:mod:`api.typography`). Both are plain HTML
with a small script, no build step;
their scripts are served from ``/assets/checkout/``, and a Content-Security-Policy allows
only those. The pages are not API operations, so the OpenAPI document leaves them out;
anyone may open them (:data:`~api.deps.Public`), the API they call checks who they are.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from api import i18n
from api.checkout_runtime import CheckoutDep
from api.deps import ClockDep, DatabaseDep, Public, SettingsDep
from api.problems import status_for
from api.typography import money
from api.web.rendering import PageRoute, language_of
from api.web.session import SESSION_COOKIE, CheckedForm, PageContext, csrf_token
from api.web.wallet import new_key
from monnaie_locale.acts import checkout
from monnaie_locale.auth import Principal, resolve_credential
from monnaie_locale.errors import MonnaieLocaleError, NotFound
from monnaie_locale.money import parse_amount
from monnaie_locale.payments.request import RequestKind

__all__ = ["router", "session_router"]

_PAGES = Path(__file__).resolve().parent.parent / "pages"
_ASSETS = {
    "common.js": "text/javascript",
    "pay.js": "text/javascript",
    "checkout.js": "text/javascript",
    "passkeys.js": "text/javascript",
    "style.css": "text/css",
}
_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
_templates = Jinja2Templates(directory=str(_PAGES / "templates"))

router = APIRouter(include_in_schema=False, dependencies=[Public])
# Paying with the web app's session: a page route, so its refusals are the pages' own.
session_router = APIRouter(include_in_schema=False, route_class=PageRoute)

Lang = Annotated[str | None, Query(max_length=5)]


@router.get("/R/{token}", response_class=HTMLResponse)
@router.get("/r/{token}", response_class=HTMLResponse)
def pay_page(
    token: str,
    request: Request,
    database: DatabaseDep,
    runtime: CheckoutDep,
    clock: ClockDep,
    settings: SettingsDep,
    lang: Lang = None,
) -> Response:
    language = _language(request, lang)
    token = token.strip().upper()[:512]
    context: dict[str, Any] = {"token": token, "currency": settings.currency_symbol}
    payer = _signed_in(request, database, clock)
    if payer is not None:
        # The key is made with the form: a double submit pays once.
        context.update(payer=payer.name, csrf=csrf_token(request), key=new_key())
    status = 200
    try:
        found = checkout.preview(database, token, services=runtime, clock=clock)
    except MonnaieLocaleError as refusal:
        status = status_for(type(refusal))
        if status >= 500:
            raise
        context["refusal"] = i18n.refusal(refusal.code, language)
        context["refusal_code"] = refusal.code
    else:
        dynamic = found.request.kind is RequestKind.DYNAMIC
        context.update(
            merchant=found.payee.shown_name,
            amount=money(found.request.amount, language, settings.currency_symbol)
            if dynamic
            else None,
            reference=found.request.reference,
        )
    return _render(request, "pay.html", language, context, status=status)


def _signed_in(request: Request, database: Any, clock: Any) -> Principal | None:
    """Who the web app's session cookie belongs to, if anyone (the page is open to all)."""
    session = request.cookies.get(SESSION_COOKIE)
    if not session or len(session) > 200:
        return None
    now = clock()
    found: Principal | None = database.read(lambda conn: resolve_credential(conn, session, now=now))
    return found if found is not None and found.token_id is not None else None


@session_router.post("/R/{token}/payer", response_class=HTMLResponse)
def pay_with_session(
    token: str,
    request: Request,
    form: CheckedForm,
    ctx: PageContext,
    runtime: CheckoutDep,
    settings: SettingsDep,
) -> Response:
    """Pay the request from the signed-in member's account; "Payé", or the refusal.

    The answer is the page itself, not a redirect: sent again (a reload), the form carries
    the same key and gets the same payment back, never a second one.
    """
    language = _language(request, None)
    token = token.strip().upper()[:512]
    typed = str(form.get("amount", "")).strip()[:40]
    context: dict[str, Any] = {"token": token, "currency": settings.currency_symbol}
    try:
        payment = checkout.pay(
            ctx,
            token,
            key=str(form.get("key", ""))[:64] or new_key(),
            services=runtime,
            amount=parse_amount(typed) if typed else None,
        )
    except MonnaieLocaleError as refusal:
        status = status_for(type(refusal))
        if status >= 500:
            raise
        context.update(refusal=i18n.refusal(refusal.code, language), refusal_code=refusal.code)
        return _render(request, "pay.html", language, context, status=status)
    context.update(
        paid=True,
        merchant=payment.merchant_name,
        amount=money(payment.amount, language, settings.currency_symbol),
    )
    return _render(request, "pay.html", language, context)


@router.get("/checkout", response_class=HTMLResponse)
def checkout_page(request: Request, settings: SettingsDep, lang: Lang = None) -> Response:
    language = _language(request, lang)
    return _render(request, "checkout.html", language, {"currency": settings.currency_symbol})


@router.get("/assets/checkout/{name}")
def asset(name: str) -> Response:
    if name not in _ASSETS:
        raise _NoSuchAsset(name)
    return FileResponse(
        _PAGES / "assets" / name,
        media_type=_ASSETS[name],
        headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"},
    )


class _NoSuchAsset(NotFound):
    code = "route_not_found"

    def __init__(self, name: str) -> None:
        super().__init__(f"no page asset {name!r}")


def _language(request: Request, lang: str | None) -> i18n.Language:
    if lang is None and request.cookies.get("mlc_lang") in ("fr", "en"):
        return language_of(request)  # the web app's language switch
    return i18n.choose_language(query=lang, accept_language=request.headers.get("accept-language"))


def _render(
    request: Request,
    template: str,
    language: i18n.Language,
    context: dict[str, Any],
    *,
    status: int = 200,
) -> Response:
    response = _templates.TemplateResponse(
        request,
        template,
        {
            **context,
            "lang": language,
            "t": i18n.texts(language),
            "messages": i18n.refusals(language),
        },
        status_code=status,
    )
    response.headers["Content-Security-Policy"] = _CSP
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    if "csrf" in context:
        csrf_token(request, response)  # the session form's token, as the web app's pages
        # With no referrer at all, a browser posts the form from origin "null", which the
        # CSRF guard refuses; same-origin still tells no other site the token.
        response.headers["Referrer-Policy"] = "same-origin"
    return response
