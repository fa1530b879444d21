"""Bodies of the QR checkout: payment requests, payments, refunds, webhook endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import Query
from pydantic import ConfigDict, Field

from api.schemas.common import ACCOUNT_CODE_PATTERN, AccountCode, RequestBody, ResponseBody
from api.schemas.money import AmountIn, AmountOut, amount_out
from api.schemas.receipts import SignedReceipt
from monnaie_locale.checkout import (
    Delivery,
    DeliveryAttempt,
    IssuedRequest,
    Payment,
    PaymentLine,
    Refund,
    WebhookEndpoint,
)
from monnaie_locale.payments.request import MAX_REFERENCE_LENGTH, RequestKind

__all__ = [
    "AccountQuery",
    "DeliveryAttemptOut",
    "DeliveryOut",
    "DeliveryPage",
    "DynamicRequestIn",
    "EndpointCreated",
    "EndpointIn",
    "EndpointOut",
    "PayIn",
    "PaymentLineOut",
    "PaymentOut",
    "PaymentPage",
    "RefundIn",
    "RefundOut",
    "RequestOut",
    "RequestPage",
    "StaticCodeIn",
    "TicketIn",
    "TicketOut",
]

AccountQuery = Annotated[
    str,
    Query(min_length=1, max_length=120, pattern=ACCOUNT_CODE_PATTERN, examples=["bakery"]),
]

Reference = Annotated[
    str,
    Field(
        max_length=MAX_REFERENCE_LENGTH,
        pattern=r"^[ -~]*$",
        description="A short sale reference carried in the QR: plain ASCII, at most 16.",
        examples=["T1-0042"],
    ),
]


class DynamicRequestIn(RequestBody):
    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        json_schema_extra={
            "examples": [
                {"account": "bakery", "amount": "12.50", "reference": "T1-0042", "ttl_seconds": 600}
            ]
        },
    )

    account: AccountCode = Field(description="The merchant account to be paid.")
    amount: AmountIn
    reference: Reference = ""
    ttl_seconds: int = Field(default=600, ge=10, le=24 * 3600, description="How long it lives.")


class StaticCodeIn(RequestBody):
    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        json_schema_extra={"examples": [{"account": "bakery", "reference": "COUNTER"}]},
    )

    account: AccountCode
    reference: Reference = ""


class RequestOut(ResponseBody):
    request_id: str = Field(examples=["9f1c2a8e4d0b4a43"])
    kind: Literal["dynamic", "static"]
    account: str
    merchant_name: str = Field(
        description="The merchant as payers are shown it: its display name, else its code.",
        examples=["Boulangerie Etchegaray"],
    )
    amount: AmountOut | None = Field(description="None for a static code: the payer types it.")
    reference: str
    status: Literal["open", "paid", "cancelled", "expired"] = Field(
        description="expired: still unpaid at its expires_at, when no payment can take it."
    )
    token: str = Field(description="The signed request, uppercase base32.")
    url: str = Field(description="The text of the QR code.")
    issued_at: datetime
    expires_at: datetime

    @classmethod
    def of(cls, issued: IssuedRequest, *, host: str, now: datetime) -> RequestOut:
        dynamic = issued.kind is RequestKind.DYNAMIC
        return cls(
            request_id=issued.request_id,
            kind="dynamic" if dynamic else "static",
            account=issued.merchant_account,
            merchant_name=issued.merchant_name,
            amount=amount_out(issued.amount) if dynamic else None,
            reference=issued.reference,
            status=issued.status_at(now),
            token=issued.token,
            url=issued.url(host=host),
            issued_at=issued.issued_at,
            expires_at=issued.expires_at,
        )


class PayIn(RequestBody):
    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        json_schema_extra={"examples": [{"request": "HTTPS://PAY.EXAMPLE.ORG/R/AEAQ..."}]},
    )

    request: str = Field(
        min_length=1, max_length=512, description="The scanned text: a request URL or token."
    )
    payer: AccountCode | None = Field(
        default=None, description="The paying account; by default the only one the caller holds."
    )
    amount: AmountIn | None = Field(
        default=None, description="What the payer typed, for a static code only."
    )


class PaymentOut(ResponseBody):
    payment_id: int
    request_id: str
    merchant_account: str
    merchant_name: str = Field(
        description="The merchant as payers are shown it: its display name, else its code.",
        examples=["Boulangerie Etchegaray"],
    )
    payer_account: str
    amount: AmountOut
    refunded: AmountOut
    transaction_id: int
    event_id: int = Field(
        description="The payment's event in the shop's feed, named msg_<event_id> by webhooks; "
        "the live stream's ids are journal sequences."
    )
    replayed: bool
    receipt: SignedReceipt = Field(description="The receipt signed by the deployment's key.")

    @classmethod
    def of(cls, payment: Payment) -> PaymentOut:
        return cls(
            payment_id=payment.id,
            request_id=payment.request_id,
            merchant_account=payment.merchant_account,
            merchant_name=payment.merchant_name,
            payer_account=payment.payer_account,
            amount=amount_out(payment.amount),
            refunded=amount_out(payment.refunded),
            transaction_id=payment.transaction.id,
            event_id=payment.event_id,
            replayed=payment.replayed,
            receipt=SignedReceipt.model_validate(payment.receipt),
        )


class RequestPage(ResponseBody):
    items: list[RequestOut] = Field(description="Newest first.")
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page.")


class PaymentLineOut(ResponseBody):
    payment_id: int
    request_id: str
    kind: Literal["dynamic", "static"] = Field(
        description="static: paid with the shop's printed counter code, amount typed."
    )
    payer_account: str
    amount: AmountOut
    refunded: AmountOut
    transaction_id: int
    event_id: int = Field(description="The payment's event, named msg_<event_id> by webhooks.")
    receipt: SignedReceipt = Field(description="The receipt signed by the deployment's key.")
    created_at: datetime

    @classmethod
    def of(cls, line: PaymentLine) -> PaymentLineOut:
        return cls(
            payment_id=line.id,
            request_id=line.request_id,
            kind="dynamic" if line.kind is RequestKind.DYNAMIC else "static",
            payer_account=line.payer_account,
            amount=amount_out(line.amount),
            refunded=amount_out(line.refunded),
            transaction_id=line.transaction_id,
            event_id=line.event_id,
            receipt=SignedReceipt.model_validate(line.receipt),
            created_at=line.created_at,
        )


class PaymentPage(ResponseBody):
    items: list[PaymentLineOut] = Field(description="Newest first.")
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page.")


class RefundIn(RequestBody):
    model_config = ConfigDict(
        extra="forbid", frozen=True, json_schema_extra={"examples": [{"amount": "2.50"}]}
    )

    amount: AmountIn


class RefundOut(ResponseBody):
    refund_id: int
    payment_id: int
    amount: AmountOut
    transaction_id: int
    replayed: bool
    receipt: SignedReceipt
    created_at: datetime

    @classmethod
    def of(cls, refund: Refund) -> RefundOut:
        return cls(
            refund_id=refund.id,
            payment_id=refund.payment_id,
            amount=amount_out(refund.amount),
            transaction_id=refund.transaction.id,
            replayed=refund.replayed,
            receipt=SignedReceipt.model_validate(refund.receipt),
            created_at=refund.created_at,
        )


class TicketIn(RequestBody):
    model_config = ConfigDict(
        extra="forbid", frozen=True, json_schema_extra={"examples": [{"account": "bakery"}]}
    )

    account: AccountCode


class TicketOut(ResponseBody):
    ticket: str
    expires_at: datetime
    last_event_id: int = Field(
        description="Where the feed stands now (the journal's last sequence): a new page "
        "streams from there."
    )


class EndpointIn(RequestBody):
    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        json_schema_extra={
            "examples": [{"account": "bakery", "url": "https://shop.example/hooks"}]
        },
    )

    account: AccountCode
    url: str = Field(min_length=1, max_length=2000, examples=["https://shop.example/hooks"])


class EndpointOut(ResponseBody):
    endpoint_id: int
    url: str
    status: str
    created_at: datetime

    @classmethod
    def of(cls, endpoint: WebhookEndpoint) -> EndpointOut:
        return cls(
            endpoint_id=endpoint.id,
            url=endpoint.url,
            status=endpoint.status,
            created_at=endpoint.created_at,
        )


class EndpointCreated(EndpointOut):
    secret: str = Field(description="Shown only now: verify the webhook signatures with it.")


class DeliveryAttemptOut(ResponseBody):
    attempt: int = Field(examples=[1], description="1 for the first try.")
    status_code: int | None = Field(
        examples=[503], description="What the endpoint answered; null when no answer came."
    )
    error: str = Field(
        examples=["HTTP 503"], description="Why the try failed; empty when it succeeded."
    )
    attempted_at: datetime
    next_attempt_at: datetime | None = Field(
        description="When the next try was set for; null once delivered or given up."
    )

    @classmethod
    def of(cls, attempt: DeliveryAttempt) -> DeliveryAttemptOut:
        return cls(
            attempt=attempt.attempt,
            status_code=attempt.status_code,
            error=attempt.error,
            attempted_at=attempt.attempted_at,
            next_attempt_at=attempt.next_attempt_at,
        )


class DeliveryOut(ResponseBody):
    delivery_id: int
    event_id: int
    event_type: Literal["checkout.payment", "checkout.refund"]
    webhook_id: str = Field(
        examples=["msg_42"], description="The webhook-id header every try of it carried."
    )
    status: Literal["pending", "delivered", "failed"] = Field(
        description="pending: to be tried again; failed: given up after the last try."
    )
    attempt_count: int
    last_status_code: int | None
    next_attempt_at: datetime | None
    created_at: datetime
    delivered_at: datetime | None
    attempts: list[DeliveryAttemptOut] = Field(description="Every try so far, oldest first.")

    @classmethod
    def of(cls, delivery: Delivery) -> DeliveryOut:
        return cls(
            delivery_id=delivery.id,
            event_id=delivery.event_id,
            event_type=delivery.event_type,
            webhook_id=delivery.webhook_id,
            status=delivery.status,
            attempt_count=delivery.attempt_count,
            last_status_code=delivery.last_status_code,
            next_attempt_at=delivery.next_attempt_at,
            created_at=delivery.created_at,
            delivered_at=delivery.delivered_at,
            attempts=[DeliveryAttemptOut.of(attempt) for attempt in delivery.attempts],
        )


class DeliveryPage(ResponseBody):
    items: list[DeliveryOut] = Field(description="Newest first.")
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page.")
