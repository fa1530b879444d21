"""The real webhook sender: one HTTP POST with httpx, no redirects, a short timeout.

Kept apart from :mod:`monnaie_locale.checkout.webhooks` so the core imports no HTTP client
unless the service sends webhooks. Redirects are not followed: a signed notification goes
to the URL the merchant registered, nowhere else.
"""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from monnaie_locale.checkout.webhooks import DeliveryFailed

__all__ = ["HttpxSender"]


class HttpxSender:
    """A :data:`~monnaie_locale.checkout.webhooks.Send` over one pooled httpx client."""

    def __init__(
        self,
        *,
        timeout_seconds: float = 10.0,
        user_agent: str = "monnaie-locale",
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._client = httpx.Client(
            timeout=timeout_seconds,
            follow_redirects=False,
            headers={"user-agent": user_agent},
            transport=transport,
        )

    def __call__(self, url: str, body: bytes, headers: Mapping[str, str]) -> int:
        try:
            response = self._client.post(url, content=body, headers=dict(headers))
        except httpx.HTTPError as exc:
            raise DeliveryFailed(f"{type(exc).__name__}: {exc}") from exc
        return response.status_code

    def close(self) -> None:
        self._client.close()
