"""Signed receipts: the proof a merchant's till receives that a payment was booked.

When a payment completes, the ledger sends the merchant (over Server-Sent Events or a
webhook) a receipt naming the transaction, its journal sequence, the request it settles, the
accounts, the amount in cents and the time. The receipt is signed with the deployment's
Ed25519 key, so a till can trust it without trusting the channel: it needs only the public
key JWK the deployment publishes.

Wire form, a JSON object::

    {"receipt": {...fields...}, "kid": "<key id hex>", "signature": "<base64url>"}

The signature is detached, over the UTF-8 bytes of the receipt's *canonical JSON*: keys
sorted, no whitespace. Values are only integers and printable ASCII strings (or null), for
which this is exactly RFC 8785 (JCS), so any language can rebuild the signed bytes. The
receipt holds a `type` field: a signature over a receipt cannot pass for anything else the
same key signs (payment requests are binary and never start with `{`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, fields

from monnaie_locale.payments.keys import (
    SigningKey,
    b64url_decode,
    b64url_encode,
    public_key_from_jwk,
    verify_signature,
)

RECEIPT_TYPE = "monnaie-locale/payment-receipt/v1"


class ReceiptError(Exception):
    """Raised when a receipt is malformed, signed by an unknown key, or its signature fails."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"receipt refused: {reason}")
        self.reason = reason


@dataclass(frozen=True, kw_only=True)
class Receipt:
    """A completed payment, as the ledger booked it. Amounts are integer cents."""

    transaction_id: str
    journal_sequence: int
    request_id: str | None  # hex of the payment request id; None for a payment without one
    payer_account: int
    payee_account: int
    amount_cents: int
    currency: str
    timestamp: int  # unix seconds

    def __post_init__(self) -> None:
        for name in ("journal_sequence", "payer_account", "payee_account", "timestamp"):
            _require_int(name, getattr(self, name), minimum=0)
        _require_int("amount_cents", self.amount_cents, minimum=1)
        for name in ("transaction_id", "currency"):
            _require_text(name, getattr(self, name))
        if self.request_id is not None:
            _require_text("request_id", self.request_id)


def canonical_json(receipt: Receipt) -> bytes:
    """The exact bytes a receipt signature covers."""
    document = {"type": RECEIPT_TYPE, **asdict(receipt)}
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode("ascii")


def sign_receipt(receipt: Receipt, *, key: SigningKey) -> dict[str, object]:
    """Sign `receipt` with `key`; return the JSON-ready wire form."""
    return {
        "receipt": json.loads(canonical_json(receipt)),
        "kid": key.key_id.hex(),
        "signature": b64url_encode(key.sign(canonical_json(receipt))),
    }


def verify_receipt(document: Mapping[str, object], *, keys: Iterable[Mapping[str, str]]) -> Receipt:
    """Verify a signed receipt against published JWKs; return it or raise `ReceiptError`.

    `keys` holds the deployment's public JWKs (`[jwk]` for one key, or a JWK Set's "keys").
    """
    receipt = _parse_receipt(document.get("receipt"))
    kid, signature = document.get("kid"), document.get("signature")
    if not isinstance(kid, str) or not isinstance(signature, str):
        raise ReceiptError("kid and signature must be strings")
    jwk = next((jwk for jwk in keys if jwk.get("kid") == kid), None)
    if jwk is None:
        raise ReceiptError(f"no published key {kid}")
    try:
        public_key = public_key_from_jwk(jwk)
        raw_signature = b64url_decode(signature)
    except ValueError as exc:
        raise ReceiptError(str(exc)) from exc
    if not verify_signature(public_key, signature=raw_signature, message=canonical_json(receipt)):
        raise ReceiptError("bad signature")
    return receipt


def _parse_receipt(value: object) -> Receipt:
    if not isinstance(value, dict):
        raise ReceiptError("receipt must be an object")
    if value.get("type") != RECEIPT_TYPE:
        raise ReceiptError("not a payment receipt")
    names = {field.name for field in fields(Receipt)}
    # Unknown fields are refused: they would be shown to the merchant yet not be signed.
    if set(value) != names | {"type"}:
        raise ReceiptError("unexpected or missing fields")
    try:
        return Receipt(**{name: value[name] for name in names})
    except (TypeError, ValueError) as exc:
        raise ReceiptError(str(exc)) from exc


def _require_int(name: str, value: object, *, minimum: int) -> None:
    # bool is an int subclass, and a float near money is a bug: refuse both.
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}")


def _require_text(name: str, value: object) -> None:
    if not isinstance(value, str) or not value or not all(" " <= c <= "~" for c in value):
        raise ValueError(f"{name} must be non-empty printable ASCII")
