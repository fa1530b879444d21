"""What every HTTP request gets, in one middleware: its id, the security headers, a line
in the access log and its count in the metrics.

Each of these was a middleware of its own, and each wrapped the request and its answer
once more; a payment spent a tenth of its CPU passing through them. They run here in
the order they had, as one layer with one wrapper around ``send``:

* the request id (:mod:`api.request_id`) is set for everything the request does, its
  log records included, and echoed in the answer's headers;
* the answer carries the security headers (:mod:`api.security_headers`);
* once answered (or failed: then counted as a 500), the request is counted in the
  metrics by its route template (:class:`api.metrics.Metrics`) and logged
  (:func:`api.logging.log_request`), with its duration.
"""

from __future__ import annotations

import logging
import time

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.logging import access_log, log_request
from api.metrics import UNMATCHED, Metrics
from api.request_id import HEADER, request_id_for, served, serving
from api.security_headers import add_security_headers

__all__ = ["Envelope"]


class Envelope:
    """ASGI middleware: the request id, security headers, access log and metrics."""

    def __init__(self, app: ASGIApp, *, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_for(scope)
        started = time.perf_counter()
        status = 500

        async def send_enveloped(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = MutableHeaders(scope=message)
                add_security_headers(headers)
                headers[HEADER] = request_id
            await send(message)

        token = serving(request_id)
        try:
            await self.app(scope, receive, send_enveloped)
        finally:
            seconds = time.perf_counter() - started
            # The router leaves the matched route in the scope it shares with us.
            route = getattr(scope.get("route"), "path", UNMATCHED)
            self.metrics.observe(scope["method"], route, status, seconds)
            if access_log.isEnabledFor(logging.INFO):
                log_request(scope["method"], scope["path"], status, seconds)
            served(token)
