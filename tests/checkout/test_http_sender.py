"""The httpx webhook sender: posts the body and headers as given to the address it checked,
refuses addresses inside the network, maps failures."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import ClassVar

import httpx
import pytest

from monnaie_locale.checkout import DeliveryFailed, DestinationPolicy, DestinationRefused
from monnaie_locale.checkout.http_sender import HttpxSender
from tests.checkout.conftest import PUBLIC, PUBLIC_ADDRESS, FakeDns

URL = "https://bakery.example.org/hooks"


def test_posts_the_body_and_headers_to_the_checked_address_under_the_url_s_name() -> None:
    seen: list[httpx.Request] = []

    def server(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(202)

    sender = HttpxSender(destinations=PUBLIC, transport=httpx.MockTransport(server))
    status = sender(URL, b'{"a":1}', {"webhook-id": "msg_1", "content-type": "application/json"})
    sender.close()

    assert status == 202
    (request,) = seen
    assert request.method == "POST"
    assert str(request.url) == f"https://{PUBLIC_ADDRESS}/hooks"
    assert request.headers["host"] == "bakery.example.org"
    # TLS still names the host, so its certificate is verified against the name.
    assert request.extensions["sni_hostname"] == "bakery.example.org"
    assert request.content == b'{"a":1}'
    assert request.headers["webhook-id"] == "msg_1"


def test_a_redirect_is_not_followed() -> None:
    urls: list[str] = []

    def server(request: httpx.Request) -> httpx.Response:
        urls.append(str(request.url))
        return httpx.Response(307, headers={"location": "http://169.254.169.254/"})

    sender = HttpxSender(destinations=PUBLIC, transport=httpx.MockTransport(server))

    assert sender(URL, b"{}", {}) == 307
    assert urls == [f"https://{PUBLIC_ADDRESS}/hooks"]


def test_no_answer_becomes_delivery_failed() -> None:
    def server(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    sender = HttpxSender(destinations=PUBLIC, transport=httpx.MockTransport(server))

    with pytest.raises(DeliveryFailed, match="ConnectError"):
        sender(URL, b"{}", {})


def test_the_next_address_of_the_name_is_tried_when_one_refuses_the_connection() -> None:
    second = "93.184.215.15"
    dns = FakeDns({"bakery.example.org": [PUBLIC_ADDRESS, second]})

    def server(request: httpx.Request) -> httpx.Response:
        if request.url.host == PUBLIC_ADDRESS:
            raise httpx.ConnectError("connection refused", request=request)
        return httpx.Response(200)

    sender = HttpxSender(
        destinations=DestinationPolicy(resolve=dns), transport=httpx.MockTransport(server)
    )

    assert sender(URL, b"{}", {}) == 200


def test_a_name_that_now_resolves_inside_the_network_gets_no_request() -> None:
    seen: list[httpx.Request] = []
    dns = FakeDns({"bakery.example.org": ["169.254.169.254"]})

    def server(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200)

    sender = HttpxSender(
        destinations=DestinationPolicy(resolve=dns), transport=httpx.MockTransport(server)
    )

    with pytest.raises(DestinationRefused):
        sender(URL, b"{}", {})
    assert seen == []


class _Recorder(BaseHTTPRequestHandler):
    received: ClassVar[list[tuple[str, str, bytes]]] = []

    def do_POST(self) -> None:
        length = int(self.headers["content-length"])
        self.received.append((self.path, self.headers["host"], self.rfile.read(length)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def _local_server() -> Iterator[tuple[int, list[tuple[str, str, bytes]]]]:
    """A plain HTTP server on 127.0.0.1 and a free port, recording what it receives."""
    received: list[tuple[str, str, bytes]] = []
    handler = type("Recorder", (_Recorder,), {"received": received})
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], received
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_a_local_receiver_is_reached_only_when_loopback_is_allowed() -> None:
    dns = FakeDns({"hooks.dev.example": ["127.0.0.1"]})
    with _local_server() as (port, received):
        url = f"http://hooks.dev.example:{port}/hooks"
        refusing = HttpxSender(destinations=DestinationPolicy(resolve=dns))
        allowing = HttpxSender(destinations=DestinationPolicy(allow_loopback=True, resolve=dns))

        with pytest.raises(DestinationRefused):
            refusing(url, b"{}", {})
        assert received == []
        status = allowing(url, b'{"a":1}', {"content-type": "application/json"})
        refusing.close()
        allowing.close()

    assert status == 204
    assert received == [("/hooks", f"hooks.dev.example:{port}", b'{"a":1}')]
