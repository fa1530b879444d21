"""A real uvicorn server on a free loopback port, in a thread of the test process, the
checkout calls the API and browser tests share, and a guard that keeps a browser page
from reaching any host but the test server.

The server runs the application the test built, over the test's own database, so the
test can set up accounts and users directly and read what the server wrote.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

import httpx
import uvicorn
from fastapi import FastAPI
from sqlalchemy import func, select

from api.checkout_runtime import CheckoutRuntime
from monnaie_locale.store import Database
from monnaie_locale.store.tables_checkout import checkout_events, checkout_payments

__all__ = ["block_outside", "checkout_rows", "issue", "live_server", "runtime_of"]


@contextmanager
def live_server(app: FastAPI) -> Iterator[str]:
    """Serve ``app`` with uvicorn on 127.0.0.1 and a free port; yield its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app, log_level="warning", timeout_graceful_shutdown=1, lifespan="on", access_log=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def runtime_of(app: Any) -> CheckoutRuntime:
    runtime: CheckoutRuntime = app.state.checkout
    return runtime


def issue(
    client: httpx.Client | Any,
    headers: dict[str, str],
    *,
    amount: str = "12.50",
    account: str = "bakery",
    key: str = "issue-1",
    **extra: Any,
) -> dict[str, Any]:
    """Issue a dynamic request through the API; its JSON."""
    response = client.post(
        "/v1/checkout/requests",
        json={"account": account, "amount": amount, **extra},
        headers={**headers, "Idempotency-Key": key},
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def checkout_rows(database: Database) -> tuple[int, int]:
    """How many payments and feed events are stored."""

    def count(conn: Any) -> tuple[int, int]:
        payments = conn.execute(select(func.count()).select_from(checkout_payments)).scalar_one()
        events = conn.execute(select(func.count()).select_from(checkout_events)).scalar_one()
        return int(payments), int(events)

    return database.read(count)


def block_outside(page: Any, base_url: str) -> list[str]:
    """Stop every request ``page`` makes to another origin than ``base_url``'s; the list
    it returns fills with their URLs, in order, as the page attempts them.

    A page fit for a network without internet asks nothing of another host: a test opens
    its pages under this guard and asserts the list stays empty. Requests are aborted
    before they leave, so a page that needs a CDN shows itself broken as it would be
    offline, and no visitor's address reaches a third party. Web sockets are held to the
    same rule. ``data:`` URLs never reach the network and are not counted.
    """
    own = _origin(base_url)
    attempted: list[str] = []

    def seen(url: str) -> bool:
        if _origin(url) == own or url.startswith(("data:", "blob:", "about:")):
            return False
        if url not in attempted:
            attempted.append(url)
        return True

    def on_request(route: Any) -> None:
        if seen(route.request.url):
            route.abort("blockedbyclient")
        else:
            route.continue_()

    def on_socket(socket: Any) -> None:
        if seen(socket.url):
            socket.close()
        else:
            socket.connect_to_server()

    page.route("**/*", on_request)
    page.route_web_socket("**/*", on_socket)
    # What no route saw (a request from a worker, say) is still reported here.
    page.on("request", lambda request: seen(request.url))
    return attempted


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    scheme = {"ws": "http", "wss": "https"}.get(parts.scheme, parts.scheme)
    return scheme, parts.netloc.lower()
