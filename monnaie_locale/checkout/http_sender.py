"""The real webhook sender: one HTTP POST with httpx, to a checked address, no redirects.

Kept apart from :mod:`monnaie_locale.checkout.webhooks` so the core imports no HTTP client
unless the service sends webhooks.

Where the request goes. The URL's host is resolved here, every address checked against
the :class:`~monnaie_locale.checkout.destinations.DestinationPolicy`, and the connection
made to one of those very addresses: the URL is rewritten to the address, with the
original ``Host`` header, and for https the original name as TLS server name, so the
certificate is still verified against the name. Resolving once and connecting to what was
checked leaves DNS no second answer to give (a record that changes between the check and
the connection cannot lead the request inside). For the same reason no proxy from the
environment is used, no redirect is followed (a signed notification goes to the URL the
merchant registered, nowhere else), and no connection is kept for reuse: each request
opens its own, verified for its own name.
"""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from monnaie_locale.checkout.destinations import Address, DestinationPolicy, Unresolvable
from monnaie_locale.checkout.errors import InvalidWebhookUrl
from monnaie_locale.checkout.webhooks import DeliveryFailed

__all__ = ["HttpxSender"]


class HttpxSender:
    """A :data:`~monnaie_locale.checkout.webhooks.Send` over httpx.

    Raises :class:`~monnaie_locale.checkout.destinations.DestinationRefused` (nothing
    sent) when the host is not public, :class:`DeliveryFailed` when no answer came.
    """

    def __init__(
        self,
        *,
        destinations: DestinationPolicy | None = None,
        timeout_seconds: float = 10.0,
        user_agent: str = "monnaie-locale",
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._destinations = destinations if destinations is not None else DestinationPolicy()
        self._client = httpx.Client(
            timeout=timeout_seconds,
            follow_redirects=False,
            trust_env=False,
            limits=httpx.Limits(max_keepalive_connections=0),
            headers={"user-agent": user_agent},
            transport=transport,
        )

    def __call__(self, url: str, body: bytes, headers: Mapping[str, str]) -> int:
        try:
            host, port = self._destinations.target(url)
            addresses = self._destinations.addresses(host, port)
        except InvalidWebhookUrl as exc:
            raise DeliveryFailed("the URL is not an absolute http(s) URL") from exc
        except Unresolvable as exc:
            raise DeliveryFailed("the URL's host name does not resolve") from exc
        target = httpx.URL(url)
        failure: httpx.HTTPError | None = None
        # The first address that accepts a connection gets the request, as a client
        # trying a name's addresses in turn would.
        for address in addresses:
            try:
                return self._post(target, address, body, headers)
            except httpx.ConnectError as exc:
                failure = exc
            except httpx.HTTPError as exc:
                raise DeliveryFailed(f"{type(exc).__name__}: {exc}") from exc
        raise DeliveryFailed(f"{type(failure).__name__}: {failure}") from failure

    def _post(
        self, target: httpx.URL, address: Address, body: bytes, headers: Mapping[str, str]
    ) -> int:
        pinned = target.copy_with(host=str(address))
        extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
        response = self._client.post(
            pinned,
            content=body,
            headers={**headers, "host": target.netloc.decode("ascii")},
            extensions=extensions,
        )
        return response.status_code

    def close(self) -> None:
        self._client.close()
