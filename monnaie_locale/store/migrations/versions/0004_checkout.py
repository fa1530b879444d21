"""The QR payment flow: payment requests, payments, refunds, the checkout event feed, and
webhook endpoints with their delivery log.

Creates the tables of ``monnaie_locale/store/tables_checkout.py``. The event feed's id is
the Server-Sent Events id a checkout page resumes from, so on SQLite it is declared
AUTOINCREMENT: an id is never handed out twice.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Stamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    _requests_and_payments()
    _events()
    _webhooks()


def _requests_and_payments() -> None:
    op.create_table(
        "payment_requests",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("request_id", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("merchant_account_id", Id, sa.ForeignKey("accounts.id"), nullable=False),
        sa.Column("amount", sa.BigInteger, nullable=False),
        sa.Column("reference", sa.String(16), nullable=False, server_default=""),
        sa.Column("key_id", sa.String(8), nullable=False),
        sa.Column("token", sa.Text, nullable=False),
        sa.Column("status", sa.String(10), nullable=False, server_default="open"),
        sa.Column("issued_at", Stamp, nullable=False),
        sa.Column("expires_at", Stamp, nullable=False),
        sa.Column("created_at", Stamp, nullable=False),
        sa.UniqueConstraint("request_id", name="uq_payment_requests_request_id"),
        sa.CheckConstraint("kind IN ('dynamic', 'static')", name=op.f("ck_payment_requests_kind")),
        sa.CheckConstraint(
            "status IN ('open', 'paid', 'cancelled')", name=op.f("ck_payment_requests_status")
        ),
        sa.CheckConstraint(
            "(kind = 'dynamic' AND amount > 0) OR (kind = 'static' AND amount = 0)",
            name=op.f("ck_payment_requests_amount_by_kind"),
        ),
        sa.CheckConstraint(
            "status <> 'paid' OR kind = 'dynamic'",
            name=op.f("ck_payment_requests_only_dynamic_paid"),
        ),
    )
    op.create_index(
        "ix_payment_requests_merchant_account_id_id",
        "payment_requests",
        ["merchant_account_id", "id"],
    )
    op.create_table(
        "checkout_payments",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("request_row_id", Id, sa.ForeignKey("payment_requests.id"), nullable=False),
        sa.Column("single_use_request_id", Id, sa.ForeignKey("payment_requests.id")),
        sa.Column("merchant_account_id", Id, sa.ForeignKey("accounts.id"), nullable=False),
        sa.Column("payer_account_id", Id, sa.ForeignKey("accounts.id"), nullable=False),
        sa.Column("amount", sa.BigInteger, nullable=False),
        sa.Column("refunded", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("transaction_id", Id, sa.ForeignKey("transactions.id"), nullable=False),
        sa.Column("idempotency_key", sa.String(200), nullable=False),
        sa.Column("receipt", sa.Text, nullable=False),
        sa.Column("created_at", Stamp, nullable=False),
        sa.UniqueConstraint(
            "single_use_request_id", name="uq_checkout_payments_single_use_request_id"
        ),
        sa.UniqueConstraint("transaction_id", name="uq_checkout_payments_transaction_id"),
        sa.UniqueConstraint("idempotency_key", name="uq_checkout_payments_idempotency_key"),
        sa.CheckConstraint("amount > 0", name=op.f("ck_checkout_payments_amount_positive")),
        sa.CheckConstraint(
            "refunded >= 0 AND refunded <= amount",
            name=op.f("ck_checkout_payments_refunded_within"),
        ),
    )
    op.create_index("ix_checkout_payments_request_row_id", "checkout_payments", ["request_row_id"])
    op.create_table(
        "checkout_refunds",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("payment_id", Id, sa.ForeignKey("checkout_payments.id"), nullable=False),
        sa.Column("amount", sa.BigInteger, nullable=False),
        sa.Column("transaction_id", Id, sa.ForeignKey("transactions.id"), nullable=False),
        sa.Column("idempotency_key", sa.String(200), nullable=False),
        sa.Column("receipt", sa.Text, nullable=False),
        sa.Column("created_at", Stamp, nullable=False),
        sa.UniqueConstraint("transaction_id", name="uq_checkout_refunds_transaction_id"),
        sa.UniqueConstraint("idempotency_key", name="uq_checkout_refunds_idempotency_key"),
        sa.CheckConstraint("amount > 0", name=op.f("ck_checkout_refunds_amount_positive")),
    )
    op.create_index("ix_checkout_refunds_payment_id", "checkout_refunds", ["payment_id"])


def _events() -> None:
    op.create_table(
        "checkout_events",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("merchant_account_id", Id, sa.ForeignKey("accounts.id"), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("payment_id", Id, sa.ForeignKey("checkout_payments.id"), nullable=False),
        sa.Column("refund_id", Id, sa.ForeignKey("checkout_refunds.id")),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("created_at", Stamp, nullable=False),
        sa.CheckConstraint("kind IN ('payment', 'refund')", name=op.f("ck_checkout_events_kind")),
        sa.CheckConstraint(
            "(kind = 'refund') = (refund_id IS NOT NULL)",
            name=op.f("ck_checkout_events_refund_has_refund_id"),
        ),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_checkout_events_merchant_account_id_id",
        "checkout_events",
        ["merchant_account_id", "id"],
    )


def _webhooks() -> None:
    op.create_table(
        "webhook_endpoints",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("merchant_account_id", Id, sa.ForeignKey("accounts.id"), nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("secret", sa.Text, nullable=False),
        sa.Column("status", sa.String(10), nullable=False, server_default="active"),
        sa.Column("created_at", Stamp, nullable=False),
        sa.CheckConstraint(
            "status IN ('active', 'disabled')", name=op.f("ck_webhook_endpoints_status")
        ),
    )
    op.create_index(
        "ix_webhook_endpoints_merchant_account_id", "webhook_endpoints", ["merchant_account_id"]
    )
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("endpoint_id", Id, sa.ForeignKey("webhook_endpoints.id"), nullable=False),
        sa.Column("event_id", Id, sa.ForeignKey("checkout_events.id"), nullable=False),
        sa.Column("status", sa.String(10), nullable=False, server_default="pending"),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_attempt_at", Stamp),
        sa.Column("last_status_code", sa.Integer),
        sa.Column("created_at", Stamp, nullable=False),
        sa.Column("delivered_at", Stamp),
        sa.UniqueConstraint(
            "endpoint_id", "event_id", name="uq_webhook_deliveries_endpoint_id_event_id"
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'delivered', 'failed')",
            name=op.f("ck_webhook_deliveries_status"),
        ),
        sa.CheckConstraint(
            "attempts >= 0", name=op.f("ck_webhook_deliveries_attempts_not_negative")
        ),
    )
    op.create_index(
        "ix_webhook_deliveries_status_next_attempt_at",
        "webhook_deliveries",
        ["status", "next_attempt_at"],
    )
    op.create_table(
        "webhook_attempts",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("delivery_id", Id, sa.ForeignKey("webhook_deliveries.id"), nullable=False),
        sa.Column("attempt", sa.Integer, nullable=False),
        sa.Column("status_code", sa.Integer),
        sa.Column("error", sa.Text, nullable=False, server_default=""),
        sa.Column("attempted_at", Stamp, nullable=False),
        sa.Column("next_attempt_at", Stamp),
        sa.UniqueConstraint(
            "delivery_id", "attempt", name="uq_webhook_attempts_delivery_id_attempt"
        ),
        sa.CheckConstraint("attempt > 0", name=op.f("ck_webhook_attempts_attempt_positive")),
    )


def downgrade() -> None:
    for table in (
        "webhook_attempts",
        "webhook_deliveries",
        "webhook_endpoints",
        "checkout_events",
        "checkout_refunds",
        "checkout_payments",
        "payment_requests",
    ):
        op.drop_table(table)
