"""Signed receipts: a till verifies them with the published JWK alone; tampering is refused."""

from __future__ import annotations

import base64
import json
from dataclasses import replace
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from monnaie_locale.payments import (
    KeyRing,
    Receipt,
    ReceiptError,
    SigningKey,
    public_jwk,
    sign_receipt,
    verify_receipt,
)

KEY = SigningKey.generate()
RECEIPT = Receipt(
    transaction_id="tx-000123",
    journal_sequence=98765,
    request_id="0011223344556677",
    payer_account=17,
    payee_account=4242,
    amount_cents=1250,
    currency="EUS",
    timestamp=1_790_000_123,
)


def published() -> list[dict[str, str]]:
    """The JWK Set as a till fetches it: through JSON, nothing but plain data."""
    keys: list[dict[str, str]] = json.loads(json.dumps(KeyRing(KEY).jwks()))["keys"]
    return keys


def over_the_wire(document: dict[str, object]) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(json.dumps(document))
    return loaded


def test_signed_receipt_verifies_with_the_published_jwk() -> None:
    document = over_the_wire(sign_receipt(RECEIPT, key=KEY))
    assert verify_receipt(document, keys=published()) == RECEIPT


def test_independent_verifier_rebuilds_the_signed_bytes() -> None:
    document = over_the_wire(sign_receipt(RECEIPT, key=KEY))
    jwk = next(k for k in published() if k["kid"] == document["kid"])
    public_key = Ed25519PublicKey.from_public_bytes(base64.urlsafe_b64decode(jwk["x"] + "="))
    signed = json.dumps(document["receipt"], sort_keys=True, separators=(",", ":")).encode()
    signature = base64.urlsafe_b64decode(document["signature"] + "==")
    public_key.verify(signature, signed)  # raises InvalidSignature on mismatch
    assert document["receipt"]["amount_cents"] == 1250


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("amount_cents", 125000),
        ("payee_account", 666),
        ("payer_account", 18),
        ("request_id", "ffffffffffffffff"),
        ("journal_sequence", 98766),
    ],
)
def test_changed_field_is_refused(field: str, value: object) -> None:
    document = over_the_wire(sign_receipt(RECEIPT, key=KEY))
    document["receipt"][field] = value
    with pytest.raises(ReceiptError, match="bad signature"):
        verify_receipt(document, keys=published())


def test_extra_unsigned_field_is_refused() -> None:
    document = over_the_wire(sign_receipt(RECEIPT, key=KEY))
    document["receipt"]["note"] = "paid in full"
    with pytest.raises(ReceiptError, match="fields"):
        verify_receipt(document, keys=published())


@pytest.mark.parametrize("amount", [12.5, True, "1250", -1, 0])
def test_non_integer_or_non_positive_amount_is_refused(amount: object) -> None:
    document = over_the_wire(sign_receipt(RECEIPT, key=KEY))
    document["receipt"]["amount_cents"] = amount
    with pytest.raises(ReceiptError):
        verify_receipt(document, keys=published())


def test_receipt_signed_by_another_key_is_refused() -> None:
    forged = over_the_wire(sign_receipt(RECEIPT, key=SigningKey.generate()))
    with pytest.raises(ReceiptError, match="no published key"):
        verify_receipt(forged, keys=published())
    forged["kid"] = KEY.key_id.hex()
    with pytest.raises(ReceiptError, match="bad signature"):
        verify_receipt(forged, keys=published())


def test_garbled_signature_is_refused() -> None:
    document = over_the_wire(sign_receipt(RECEIPT, key=KEY))
    document["signature"] = "!!" + document["signature"][2:]
    with pytest.raises(ReceiptError):
        verify_receipt(document, keys=published())


def test_receipt_signed_before_a_rotation_still_verifies() -> None:
    old = SigningKey.generate()
    ring = KeyRing(old)
    document = over_the_wire(sign_receipt(RECEIPT, key=ring.active))
    ring.rotate(SigningKey.generate())
    assert verify_receipt(document, keys=ring.jwks()["keys"]) == RECEIPT
    ring.remove(old.key_id)
    with pytest.raises(ReceiptError):
        verify_receipt(document, keys=ring.jwks()["keys"])


def test_single_jwk_is_enough() -> None:
    document = over_the_wire(sign_receipt(RECEIPT, key=KEY))
    assert verify_receipt(document, keys=[public_jwk(KEY.public_key)]) == RECEIPT


def test_receipt_construction_refuses_float_amount_and_non_ascii_text() -> None:
    with pytest.raises(ValueError):
        replace(RECEIPT, amount_cents=12.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        replace(RECEIPT, currency="€")
