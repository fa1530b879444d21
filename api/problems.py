"""Errors as RFC 9457 problem details, decided in this one place.

Every refusal leaves the service as ``application/problem+json`` with ``type``,
``title``, ``status``, ``detail`` and a stable machine-readable ``code``. The HTTP status
of a core error is found by walking its class hierarchy in :data:`STATUS_BY_ERROR`, so a
new error inherits the status of its family. Validation errors become 422 (400 for a
body that is not JSON), unknown routes 404; anything unexpected is logged and becomes a
500 whose detail reveals nothing. A database that cannot serve is a 503 whose detail says
so, and what the operator does when the tables are missing; the driver's own words go to
the log only (the store translates them into core errors, see
:mod:`monnaie_locale.store.database`).

The ``detail`` of a core error is written for whoever reads it. A request whose
``Accept-Language`` prefers French or English gets the catalogue's text for the error's
code (:mod:`monnaie_locale.i18n`): the CLI's ``error.<code>`` entry, or the API's own
``api.error.<code>`` where the CLI's names a command or an option, filled from the
error's fields with amounts in the language's decimals; the pages say the same thing.
A request without that header, as machine clients send, gets the error's own English
message, as before; so does a code the catalogue lacks. ``Content-Language`` names the
language of the detail on every problem response; ``code`` and ``status`` never change
with it.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Mapping
from datetime import UTC
from email.utils import format_datetime
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.request_id import current_request_id
from monnaie_locale.auth.errors import (
    CredentialLocked,
    Forbidden,
    InvalidCredentials,
    NotAuthenticated,
    TooManyAttempts,
)
from monnaie_locale.errors import (
    Conflict,
    DatabaseUnavailable,
    InvalidAmount,
    InvalidData,
    InvalidRequest,
    JournalBroken,
    MonnaieLocaleError,
    NotFound,
)
from monnaie_locale.i18n import Language, Messages, describe, preferred_language

__all__ = [
    "PROBLEM_MEDIA_TYPE",
    "STATUS_BY_ERROR",
    "TYPE_PREFIX",
    "Problem",
    "install",
    "problem_response",
    "problem_responses",
    "problem_schemas",
    "status_for",
]

PROBLEM_MEDIA_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:monnaie-locale:problem:"
log = logging.getLogger("api")

STATUS_BY_ERROR: dict[type[MonnaieLocaleError], int] = {
    NotAuthenticated: 401,
    InvalidCredentials: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    InvalidAmount: 422,
    InvalidRequest: 422,
    CredentialLocked: 429,
    TooManyAttempts: 429,
    JournalBroken: 500,
    DatabaseUnavailable: 503,
}


class ValidationIssue(BaseModel):
    location: str = Field(examples=["body.amount"])
    message: str = Field(examples=['amounts are strings such as "12.50"'])
    type: str = Field(examples=["value_error"])


class Problem(BaseModel):
    """An RFC 9457 problem document, with the service's stable error ``code``."""

    type: str = Field(examples=[TYPE_PREFIX + "insufficient_funds"])
    title: str = Field(examples=["Insufficient funds"])
    status: int = Field(examples=[409])
    detail: str = Field(examples=["account alice cannot pay 50.00: 12.50 available"])
    code: str = Field(examples=["insufficient_funds"])
    errors: list[ValidationIssue] | None = None
    request_id: str | None = Field(
        default=None, description="Quote it when asking for help.", examples=["5f0c1e2d"]
    )


def problem_response(
    status: int,
    code: str,
    detail: str,
    *,
    errors: list[ValidationIssue] | None = None,
    headers: Mapping[str, str] | None = None,
    language: Language = "en",
) -> JSONResponse:
    """A problem document; ``language`` is that of ``detail``, English unless translated."""
    problem = Problem(
        type=TYPE_PREFIX + code,
        title=code.replace("_", " ").capitalize(),
        status=status,
        detail=detail,
        code=code,
        errors=errors,
        request_id=current_request_id(),
    )
    return JSONResponse(
        problem.model_dump(exclude_none=True),
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers={**(headers or {}), "Content-Language": language},
    )


def status_for(error: type[MonnaieLocaleError]) -> int:
    """The HTTP status of a core error class: that of its nearest mapped ancestor."""
    for cls in error.__mro__:
        if cls in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[cls]
    return 500


def _headers_for(error: MonnaieLocaleError) -> Mapping[str, str] | None:
    if isinstance(error, NotAuthenticated | InvalidCredentials):
        return {"WWW-Authenticate": "Bearer"}
    if isinstance(error, CredentialLocked):
        return {"Retry-After": format_datetime(error.until.astimezone(UTC), usegmt=True)}
    if isinstance(error, TooManyAttempts):
        return {"Retry-After": str(error.retry_after_seconds)}
    return None


