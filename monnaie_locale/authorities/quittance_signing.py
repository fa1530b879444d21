"""Signed quittances: a receipt the payer or the public accountant checks offline.

A quittance is signed when it is issued, with the deployment's active Ed25519 key, as the
QR receipts are (:mod:`monnaie_locale.payments.receipts`). Its wire form::

    {"quittance": {...fields...}, "kid": "<key id hex>", "signature": "<base64url>"}

The signature covers the UTF-8 bytes of the quittance's canonical JSON: keys sorted, no
whitespace, every non-ASCII character escaped (``\\u00e9``), so that any language rebuilds
the same bytes from the parsed document. The ``type`` field keeps a signature over a
quittance from passing for a payment receipt, and the other way round. Every field a
quittance shows is signed: change the units, the euros or the object and it fails.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from monnaie_locale.authorities.quittances import Quittance
from monnaie_locale.clock import as_utc
from monnaie_locale.payments.keys import (
    SigningKey,
    b64url_decode,
    b64url_encode,
    public_key_from_jwk,
    verify_signature,
)

__all__ = [
    "QUITTANCE_TYPE",
    "QuittanceSignatureError",
    "quittance_fields",
    "sign_fields",
    "signed_quittance",
    "verify_quittance",
]

QUITTANCE_TYPE = "monnaie-locale/quittance/v1"

_FIELDS = frozenset(
    {
        "type",
        "regie",
        "year",
        "number",
        "issued_at",
        "object",
        "payer_name",
        "units",
        "euros",
        "euro_means",
        "euro_reference",
        "transaction_id",
    }
)


class QuittanceSignatureError(Exception):
    """Raised when a signed quittance is malformed, signed by an unknown key, or its
    signature does not match what it says."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"quittance refused: {reason}")
        self.reason = reason


def quittance_fields(quittance: Quittance, *, regie: str) -> dict[str, Any]:
    """What a quittance of régie ``regie`` says, as signed."""
    return {
        "type": QUITTANCE_TYPE,
        "regie": regie,
        "year": quittance.year,
        "number": quittance.number,
        "issued_at": int(as_utc(quittance.issued_at).timestamp()),
        "object": quittance.object,
        "payer_name": quittance.payer_name,
        "units": quittance.units,
        "euros": quittance.euros,
        "euro_means": quittance.euro_means,
        "euro_reference": quittance.euro_reference,
        "transaction_id": quittance.transaction_id,
    }


def _canonical(fields: Mapping[str, Any]) -> bytes:
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode(
        "ascii"
    )


def sign_fields(fields: Mapping[str, Any], *, key: SigningKey) -> tuple[str, str]:
    """The key id and the signature of a quittance's ``fields``."""
    return key.key_id.hex(), b64url_encode(key.sign(_canonical(fields)))


def signed_quittance(quittance: Quittance, *, regie: str) -> dict[str, object]:
    """The wire form of a quittance, with the signature stored when it was issued
    (``kid`` and ``signature`` are null for one issued where no key was configured)."""
    return {
        "quittance": quittance_fields(quittance, regie=regie),
        "kid": quittance.key_id,
        "signature": quittance.signature,
    }


def verify_quittance(
    document: Mapping[str, object], *, keys: Iterable[Mapping[str, str]]
) -> dict[str, Any]:
    """Check a signed quittance against the deployment's public JWKs; return its fields.

    Raises :class:`QuittanceSignatureError` when anything is off.
    """
    fields = document.get("quittance")
    if not isinstance(fields, dict) or fields.get("type") != QUITTANCE_TYPE:
        raise QuittanceSignatureError("not a quittance")
    # An unsigned field would be shown as if it were signed: refuse any but ours.
    if set(fields) != _FIELDS:
        raise QuittanceSignatureError("unexpected or missing fields")
    kid, signature = document.get("kid"), document.get("signature")
    if not isinstance(kid, str) or not isinstance(signature, str):
        raise QuittanceSignatureError("the quittance is not signed")
    jwk = next((jwk for jwk in keys if jwk.get("kid") == kid), None)
    if jwk is None:
        raise QuittanceSignatureError(f"no published key {kid}")
    try:
        public_key = public_key_from_jwk(jwk)
        raw = b64url_decode(signature)
    except ValueError as exc:
        raise QuittanceSignatureError(str(exc)) from exc
    if not verify_signature(public_key, signature=raw, message=_canonical(fields)):
        raise QuittanceSignatureError("bad signature")
    return dict(fields)
