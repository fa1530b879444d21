"""Headers every answer carries, whatever route or error produced it.

* ``X-Content-Type-Options: nosniff``: a browser never guesses another type than the one
  declared, so a CSV export or a problem document is not run as a script or a page.
* ``Cache-Control: no-store``, unless the route chose its own: tokens, API keys,
  balances and statements must not be kept by a shared cache or on the disk of a shared
  computer. The few answers fit for caching (the pages' assets) say so themselves.

The HTML pages (the pay pages, the till, ``/docs``) add their own
Content-Security-Policy, which allows scripts and styles from this origin only: what a
page needs is served here (:mod:`api.routers.pay_pages`, :mod:`api.routers.docs`).
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["SecurityHeaders"]


class SecurityHeaders:
    """ASGI middleware adding the headers above to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["X-Content-Type-Options"] = "nosniff"
                if "cache-control" not in headers:
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)