def _detail(error: MonnaieLocaleError, request: Request) -> tuple[str, Language]:
    """The error's detail in the language the request prefers, else its own message."""
    language = preferred_language(request.headers.get("accept-language"))
    if language is None:
        return error.message, "en"
    try:
        text = describe(error, Messages(language), prefixes=("api.error.", "error."))
    except (KeyError, IndexError, ValueError):
        # A text naming a field this error lacks must not turn a refusal into a 500.
        log.warning("the catalogue cannot word %s in %s", error.code, language, exc_info=True)
        text = None
    return (error.message, "en") if text is None else (text, language)


async def _core_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, MonnaieLocaleError)
    status = status_for(type(exc))
    if isinstance(exc, DatabaseUnavailable):
        # The message is written for clients; the driver's reason may name the server.
        log.error("database unavailable (%s): %s", exc.code, exc.reason)
        return problem_response(status, exc.code, exc.message)
    if status >= 500:
        log.error("server-side error %s: %s", exc.code, exc.message)
        return problem_response(status, "internal_error", "the service failed; try again later")
    if isinstance(exc, InvalidData):
        # Input validation should stop such values first: a gap in it is worth a look.
        log.warning("the database refused a value: %s", exc.reason)
    detail, language = _detail(exc, request)
    return problem_response(status, exc.code, detail, headers=_headers_for(exc), language=language)


def _issues(exc: RequestValidationError) -> list[ValidationIssue]:
    return [
        ValidationIssue(
            location=".".join(str(part) for part in error.get("loc", ())),
            message=str(error.get("msg", "invalid")),
            type=str(error.get("type", "value_error")),
        )
        for error in exc.errors()
    ]


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    issues = _issues(exc)
    if any(issue.type == "json_invalid" for issue in issues):
        return problem_response(
            400, "malformed_json", "the request body is not valid JSON", errors=issues
        )
    detail = "; ".join(f"{issue.location}: {issue.message}" for issue in issues)
    return problem_response(422, "validation_failed", detail, errors=issues)


_HTTP_CODES = {
    400: "bad_request",
    404: "route_not_found",
    405: "method_not_allowed",
    413: "body_too_large",
}


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(exc.status_code, f"http_{exc.status_code}")
    detail = str(exc.detail)
    headers = exc.headers
    if exc.status_code == 404:
        detail = "no such route; see /openapi.json for the routes this service offers"
    if exc.status_code == 405:
        fallback = (headers or {}).get("Allow", "")
        headers = {**(headers or {}), "Allow": _allowed_methods(request, fallback)}
    return problem_response(exc.status_code, code, detail, headers=headers)


_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def _allowed_methods(request: Request, fallback: str) -> str:
    """The methods of the resource the path names, as the OpenAPI document lists them.

    Starlette names those of the first route whose path matches, though another route
    may answer another method there. Where a path fits several templates, the one with
    the fewest parameters names it: /v1/accounts/import is the import, not an account.
    """
    document: dict[str, Any] = request.app.openapi()
    path = request.url.path
    fits = [
        (template.count("{"), item)
        for template, item in document["paths"].items()
        if _template(template).fullmatch(path)
    ]
    if not fits:
        return fallback
    fewest = min(parameters for parameters, _ in fits)
    named = {method.upper() for parameters, item in fits if parameters == fewest for method in item}
    return ", ".join(method for method in _METHODS if method in named)


@functools.cache
def _template(template: str) -> re.Pattern[str]:
    parts = re.split(r"\{[^}]+\}", template)
    return re.compile("[^/]+".join(re.escape(part) for part in parts))


async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error", exc_info=exc)
    return problem_response(500, "internal_error", "the service failed; try again later")


def install(app: FastAPI) -> None:
    """Register the handlers that turn every error into a problem document."""
    app.add_exception_handler(MonnaieLocaleError, _core_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the problem responses a route may give."""
    descriptions = {
        400: "Malformed JSON or a missing header",
        401: "No valid credential",
        403: "The credential may not do this",
        404: "Not found",
        409: "Refused by the ledger's state, or an idempotency key reused with another body",
        413: "Body too large",
        422: "Invalid input",
        429: "Too many attempts",
        503: "The database is unavailable",
    }
    return {
        status: {
            "description": descriptions[status],
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
            **({"headers": {"Retry-After": _RETRY_AFTER}} if status == 429 else {}),
        }
        for status in statuses
    }


_RETRY_AFTER = {
    "description": "When to try again: seconds, or the HTTP date a sign-in lock ends.",
    "required": True,
    "schema": {"type": "string"},
}


def problem_schemas() -> dict[str, Any]:
    """The schemas the problem responses refer to, for the OpenAPI document's components."""
    schema = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    definitions: dict[str, Any] = schema.pop("$defs", {})
    return {"Problem": schema, **definitions}
