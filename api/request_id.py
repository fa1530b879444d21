"""A request id for every request, in the response, the problem documents and the logs.

The id comes from the ``X-Request-ID`` header when a client or proxy sends a sane one
(so one id follows a request across services), else it is made here
(:func:`request_id_for`; :mod:`api.envelope` sets it for the request). It is echoed in
the response header, carried by every problem document, and set on every log record
written while the request is served, through :class:`RequestIdFilter` (attach it to the
log handlers; ``%(request_id)s`` then works in any log format).
"""

from __future__ import annotations

import logging
import re
import secrets
from contextvars import ContextVar, Token

from starlette.types import Scope

__all__ = [
    "HEADER",
    "RequestIdFilter",
    "current_request_id",
    "request_id_for",
    "served",
    "serving",
]

HEADER = "X-Request-ID"
_SANE = re.compile(r"[A-Za-z0-9._:-]{1,64}")
_HEADER_KEY = HEADER.lower().encode()
_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)


def current_request_id() -> str | None:
    """The id of the request being served in this context, if any."""
    return _request_id.get()


def request_id_for(scope: Scope) -> str:
    """The id of the request of ``scope``: the client's when sane, else a new one."""
    given = b""
    for name, value in scope.get("headers", ()):
        if name == _HEADER_KEY:
            given = value  # the last one, should a client send several
    text = given.decode("latin-1")
    # 128 random bits in hex, as a UUID's hex would show them, for less work.
    return text if _SANE.fullmatch(text) else secrets.token_hex(16)


def serving(request_id: str) -> Token[str | None]:
    """Mark the current context as serving ``request_id``; undo with :func:`served`."""
    return _request_id.set(request_id)


def served(token: Token[str | None]) -> None:
    _request_id.reset(token)


class RequestIdFilter(logging.Filter):
    """Sets ``record.request_id`` ("-" outside a request) on every record it sees."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id() or "-"
        return True
