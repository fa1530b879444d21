"""A signed receipt as the API shows it, with the exact bytes its signature covers.

The receipt is built and signed in the core (:mod:`monnaie_locale.payments.receipts`);
these models only describe it in the OpenAPI document. Fields the core adds later are
passed through untouched (``extra="allow"``): dropping one would break the signature.
"""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from api.schemas.common import ResponseBody

__all__ = ["SIGNED_BYTES", "ReceiptFields", "SignedReceipt"]

SIGNED_BYTES = (
    "`signature` is an Ed25519 signature (unpadded base64url) by the key `kid` (hex), "
    "published as a JWK at `GET /v1/checkout/keys`. It covers the bytes of `receipt` "
    "serialised as canonical JSON: every field of the object as received (`type` "
    "included), keys sorted, no whitespace, ASCII: in Python "
    '`json.dumps(receipt, sort_keys=True, separators=(",", ":")).encode("ascii")`. '
    "The values being integers, null and printable ASCII strings, this is RFC 8785 (JCS). "
    "Refuse a receipt with fields you do not know: they would not be signed."
)


class ReceiptFields(ResponseBody):
    """What the ledger booked; amounts in integer cents, times in unix seconds."""

    model_config = ConfigDict(frozen=True, extra="allow")

    # monnaie_locale.payments.receipts.RECEIPT_TYPE
    type: Literal["monnaie-locale/payment-receipt/v1"] = Field(
        description="Sets a receipt apart from anything else the key signs."
    )
    transaction_id: str
    journal_sequence: int = Field(ge=0, description="The transaction's place in the journal.")
    request_id: str | None = Field(description="Hex id of the payment request it settles.")
    payer_account: int = Field(ge=0)
    payee_account: int = Field(ge=0)
    amount_cents: int = Field(ge=1)
    currency: str
    timestamp: int = Field(ge=0)


class SignedReceipt(ResponseBody):
    model_config = ConfigDict(frozen=True, json_schema_extra={"description": SIGNED_BYTES})

    receipt: ReceiptFields
    kid: str = Field(description="The signing key's id, in hex.")
    signature: str = Field(description="Ed25519 over the receipt's canonical JSON, base64url.")
