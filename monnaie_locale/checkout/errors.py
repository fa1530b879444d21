"""Errors of the QR payment flow, each a subclass of a core error.

They keep the core's ``code`` scheme, so the edges map them to HTTP statuses and exit codes
through the same tables as the ledger's own errors. Every message says what the person in
front of the screen can do about it. The errors of the signed-request codec
(:mod:`monnaie_locale.payments.request`) never leave this package: :func:`refusal_of`
translates each into its counterpart here.

    MonnaieLocaleError
    ├── InvalidAmount
    │   └── AmountRequired            a static request paid without a positive amount
    ├── InvalidRequest
    │   ├── PaymentRequestRefused     the QR itself is refused (nothing was looked up)
    │   │   ├── MalformedPaymentRequest   not a payment request of ours at all
    │   │   ├── ForeignPaymentRequest     issued by another deployment
    │   │   ├── UnknownSigningKey         signed by a key we do not hold (or revoked)
    │   │   ├── ForgedPaymentRequest      the signature does not match: altered or forged
    │   │   └── PaymentRequestExpired     outside its validity window
    │   ├── AmountFixed               an amount typed for a request that carries its own
    │   ├── NotAMerchant              requests are issued for business or authority accounts
    │   ├── PayerNotAllowed           the paying account may not pay this request
    │   └── InvalidWebhookUrl
    │       └── WebhookDestinationRefused  its host is not a public internet address
    ├── NotFound
    │   ├── UnknownPaymentRequest
    │   ├── UnknownPayment
    │   └── UnknownWebhookEndpoint
    └── Conflict
        ├── RequestAlreadyPaid        a single-use request was paid already
        ├── RequestCancelled
        ├── PayeeUnavailable          the merchant's account is frozen or closed
        ├── RefundExceedsPayment      more than what remains refundable
        └── RefundLimitExceeded       above what the cashier may still refund today
"""

from __future__ import annotations

from monnaie_locale.errors import Conflict, InvalidAmount, InvalidRequest, NotFound
from monnaie_locale.money import format_amount
from monnaie_locale.payments import request as codec

__all__ = [
    "AmountFixed",
    "AmountRequired",
    "ForeignPaymentRequest",
    "ForgedPaymentRequest",
    "InvalidWebhookUrl",
    "MalformedPaymentRequest",
    "NotAMerchant",
    "PayeeUnavailable",
    "PayerNotAllowed",
    "PaymentRequestExpired",
    "PaymentRequestRefused",
    "RefundExceedsPayment",
    "RefundLimitExceeded",
    "RequestAlreadyPaid",
    "RequestCancelled",
    "UnknownPayment",
    "UnknownPaymentRequest",
    "UnknownSigningKey",
    "UnknownWebhookEndpoint",
    "WebhookDestinationRefused",
    "refusal_of",
]

_ASK_MERCHANT = "ask the merchant for a new payment code"


class PaymentRequestRefused(InvalidRequest):
    """Raised when a scanned or pasted payment request is refused before anything is read."""

    code = "payment_request_refused"


class MalformedPaymentRequest(PaymentRequestRefused):
    """Raised when the text is not a payment request token or URL this service reads."""

    code = "malformed_payment_request"

    def __init__(self, reason: str) -> None:
        super().__init__(
            f"this is not a valid payment code ({reason}); scan it again or {_ASK_MERCHANT}"
        )
        self.reason = reason


class ForeignPaymentRequest(PaymentRequestRefused):
    """Raised when the request was issued by another deployment (another currency's QR)."""

    code = "foreign_payment_request"

    def __init__(self, *, expected: int, found: int) -> None:
        super().__init__(
            f"this payment code belongs to another currency (deployment {found}, this is "
            f"{expected}); pay it with that currency's app"
        )
        self.expected = expected
        self.found = found


class UnknownSigningKey(PaymentRequestRefused):
    """Raised when the request's key id names no key of the deployment's key ring."""

    code = "unknown_signing_key"

    def __init__(self, key_id: str) -> None:
        super().__init__(
            f"this payment code was signed by a key this service does not recognise "
            f"({key_id}); it may be fake: do not pay, {_ASK_MERCHANT}"
        )
        self.key_id = key_id


class ForgedPaymentRequest(PaymentRequestRefused):
    """Raised when the signature does not verify: some field was changed, or forged."""

    code = "forged_payment_request"

    def __init__(self, key_id: str) -> None:
        super().__init__(
            "this payment code was altered or forged (its signature does not match): do not "
            f"pay, warn the merchant and {_ASK_MERCHANT}"
        )
        self.key_id = key_id


class PaymentRequestExpired(PaymentRequestRefused):
    """Raised from the request's expiry on, or before its issue beyond the clock skew."""

    code = "payment_request_expired"

    def __init__(self, *, issued_at: int, expires_at: int, now: int) -> None:
        super().__init__(f"this payment code has expired; {_ASK_MERCHANT}")
        self.issued_at = issued_at
        self.expires_at = expires_at
        self.now = now


class AmountRequired(InvalidAmount):
    """Raised when a static request is paid with no amount, zero, or not a whole number."""

    code = "amount_required"

    def __init__(self, value: object) -> None:
        super().__init__(value, "type the amount to pay, greater than zero")


class AmountFixed(InvalidRequest):
    """Raised when an amount is given for a dynamic request that states a different one."""

    code = "amount_fixed"

    def __init__(self, *, requested: int, given: int) -> None:
        super().__init__(
            f"this payment code asks for {format_amount(requested)}; it cannot be paid with "
            f"{format_amount(given)}: pay the amount shown or {_ASK_MERCHANT}"
        )
        self.requested = requested
        self.given = given


