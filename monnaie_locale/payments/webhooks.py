"""Webhook signing per the Standard Webhooks specification.

A merchant's server receiving a payment notification must know it comes from the ledger and
is not a replay. Each delivery carries three headers:

- `webhook-id`: the message id, stable across retries, for deduplication;
- `webhook-timestamp`: unix seconds when sent;
- `webhook-signature`: `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`, possibly
  several space-separated, so a secret can be rotated without dropping deliveries.

The secret is shared with the merchant as `whsec_<base64 of the key bytes>`. The receiver
refuses timestamps outside a tolerance window on both sides: an old one is a replay, a
future one would let a captured message be replayed later.

Exceptions::

    WebhookVerificationError
    ├── WebhookHeaderError      a header is missing or unreadable
    ├── WebhookTimestampError   timestamp too old or too far in the future
    └── WebhookSignatureError   no signature matches
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from collections.abc import Mapping

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32
DEFAULT_TOLERANCE_SECONDS = 5 * 60


class WebhookVerificationError(Exception):
    """Root of every refusal of an incoming webhook."""


class WebhookHeaderError(WebhookVerificationError):
    """Raised when a required header is missing or not in the expected format."""

    def __init__(self, header: str) -> None:
        super().__init__(f"missing or invalid header {header}")
        self.header = header


class WebhookTimestampError(WebhookVerificationError):
    """Raised when the timestamp is more than `tolerance` seconds before or after `now`."""

    def __init__(self, *, timestamp: int, now: int, tolerance: int) -> None:
        super().__init__(f"timestamp {timestamp} is not within {tolerance}s of {now}")
        self.timestamp = timestamp
        self.now = now
        self.tolerance = tolerance


class WebhookSignatureError(WebhookVerificationError):
    """Raised when no `v1` signature in the header matches the message."""


def generate_secret() -> str:
    """A new random secret in `whsec_<base64>` form."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def sign(body: bytes, *, secret: str, msg_id: str, timestamp: int) -> dict[str, str]:
    """Return the three headers to send with `body`."""
    signature = _signature(_key(secret), msg_id=msg_id, timestamp=timestamp, body=body)
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": f"v1,{signature}",
    }


def verify(
    body: bytes,
    *,
    headers: Mapping[str, str],
    secret: str,
    now: int,
    tolerance: int = DEFAULT_TOLERANCE_SECONDS,
) -> None:
    """Check a received webhook; raise a `WebhookVerificationError` subclass if refused.

    Header names are matched case-insensitively, as HTTP requires.
    """
    lowered = {name.lower(): value for name, value in headers.items()}
    msg_id = _header(lowered, "webhook-id")
    timestamp_text = _header(lowered, "webhook-timestamp")
    if not timestamp_text.isascii() or not timestamp_text.isdigit():
        raise WebhookHeaderError("webhook-timestamp")
    timestamp = int(timestamp_text)
    if abs(now - timestamp) > tolerance:
        raise WebhookTimestampError(timestamp=timestamp, now=now, tolerance=tolerance)
    expected = _signature(_key(secret), msg_id=msg_id, timestamp=timestamp, body=body)
    for candidate in _header(lowered, "webhook-signature").split(" "):
        version, _, value = candidate.partition(",")
        # compare_digest: the time taken must not reveal how many characters matched.
        if version == "v1" and hmac.compare_digest(value.encode(), expected.encode()):
            return
    raise WebhookSignatureError("no matching v1 signature")


def _key(secret: str) -> bytes:
    encoded = secret.removeprefix(SECRET_PREFIX)
    try:
        return base64.b64decode(encoded, validate=True)
    except binascii.Error as exc:
        raise ValueError("webhook secret must be whsec_ followed by base64") from exc


def _signature(key: bytes, *, msg_id: str, timestamp: int, body: bytes) -> str:
    message = f"{msg_id}.{timestamp}.".encode() + body
    return base64.b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode("ascii")


def _header(headers: Mapping[str, str], name: str) -> str:
    value = headers.get(name)
    if not value:
        raise WebhookHeaderError(name)
    return value
