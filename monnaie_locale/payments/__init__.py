"""Signed payment requests, QR codes, receipts and webhooks: pure code, no I/O.

A merchant's till shows (or the counter displays, printed) a QR code holding a payment
request signed by the deployment; the payer's phone opens its URL; once the ledger books the
payment, the merchant receives a signed receipt live and, if configured, a signed webhook.
Nothing here touches the database or the web framework: the ledger and the API call in.
"""

from monnaie_locale.payments.keys import (
    KeyRing,
    SigningKey,
    key_id_of,
    public_jwk,
    public_key_from_jwk,
)
from monnaie_locale.payments.qr import qr_matrix, qr_png, qr_svg, qr_version, static_sheet_svg
from monnaie_locale.payments.receipts import Receipt, ReceiptError, sign_receipt, verify_receipt
from monnaie_locale.payments.request import (
    MAX_HOST_LENGTH,
    BadSignature,
    InvalidAmount,
    MalformedRequest,
    PaymentRequest,
    PaymentRequestError,
    RequestExpired,
    RequestKind,
    UnknownKey,
    WrongDeployment,
    decode_request,
    encode_request,
    new_request_id,
    request_url,
)
from monnaie_locale.payments.webhooks import (
    WebhookHeaderError,
    WebhookSignatureError,
    WebhookTimestampError,
    WebhookVerificationError,
    generate_secret,
)
from monnaie_locale.payments.webhooks import sign as sign_webhook
from monnaie_locale.payments.webhooks import verify as verify_webhook

__all__ = [
    "MAX_HOST_LENGTH",
    "BadSignature",
    "InvalidAmount",
    "KeyRing",
    "MalformedRequest",
    "PaymentRequest",
    "PaymentRequestError",
    "Receipt",
    "ReceiptError",
    "RequestExpired",
    "RequestKind",
    "SigningKey",
    "UnknownKey",
    "WebhookHeaderError",
    "WebhookSignatureError",
    "WebhookTimestampError",
    "WebhookVerificationError",
    "WrongDeployment",
    "decode_request",
    "encode_request",
    "generate_secret",
    "key_id_of",
    "new_request_id",
    "public_jwk",
    "public_key_from_jwk",
    "qr_matrix",
    "qr_png",
    "qr_svg",
    "qr_version",
    "request_url",
    "sign_receipt",
    "sign_webhook",
    "static_sheet_svg",
    "verify_receipt",
    "verify_webhook",
]
