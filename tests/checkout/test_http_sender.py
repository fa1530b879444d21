"""The httpx webhook sender: posts the body and headers as given, maps failures."""

from __future__ import annotations

import httpx
import pytest

from monnaie_locale.checkout import DeliveryFailed
from monnaie_locale.checkout.http_sender import HttpxSender

URL = "https://bakery.example.org/hooks"


def test_posts_the_body_and_headers_and_returns_the_status() -> None:
    seen: list[httpx.Request] = []

    def server(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(202)

    sender = HttpxSender(transport=httpx.MockTransport(server))
    status = sender(URL, b'{"a":1}', {"webhook-id": "msg_1", "content-type": "application/json"})
    sender.close()

    assert status == 202
    assert seen[0].method == "POST" and str(seen[0].url) == URL
    assert seen[0].content == b'{"a":1}'
    assert seen[0].headers["webhook-id"] == "msg_1"


def test_a_redirect_is_not_followed() -> None:
    urls: list[str] = []

    def server(request: httpx.Request) -> httpx.Response:
        urls.append(str(request.url))
        return httpx.Response(307, headers={"location": "https://elsewhere.example.org/"})

    sender = HttpxSender(transport=httpx.MockTransport(server))

    assert sender(URL, b"{}", {}) == 307
    assert urls == [URL]


def test_no_answer_becomes_delivery_failed() -> None:
    def server(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    sender = HttpxSender(transport=httpx.MockTransport(server))

    with pytest.raises(DeliveryFailed, match="ConnectError"):
        sender(URL, b"{}", {})
