"""Reading a scanned payment request: decode, verify, and translate the codec's refusals.

Everything the QR says is checked here before the database is asked anything: the
deployment it names, the key id, the Ed25519 signature over every field, and the validity
window: refused from its ``expires_at`` on, exactly, and before its ``issued_at`` beyond a
little clock skew. What survives is only a claim that *this deployment* issued a request
with this id; whom it pays and whether it is still open is then read from the stored
request, never from the QR.
"""

from __future__ import annotations

from datetime import datetime

from monnaie_locale.checkout.errors import refusal_of
from monnaie_locale.payments.keys import KeyRing
from monnaie_locale.payments.request import PaymentRequest, PaymentRequestError, decode_request

__all__ = ["CLOCK_SKEW_SECONDS", "token_of", "unix_seconds", "verify_token"]

# The server both issues and verifies a request, but with several hosts their clocks may
# disagree by a few seconds: a request just issued by one must not look "not yet valid"
# to another. The skew applies before issued_at only: the expiry the till shows is exact.
CLOCK_SKEW_SECONDS = 30


def unix_seconds(stamp: datetime) -> int:
    """Whole unix seconds of an aware datetime, as the request codec counts time."""
    return int(stamp.timestamp())


def token_of(token_or_url: str) -> str:
    """The token part of a request URL (or the text itself): only to compare with a stored
    token, after the signature was verified."""
    text = token_or_url.strip()
    return text.rsplit("/R/", 1)[1] if "/R/" in text else text


def verify_token(
    token_or_url: str,
    *,
    keyring: KeyRing,
    deployment_id: int,
    now: datetime,
    clock_skew: int = CLOCK_SKEW_SECONDS,
) -> PaymentRequest:
    """The verified request of ``token_or_url``; a ``PaymentRequestRefused`` error otherwise."""
    try:
        return decode_request(
            token_or_url.strip(),
            keyring=keyring,
            deployment_id=deployment_id,
            now=unix_seconds(now),
            clock_skew=clock_skew,
        )
    except PaymentRequestError as exc:
        raise refusal_of(exc) from exc
