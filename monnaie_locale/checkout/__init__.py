"""The QR payment flow on the server: issue, pay, refund, confirm live, notify by webhook.

A merchant's terminal issues a signed payment request (:mod:`.requests`) and shows its QR;
the payer's phone opens the URL and pays it (:mod:`.pay`), which books one ledger transfer,
signs a receipt, and records an event in the merchant's feed (:mod:`.events`), all in one
database transaction. The checkout page follows the feed over Server-Sent Events
(:mod:`.stream`), woken by a notifier (:mod:`.notify`); the merchant's own server gets signed
webhooks (:mod:`.webhooks`), sent outside any transaction (:mod:`.webhook_delivery`) and
only to the public internet (:mod:`.destinations`), whose every attempt it can read back
(:mod:`.delivery_log`). The merchant may refund (:mod:`.refunds`), and list its payments
and requests (:mod:`.listings`).

No web framework here, and no actor: the acts of :mod:`monnaie_locale.acts.checkout` and
:mod:`monnaie_locale.acts.webhooks` decide who may do what, and call these functions
inside one transaction each; the edges map the errors of :mod:`.errors` by their
``code``. Two wait on the network and so run outside any transaction: the check of a
webhook URL (:class:`DestinationPolicy`) and :func:`deliver_due`, which opens its own.
"""

from monnaie_locale.checkout.delivery_log import Delivery, DeliveryAttempt, deliveries_of
from monnaie_locale.checkout.destinations import CheckedUrl, DestinationPolicy, DestinationRefused
from monnaie_locale.checkout.events import (
    CheckoutEvent,
    events_after,
    format_sse,
    latest_sequence,
    parse_last_event_id,
)
from monnaie_locale.checkout.listings import PaymentLine, payments_of, requests_of
from monnaie_locale.checkout.notify import (
    InProcessNotifier,
    Notifier,
    PostgresNotifier,
    Subscription,
)
from monnaie_locale.checkout.pay import RequestPreview, pay, preview
from monnaie_locale.checkout.payment_records import Payment, get_payment
from monnaie_locale.checkout.refunds import CashierAllowance, Refund, refund, refunds_of
from monnaie_locale.checkout.requests import (
    IssuedRequest,
    RequestStatus,
    cancel_request,
    get_request,
    issue_dynamic,
    issue_static,
)
from monnaie_locale.checkout.stream import event_stream
from monnaie_locale.checkout.webhook_delivery import DeliveryResult, deliver_due
from monnaie_locale.checkout.webhooks import (
    DeliveryFailed,
    Send,
    WebhookEndpoint,
    add_endpoint,
    disable_endpoint,
    get_endpoint,
    list_endpoints,
)

__all__ = [
    "CashierAllowance",
    "CheckedUrl",
    "CheckoutEvent",
    "Delivery",
    "DeliveryAttempt",
    "DeliveryFailed",
    "DeliveryResult",
    "DestinationPolicy",
    "DestinationRefused",
    "InProcessNotifier",
    "IssuedRequest",
    "Notifier",
    "Payment",
    "PaymentLine",
    "PostgresNotifier",
    "Refund",
    "RequestPreview",
    "RequestStatus",
    "Send",
    "Subscription",
    "WebhookEndpoint",
    "add_endpoint",
    "cancel_request",
    "deliver_due",
    "deliveries_of",
    "disable_endpoint",
    "event_stream",
    "events_after",
    "format_sse",
    "get_endpoint",
    "get_payment",
    "get_request",
    "issue_dynamic",
    "issue_static",
    "latest_sequence",
    "list_endpoints",
    "parse_last_event_id",
    "pay",
    "payments_of",
    "preview",
    "refund",
    "refunds_of",
    "requests_of",
]
