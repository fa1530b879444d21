"""Tables of the QR payment flow, on the ledger's own ``metadata``.

The money of a QR payment stays in the ledger's tables; these hold what surrounds it: the
payment requests issued (so the server, not the QR, knows whom a request pays and whether it
was paid), the payments and refunds with their signed receipts, the feed of events a
merchant's checkout page follows, and the webhook endpoints with their delivery log.
Migration ``0004`` creates these tables, ``0006`` adds the feed's ``transaction_id``, and
``0008`` the cashiers' daily refund totals and the index of a shop's payments.

Single use is enforced twice: by a conditional ``UPDATE`` of the request's status in
:mod:`monnaie_locale.checkout.pay`, and here by the unique ``single_use_request_id`` of a
payment (set for dynamic requests only), so even a hand-written statement cannot book a
second payment of one dynamic request.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from monnaie_locale.store.tables import Id, metadata

__all__ = [
    "cashier_refund_days",
    "checkout_events",
    "checkout_payments",
    "checkout_refunds",
    "payment_requests",
    "webhook_attempts",
    "webhook_deliveries",
    "webhook_endpoints",
]

Stamp = DateTime(timezone=True)

payment_requests = Table(
    "payment_requests",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("request_id", String(16), nullable=False, unique=True),  # hex of the 8 random bytes
    Column("kind", String(10), nullable=False),
    Column("merchant_account_id", Id, ForeignKey("accounts.id"), nullable=False),
    Column("amount", BigInteger, nullable=False),  # 0 for a static request
    Column("reference", String(16), nullable=False, server_default=""),
    Column("key_id", String(8), nullable=False),
    Column("token", Text, nullable=False),  # public: it is what the QR shows
    Column("status", String(10), nullable=False, server_default="open"),
    Column("issued_at", Stamp, nullable=False),
    Column("expires_at", Stamp, nullable=False),
    Column("created_at", Stamp, nullable=False),
    CheckConstraint("kind IN ('dynamic', 'static')", name="kind"),
    CheckConstraint("status IN ('open', 'paid', 'cancelled')", name="status"),
    CheckConstraint(
        "(kind = 'dynamic' AND amount > 0) OR (kind = 'static' AND amount = 0)",
        name="amount_by_kind",
    ),
    CheckConstraint("status <> 'paid' OR kind = 'dynamic'", name="only_dynamic_paid"),
    Index("ix_payment_requests_merchant_account_id_id", "merchant_account_id", "id"),
)

checkout_payments = Table(
    "checkout_payments",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("request_row_id", Id, ForeignKey("payment_requests.id"), nullable=False),
    Column("single_use_request_id", Id, ForeignKey("payment_requests.id"), unique=True),
    Column("merchant_account_id", Id, ForeignKey("accounts.id"), nullable=False),
    Column("payer_account_id", Id, ForeignKey("accounts.id"), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("refunded", BigInteger, nullable=False, server_default="0"),
    Column("transaction_id", Id, ForeignKey("transactions.id"), nullable=False, unique=True),
    Column("idempotency_key", String(200), nullable=False, unique=True),
    Column("receipt", Text, nullable=False),  # the signed receipt, JSON
    Column("created_at", Stamp, nullable=False),
    CheckConstraint("amount > 0", name="amount_positive"),
    CheckConstraint("refunded >= 0 AND refunded <= amount", name="refunded_within"),
    Index("ix_checkout_payments_request_row_id", "request_row_id"),
    # A shop's payments, newest first (checkout/listings.py; migration 0008).
    Index("ix_checkout_payments_merchant_account_id_id", "merchant_account_id", "id"),
)

checkout_refunds = Table(
    "checkout_refunds",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("payment_id", Id, ForeignKey("checkout_payments.id"), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("transaction_id", Id, ForeignKey("transactions.id"), nullable=False, unique=True),
    Column("idempotency_key", String(200), nullable=False, unique=True),
    Column("receipt", Text, nullable=False),
    Column("created_at", Stamp, nullable=False),
    CheckConstraint("amount > 0", name="amount_positive"),
    Index("ix_checkout_refunds_payment_id", "payment_id"),
)

# What each cashier credential ("user:12", "key:3") refunded alone per UTC day: the
# counter its daily refund limit is checked against (checkout/refunds.py; migration 0008).
cashier_refund_days = Table(
    "cashier_refund_days",
    metadata,
    Column("subject", String(40), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("refunded", BigInteger, nullable=False),
    CheckConstraint("refunded >= 0", name="refunded_not_negative"),
)

# The feed a checkout page follows. Its Server-Sent Events id is the journal sequence of
# the event's transaction (see monnaie_locale/checkout/events.py); the row id names the
# event in webhooks. AUTOINCREMENT on SQLite: an id is never reused.
checkout_events = Table(
    "checkout_events",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("merchant_account_id", Id, ForeignKey("accounts.id"), nullable=False),
    Column("kind", String(10), nullable=False),
    Column("payment_id", Id, ForeignKey("checkout_payments.id"), nullable=False),
    Column("refund_id", Id, ForeignKey("checkout_refunds.id")),
    Column("data", Text, nullable=False),  # the signed receipt, JSON, exactly as sent
    Column("created_at", Stamp, nullable=False),
    # The payment's or refund's transaction, copied: how the feed finds it in the journal.
    # Always written; nullable only because SQLite cannot add it otherwise (migration 0006).
    Column("transaction_id", Id),
    CheckConstraint("kind IN ('payment', 'refund')", name="kind"),
    CheckConstraint("(kind = 'refund') = (refund_id IS NOT NULL)", name="refund_has_refund_id"),
    Index("ix_checkout_events_merchant_account_id_id", "merchant_account_id", "id"),
    Index("ix_checkout_events_transaction_id", "transaction_id", unique=True),
    # A payment's own event is looked up by its payment (payment_from_row).
    Index("ix_checkout_events_payment_id", "payment_id"),
    sqlite_autoincrement=True,
)

# The secret must be kept in clear: HMAC signing needs the key itself, not a digest of it.
webhook_endpoints = Table(
    "webhook_endpoints",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("merchant_account_id", Id, ForeignKey("accounts.id"), nullable=False),
    Column("url", Text, nullable=False),
    Column("secret", Text, nullable=False),
    Column("status", String(10), nullable=False, server_default="active"),
    Column("created_at", Stamp, nullable=False),
    CheckConstraint("status IN ('active', 'disabled')", name="status"),
    Index("ix_webhook_endpoints_merchant_account_id", "merchant_account_id"),
)

# One row per (endpoint, event): the state of its delivery.
webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("endpoint_id", Id, ForeignKey("webhook_endpoints.id"), nullable=False),
    Column("event_id", Id, ForeignKey("checkout_events.id"), nullable=False),
    Column("status", String(10), nullable=False, server_default="pending"),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", Stamp),
    Column("last_status_code", Integer),
    Column("created_at", Stamp, nullable=False),
    Column("delivered_at", Stamp),
    UniqueConstraint("endpoint_id", "event_id", name="uq_webhook_deliveries_endpoint_id_event_id"),
    CheckConstraint("status IN ('pending', 'delivered', 'failed')", name="status"),
    CheckConstraint("attempts >= 0", name="attempts_not_negative"),
    Index("ix_webhook_deliveries_status_next_attempt_at", "status", "next_attempt_at"),
)

# The delivery log: one row per attempt, kept for the merchant and for support.
webhook_attempts = Table(
    "webhook_attempts",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("delivery_id", Id, ForeignKey("webhook_deliveries.id"), nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("status_code", Integer),  # None: no HTTP answer (timeout, refused connection)
    Column("error", Text, nullable=False, server_default=""),
    Column("attempted_at", Stamp, nullable=False),
    Column("next_attempt_at", Stamp),  # None: delivered, or given up
    UniqueConstraint("delivery_id", "attempt", name="uq_webhook_attempts_delivery_id_attempt"),
    CheckConstraint("attempt > 0", name="attempt_positive"),
)