class NotAMerchant(InvalidRequest):
    """Raised when issuing a payment request for an account that is no business or authority."""

    code = "not_a_merchant"

    def __init__(self, account: str, kind: str) -> None:
        super().__init__(
            f"account {account} is a {kind} account; payment codes are issued for business "
            "and authority accounts only"
        )
        self.account = account
        self.kind = kind


class PayerNotAllowed(InvalidRequest):
    """Raised when the paying account is the payee, or holds no units a person may spend."""

    code = "payer_not_allowed"

    def __init__(self, account: str, reason: str) -> None:
        super().__init__(f"account {account} cannot pay this code: {reason}")
        self.account = account
        self.reason = reason


class InvalidWebhookUrl(InvalidRequest):
    """Raised when a webhook endpoint URL is not an absolute http(s) URL."""

    code = "invalid_webhook_url"

    def __init__(self, url: str, message: str | None = None) -> None:
        super().__init__(
            message
            or f"webhook URL {url!r} is not valid; give an absolute https:// URL of your server"
        )
        self.url = url


class WebhookDestinationRefused(InvalidWebhookUrl):
    """Raised when a webhook URL's host is, or resolves to, an address that is not public
    (loopback, private, link-local, ...): the service posts only to the internet."""

    code = "webhook_destination_refused"

    def __init__(self, url: str) -> None:
        super().__init__(
            url,
            f"webhook URL {url!r} points into a private or local network; give the public "
            "https:// URL of your server",
        )


class UnknownPaymentRequest(NotFound):
    """Raised when a request id (or a validly signed token) names no stored request."""

    code = "unknown_payment_request"

    def __init__(self, request_id: str) -> None:
        super().__init__(f"no payment request {request_id}; {_ASK_MERCHANT}")
        self.request_id = request_id


class UnknownPayment(NotFound):
    """Raised when a payment id names no checkout payment."""

    code = "unknown_payment"

    def __init__(self, payment_id: int) -> None:
        super().__init__(f"no payment {payment_id}; check the receipt's payment number")
        self.payment_id = payment_id


class UnknownWebhookEndpoint(NotFound):
    """Raised when an endpoint id names no webhook endpoint of the merchant."""

    code = "unknown_webhook_endpoint"

    def __init__(self, endpoint_id: int) -> None:
        super().__init__(f"no webhook endpoint {endpoint_id} for this account")
        self.endpoint_id = endpoint_id


class RequestAlreadyPaid(Conflict):
    """Raised when a single-use request is paid again under another idempotency key."""

    code = "payment_request_already_paid"

    def __init__(self, request_id: str) -> None:
        super().__init__(
            f"payment request {request_id} was already paid; nothing was charged. "
            f"{_ASK_MERCHANT[0].upper()}{_ASK_MERCHANT[1:]} if you still owe something"
        )
        self.request_id = request_id


class RequestCancelled(Conflict):
    """Raised when paying or cancelling a request that the merchant cancelled."""

    code = "payment_request_cancelled"

    def __init__(self, request_id: str) -> None:
        super().__init__(
            f"payment request {request_id} was cancelled by the merchant; nothing was "
            f"charged; {_ASK_MERCHANT}"
        )
        self.request_id = request_id


class PayeeUnavailable(Conflict):
    """Raised when the merchant's account is frozen or closed: it may not receive money."""

    code = "payee_unavailable"

    def __init__(self, account: str, status: str) -> None:
        super().__init__(
            f"the merchant's account {account} is {status} and cannot receive payments; "
            "nothing was charged: pay another way"
        )
        self.account = account
        self.status = status


class RefundExceedsPayment(Conflict):
    """Raised when a refund would take the refunds of a payment above its amount."""

    code = "refund_exceeds_payment"
    amount_fields = ("amount", "refundable")

    def __init__(self, payment_id: int, *, amount: int, refundable: int) -> None:
        super().__init__(
            f"payment {payment_id} has {format_amount(refundable)} left to refund; "
            f"{format_amount(amount)} is too much: refund at most what remains"
        )
        self.payment_id = payment_id
        self.amount = amount
        self.refundable = refundable


class RefundLimitExceeded(Conflict):
    """Raised when a refund would take what a cashier refunded today above its daily limit."""

    code = "refund_limit_exceeded"
    amount_fields = ("amount", "limit", "refunded")

    def __init__(self, *, amount: int, limit: int, refunded: int) -> None:
        super().__init__(
            f"you may refund at most {format_amount(limit)} a day alone and have refunded "
            f"{format_amount(refunded)} today; {format_amount(amount)} more needs the "
            "merchant's owner"
        )
        self.amount = amount
        self.limit = limit
        self.refunded = refunded


def refusal_of(error: codec.PaymentRequestError) -> PaymentRequestRefused:
    """The error of this package that stands for a refusal of the request codec."""
    if isinstance(error, codec.WrongDeployment):
        return ForeignPaymentRequest(expected=error.expected, found=error.found)
    if isinstance(error, codec.UnknownKey):
        return UnknownSigningKey(error.key_id.hex())
    if isinstance(error, codec.BadSignature):
        return ForgedPaymentRequest(error.key_id.hex())
    if isinstance(error, codec.RequestExpired):
        return PaymentRequestExpired(
            issued_at=error.issued_at, expires_at=error.expires_at, now=error.now
        )
    if isinstance(error, codec.MalformedRequest):
        return MalformedPaymentRequest(error.reason)
    return MalformedPaymentRequest(str(error))
