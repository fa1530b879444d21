"""The payment routes, answered without FastAPI's general machinery when the request is
well formed.

``POST /v1/transfers`` and ``POST /v1/checkout/pay`` are what a till and a payer's phone
send all day. FastAPI answers any route by solving its dependency graph, validating
each parameter against its declaration, then validating and serialising the answer
again: on these two routes that took more of the server's CPU than the payment itself.

:class:`PaymentShortcuts` sits inside the service's middleware (so the request id, the
security headers, the access log, the metrics and the body limit apply as to any other
request) and answers those two routes itself, in the same steps FastAPI takes and with
the same functions: the JSON body validated by the route's own model, the
``Idempotency-Key`` by its own declaration; then the caller (:func:`api.deps
.current_principal`), the payment limit (:func:`api.payment_limit.limit_payments`) and
the act's roles (:func:`api.deps.context_for`), in FastAPI's order; then the route's own
function, whose answer is serialised as FastAPI would. A refusal goes through the
application's exception handlers, as from FastAPI.

Anything else (no or another content type, a body that is not JSON or not valid, a
missing or malformed key) takes the ordinary route, with the body replayed: FastAPI
answers it as before, with the same problem documents. The shortcut only ever answers
what the route would have answered, faster; tests compare the two.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi.routing import APIRoute
from pydantic import BaseModel, TypeAdapter, ValidationError
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.deps import IdempotencyKey, bearer, context_for, current_principal
from api.payment_limit import limit_payments
from monnaie_locale.acting import Act

__all__ = ["PaymentShortcuts", "Shortcut"]

_KEY = TypeAdapter(IdempotencyKey)
_JSON_TYPES = frozenset({b"application/json", b"application/json; charset=utf-8"})
_ANSWER_TYPE = (b"content-type", b"application/json")


@dataclass(frozen=True)
class Shortcut:
    """One route answered here, and what its function takes.

    The route's function is called with ``body`` (the route's ``body`` model),
    ``idempotency_key`` and ``ctx`` (the caller's context for ``act``), and with
    ``runtime`` (the checkout's services) when ``with_runtime``.
    """

    route: APIRoute
    body: type[BaseModel]
    act: Act[Any, Any]
    with_runtime: bool = False

    def __post_init__(self) -> None:
        # A parameter added to the route would be silently missing here: refuse to start.
        taken = {"body", "idempotency_key", "ctx"} | ({"runtime"} if self.with_runtime else set())
        declared = set(inspect.signature(self.route.endpoint).parameters)
        if declared != taken or self.route.methods != {"POST"}:
            raise ValueError(f"{self.route.path}: the shortcut passes {taken}, not {declared}")


class PaymentShortcuts:
    """ASGI middleware answering the :class:`Shortcut` routes, passing on the rest."""

    def __init__(self, app: ASGIApp, *, shortcuts: list[Shortcut]) -> None:
        self.app = app
        self.shortcuts = {shortcut.route.path: shortcut for shortcut in shortcuts}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        shortcut = None
        if scope["type"] == "http" and scope["method"] == "POST":
            shortcut = self.shortcuts.get(scope["path"])
        if shortcut is None:
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        if body is None:  # the client went away: let the route see the disconnect
            await self.app(scope, _replay({"type": "http.disconnect"}, receive), send)
            return
        arguments = _well_formed(scope, body, shortcut)
        if arguments is None:
            replayed = {"type": "http.request", "body": body, "more_body": False}
            await self.app(scope, _replay(replayed, receive), send)
            return
        # The metrics label the request by the route it took, as the router would.
        scope["route"] = shortcut.route
        request = Request(scope, receive)
        try:
            answer = await _answer(request, shortcut, arguments)
        except Exception as refused:
            handler = _handler_for(scope, refused)
            if handler is None:  # unexpected: the server's error middleware logs it, 500
                raise
            response = handler(request, refused)
            if inspect.isawaitable(response):
                response = await response
            await response(scope, receive, send)
            return
        await send(
            {
                "type": "http.response.start",
                "status": shortcut.route.status_code,
                "headers": [(b"content-length", str(len(answer)).encode()), _ANSWER_TYPE],
            }
        )
        await send({"type": "http.response.body", "body": answer})


async def _answer(request: Request, shortcut: Shortcut, arguments: dict[str, Any]) -> bytes:
    """Who calls, the limit, the roles, then the route's own function; its answer as JSON."""
    principal = await current_principal(request, await bearer(request))
    await limit_payments(request, principal, request.app.state.clock)
    arguments["ctx"] = context_for(request, principal, shortcut.act.roles)
    if shortcut.with_runtime:
        arguments["runtime"] = request.app.state.checkout
    result = await shortcut.route.endpoint(**arguments)
    # What FastAPI writes for a route returning its response model (by alias, compact).
    answer: bytes = result.__pydantic_serializer__.to_json(result, by_alias=True)
    return answer


def _well_formed(scope: Scope, body: bytes, shortcut: Shortcut) -> dict[str, Any] | None:
    """The route's body and key, when both are valid as it declares them; else None."""
    content_type = key = None
    for name, value in scope["headers"]:
        if name == b"content-type":
            content_type = value.lower() if content_type is None else b""
        elif name == b"idempotency-key" and key is None:
            key = value.decode("latin-1")
    if content_type not in _JSON_TYPES or key is None:
        return None
    try:
        parsed = json.loads(body)
        return {
            "body": shortcut.body.model_validate(parsed),
            "idempotency_key": _KEY.validate_python(key),
        }
    except (ValueError, RecursionError, ValidationError):  # json's errors are ValueErrors
        return None


def _handler_for(scope: Scope, error: Exception) -> Callable[..., Any] | None:
    """The application's handler for ``error``, as its exception middleware finds it; not
    the one for any ``Exception``, which the outermost middleware runs."""
    handlers = scope["app"].exception_handlers
    for kind in type(error).__mro__:
        if kind is Exception:
            return None
        if kind in handlers:
            handler: Callable[..., Any] = handlers[kind]
            return handler
    return None


async def _read_body(receive: Receive) -> bytes | None:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(message: Message, receive: Receive) -> Receive:
    pending = [message]

    async def replay() -> Message:
        return pending.pop() if pending else await receive()

    return replay
