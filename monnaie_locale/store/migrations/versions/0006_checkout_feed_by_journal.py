"""The checkout feed follows the journal: each event names its ledger transaction.

A checkout page resumes its Server-Sent Events stream from the journal sequence of the
last event it received (see ``monnaie_locale/checkout/events.py``), so each event row
now names the transaction it reports: ``checkout_events.transaction_id``, filled here for
the events already written, from their payment or refund. One transaction reports at most
one event (unique index), and the index is how the feed finds the events of sealed
journal entries.

The column copies the transaction of the event's payment or refund, which reference the
transaction already; it carries no foreign key of its own, so SQLite can drop it again on
downgrade without rebuilding the table. It stays nullable in the schema only because
SQLite adds a NOT NULL column only with a default; the application always writes it.

On PostgreSQL the journal is sealed after commit by the sealer, so the pages of a merchant
must be woken when its event is sealed rather than when it commits: a statement trigger
on ``journal`` sends ``NOTIFY checkout, '<merchant account id>'`` for every merchant with
an event among the entries just sealed, delivered when the sealer commits. On SQLite a
transaction is sealed inside its own commit, and the process that committed it wakes its
pages itself.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.add_column(
        "checkout_events",
        sa.Column("transaction_id", Id),
    )
    op.execute(
        """
        UPDATE checkout_events SET transaction_id = CASE
            WHEN refund_id IS NULL THEN
                (SELECT transaction_id FROM checkout_payments WHERE id = checkout_events.payment_id)
            ELSE
                (SELECT transaction_id FROM checkout_refunds WHERE id = checkout_events.refund_id)
            END
        """
    )
    op.create_index(
        "ix_checkout_events_transaction_id", "checkout_events", ["transaction_id"], unique=True
    )
    op.create_index("ix_checkout_events_payment_id", "checkout_events", ["payment_id"])
    if op.get_bind().dialect.name == "postgresql":
        _postgres_wake_on_seal()


def _postgres_wake_on_seal() -> None:
    op.execute(
        """
        CREATE FUNCTION checkout_notify_sealed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('checkout', merchant::text)
               FROM (SELECT DISTINCT e.merchant_account_id AS merchant
                       FROM sealed s
                       JOIN checkout_events e ON e.transaction_id = s.transaction_id) AS woken;
            RETURN NULL;
        END $$
        """
    )
    op.execute(
        """
        CREATE TRIGGER journal_wakes_checkout AFTER INSERT ON journal
        REFERENCING NEW TABLE AS sealed
        FOR EACH STATEMENT EXECUTE FUNCTION checkout_notify_sealed()
        """
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER journal_wakes_checkout ON journal")
        op.execute("DROP FUNCTION checkout_notify_sealed()")
    op.drop_index("ix_checkout_events_payment_id", table_name="checkout_events")
    op.drop_index("ix_checkout_events_transaction_id", table_name="checkout_events")
    op.drop_column("checkout_events", "transaction_id")
