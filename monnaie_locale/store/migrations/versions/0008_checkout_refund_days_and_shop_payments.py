"""The checkout: what each cashier refunded alone per day; a shop's payments by shop.

The counter of the cashier's daily refund limit:

A cashier (a user of role ``merchant_cashier``, or a terminal's API key of that role) may
refund up to ``MLC_CASHIER_REFUND_LIMIT`` a day without the shop's owner. The limit used
to apply to each refund alone, so three refunds of 30.00 passed a limit of 50.00. Each
refund by a cashier now raises this row's ``refunded`` by a conditional ``UPDATE ...
WHERE refunded + amount <= limit`` in the refund's own transaction (see
``monnaie_locale/checkout/refunds.py``): concurrent refunds queue on the row and each
re-checks the sum.

``subject`` names the credential ("user:12", "key:3"), ``day`` the UTC calendar day.
Rows are small and one per cashier and day; nothing reads the old ones but an auditor.

A shop lists its payments newest first (``GET /v1/checkout/payments``): the index on
``checkout_payments (merchant_account_id, id)`` reads a page without walking every
payment of the deployment. Payment requests have had theirs since 0004.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cashier_refund_days",
        sa.Column("subject", sa.String(40), nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("refunded", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("subject", "day", name=op.f("pk_cashier_refund_days")),
        sa.CheckConstraint(
            "refunded >= 0", name=op.f("ck_cashier_refund_days_refunded_not_negative")
        ),
    )

    op.create_index(
        "ix_checkout_payments_merchant_account_id_id",
        "checkout_payments",
        ["merchant_account_id", "id"],
    )


def downgrade() -> None:
    op.drop_index("ix_checkout_payments_merchant_account_id_id", "checkout_payments")
    op.drop_table("cashier_refund_days")
