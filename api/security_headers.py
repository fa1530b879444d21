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

__all__ = ["add_security_headers"]


def add_security_headers(headers: MutableHeaders) -> None:
    """Add the headers above to an answer's ``headers`` (:mod:`api.envelope` calls it)."""
    headers["X-Content-Type-Options"] = "nosniff"
    if "cache-control" not in headers:
        headers["Cache-Control"] = "no-store"
