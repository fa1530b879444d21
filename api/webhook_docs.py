"""The webhooks the service sends to merchants' servers, in the OpenAPI document.

They are declared in the document's ``webhooks`` section (OpenAPI 3.1): what a
merchant's server receives, never a route this service answers. The signing itself is
:mod:`monnaie_locale.payments.webhooks`; the sending, :mod:`monnaie_locale.checkout.webhooks`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import FastAPI, Header
from pydantic import BaseModel, ConfigDict, Field

from api.schemas.receipts import SignedReceipt
from monnaie_locale.payments.webhooks import DEFAULT_TOLERANCE_SECONDS

__all__ = ["STANDARD_WEBHOOKS", "WebhookEvent", "document_webhooks"]

STANDARD_WEBHOOKS = f"""\
Sent to each active endpoint of the shop (`POST /v1/checkout/webhooks`), signed as the
Standard Webhooks specification says:

* `webhook-id`: `msg_<event id>`, the same on every retry: drop a message already seen;
* `webhook-timestamp`: when it was sent, in unix seconds: refuse one more than a few
  minutes old or ahead ({DEFAULT_TOLERANCE_SECONDS} seconds in this project's own verifier);
* `webhook-signature`: `v1,<base64 of HMAC-SHA256(key, "<webhook-id>.<webhook-timestamp>.<body>")>`
  over the body's raw bytes, the key being the base64-decoded part of the endpoint's
  `whsec_` secret. Several space-separated signatures may come while a secret changes:
  accept the message if one matches, comparing in constant time.

Answer 2xx to acknowledge; anything else is retried with growing delays for about a day
and a half. `data` is the signed receipt, which proves the payment without trusting the
channel: check it too (see `SignedReceipt`).
"""


class WebhookEvent(BaseModel):
    """The body of a webhook: compact JSON, keys sorted."""

    model_config = ConfigDict(
        frozen=True,
        json_schema_extra={
            "examples": [
                {
                    "type": "checkout.payment",
                    "timestamp": "2026-11-02T09:00:00+00:00",
                    "data": {"receipt": {"type": "monnaie-locale/payment-receipt/v1"}},
                }
            ]
        },
    )

    type: Literal["checkout.payment", "checkout.refund"]
    timestamp: datetime = Field(description="When the payment or refund was booked.")
    data: SignedReceipt


def document_webhooks(app: FastAPI) -> None:
    """Declare the payment and refund webhooks in ``app``'s OpenAPI document."""
    for kind, what in (("payment", "A payment reached the shop"), ("refund", "A refund left it")):

        async def webhook(
            body: WebhookEvent,
            webhook_id: Annotated[str, Header(alias="webhook-id", pattern=r"^msg_[0-9]+$")],
            webhook_timestamp: Annotated[
                str, Header(alias="webhook-timestamp", pattern=r"^[0-9]{1,12}$")
            ],
            webhook_signature: Annotated[str, Header(alias="webhook-signature")],
        ) -> None:
            """Never served: documents what a merchant's server receives."""

        app.webhooks.add_api_route(
            f"checkout.{kind}",
            webhook,
            methods=["POST"],
            summary=what,
            description=STANDARD_WEBHOOKS,
            status_code=204,
            operation_id=f"webhook_checkout_{kind}",
        )
