"""How a page is written: its language, its texts, its amounts, its headers, its refusals.

The language is the visitor's choice (the ``mlc_lang`` cookie the language switch sets,
or ``?lang=`` on one page), else the browser's preference, else French. Texts are the
catalogue's ``page.`` keys, shared with the payment pages; amounts are written as the
language writes them ("12,50 EK"). Every page forbids being framed and loading anything
from another host (its Content-Security-Policy).

A page route that meets one of the core's refusals answers with the API's status and the
API's message in the visitor's language, on a page that says what to do next: the
:class:`PageRoute` does this for every route of a page router.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates

from api import i18n
from api.problems import status_for
from api.typography import money, typeset
from api.web.session import csrf_token
from monnaie_locale.auth.errors import NotAuthenticated
from monnaie_locale.errors import MonnaieLocaleError
from monnaie_locale.i18n import LANGUAGES, Language, Messages, describe, preferred_language

__all__ = ["CSP", "LANGUAGE_COOKIE", "PageRoute", "language_of", "redirect", "render"]

LANGUAGE_COOKIE = "mlc_lang"
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'; "
    "manifest-src 'self'; worker-src 'self'"
)
_TEMPLATES = Path(__file__).resolve().parent.parent / "pages" / "templates"
templates = Jinja2Templates(directory=str(_TEMPLATES))


def language_of(request: Request) -> Language:
    """The page's language: ``?lang=``, the visitor's switch, the browser, French."""
    for chosen in (request.query_params.get("lang"), request.cookies.get(LANGUAGE_COOKIE)):
        if chosen in LANGUAGES:
            return chosen
    return preferred_language(request.headers.get("accept-language")) or "fr"


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status: int = 200,
    user: Any = None,
) -> Response:
    """``template`` in the visitor's language, with the texts, helpers and headers of a page."""
    language = language_of(request)
    symbol = request.app.state.settings.currency_symbol
    zone = request.app.state.deployment.zone
    response = templates.TemplateResponse(
        request,
        template,
        {
            **(context or {}),
            "lang": language,
            "t": i18n.texts(language),
            "messages": i18n.refusals(language),
            "currency": symbol,
            "csrf": csrf_token(request),
            "user": user,
            "path": request.url.path,
            "money": lambda minor: money(minor, language, symbol),
            "when": lambda moment: _when(moment, language, zone),
            "day": lambda moment: _day(moment, language, zone),
        },
        status_code=status,
    )
    _page_headers(request, response)
    return response


def redirect(request: Request, target: str) -> Response:
    """After a form's success: the next page, by GET (so a reload posts nothing again)."""
    response = RedirectResponse(target, status_code=303)
    _page_headers(request, response)
    return response


def _page_headers(request: Request, response: Response) -> None:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cache-Control"] = "no-store"
    response.headers["Vary"] = "Cookie, Accept-Language"
    csrf_token(request, response)


def _when(moment: datetime, language: Language, zone: Any) -> str:
    local = moment.astimezone(zone)
    return local.strftime("%d/%m/%Y %H:%M" if language == "fr" else "%Y-%m-%d %H:%M")


def _day(moment: datetime, language: Language, zone: Any) -> str:
    local = moment.astimezone(zone) if isinstance(moment, datetime) else moment
    return local.strftime("%d/%m/%Y" if language == "fr" else "%Y-%m-%d")


def refusal_page(request: Request, error: MonnaieLocaleError, *, user: Any = None) -> Response:
    """The API's refusal of ``error``, as a page in the visitor's language."""
    status = status_for(type(error))
    if status >= 500:
        raise error
    language = language_of(request)
    messages = Messages(language)
    detail = describe(error, messages, prefixes=("page.refusal.", "api.error.", "error."))
    if isinstance(error, NotAuthenticated):
        return render(
            request,
            "web/sign_in.html",
            {"next": request.url.path, "notice": detail},
            status=status,
        )
    return render(
        request,
        "web/refusal.html",
        {"code": error.code, "detail": typeset(detail or error.message, language)},
        status=status,
        user=user,
    )


def _wants_json(request: Request) -> bool:
    return request.headers.get("accept", "").startswith("application/json")


class PageRoute(APIRoute):
    """A page route: the core's refusals and malformed forms become pages, not JSON."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except MonnaieLocaleError as error:
                if _wants_json(request):
                    raise  # a page script's call: the API's problem document
                return refusal_page(request, error)
            except RequestValidationError:
                return render(
                    request,
                    "web/refusal.html",
                    {
                        "code": "invalid_form",
                        "detail": i18n.refusal("invalid_form", language_of(request)),
                    },
                    status=422,
                )

        return page_handler
