"""Currency operations: conversions, reconversions and their batches, note stocks, tills,
imported bank statements, membership fees.

These rows describe operations; the money they move stays in the ledger's tables. Unlike
postings they change state (a conversion order goes from pending to credited), so they are
not append-only, but each status change is a conditional update made by the operations.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Stamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    _conversions()
    _reconversions()
    _notes_and_offices()
    _bank()
    _membership()


def _conversions() -> None:
    op.create_table(
        "account_categories",
        sa.Column(
            "account_id", Id, sa.ForeignKey("accounts.id"), primary_key=True, autoincrement=False
        ),
        sa.Column("category", sa.String(40), nullable=False),
    )
    op.create_table(
        "conversions",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("account_id", Id, sa.ForeignKey("accounts.id"), nullable=False),
        sa.Column("method", sa.String(10), nullable=False),
        sa.Column("amount", sa.BigInteger, nullable=False),
        sa.Column("bonus", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("reference", sa.String(40)),
        sa.Column("payment_reference", sa.String(120)),
        sa.Column("office", sa.String(40)),
        sa.Column("bank_reference", sa.Text),
        sa.Column("transaction_batch", sa.String(120)),
        sa.Column("created_at", Stamp, nullable=False),
        sa.Column("settled_at", Stamp),
        sa.UniqueConstraint("reference", name="uq_conversions_reference"),
        sa.UniqueConstraint("payment_reference", name="uq_conversions_payment_reference"),
        sa.CheckConstraint(
            "method IN ('transfer', 'card', 'cash')", name=op.f("ck_conversions_method")
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'credited', 'cancelled')", name=op.f("ck_conversions_status")
        ),
        sa.CheckConstraint("amount > 0", name=op.f("ck_conversions_amount_positive")),
        sa.CheckConstraint("bonus >= 0", name=op.f("ck_conversions_bonus_not_negative")),
    )
    op.create_index("ix_conversions_status", "conversions", ["status"])


def _reconversions() -> None:
    op.create_table(
        "reconversion_batches",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("total_payout", sa.BigInteger, nullable=False),
        sa.Column("message_id", sa.String(35)),
        sa.Column("validated_by", sa.Text, nullable=False),
        sa.Column("created_at", Stamp, nullable=False),
        sa.Column("exported_at", Stamp),
        sa.Column("paid_at", Stamp),
        sa.CheckConstraint(
            "status IN ('validated', 'exported', 'paid')",
            name=op.f("ck_reconversion_batches_status"),
        ),
    )
    op.create_table(
        "reconversions",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("account_id", Id, sa.ForeignKey("accounts.id"), nullable=False),
        sa.Column("amount", sa.BigInteger, nullable=False),
        sa.Column("fee", sa.BigInteger, nullable=False),
        sa.Column("payout", sa.BigInteger, nullable=False),
        sa.Column("category", sa.String(40), nullable=False),
        sa.Column("creditor_name", sa.Text, nullable=False),
        sa.Column("iban", sa.String(34), nullable=False),
        sa.Column("bic", sa.String(11)),
        sa.Column("hold_id", Id, sa.ForeignKey("holds.id"), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("batch_id", Id, sa.ForeignKey("reconversion_batches.id")),
        sa.Column("bank_reference", sa.Text),
        sa.Column("transaction_batch", sa.String(120)),
        sa.Column("created_at", Stamp, nullable=False),
        sa.Column("settled_at", Stamp),
        sa.UniqueConstraint("hold_id", name="uq_reconversions_hold_id"),
        sa.CheckConstraint(
            "status IN ('requested', 'batched', 'paid', 'cancelled')",
            name=op.f("ck_reconversions_status"),
        ),
        sa.CheckConstraint(
            "fee >= 0 AND payout > 0 AND fee + payout = amount", name=op.f("ck_reconversions_split")
        ),
    )
    op.create_index("ix_reconversions_status", "reconversions", ["status"])
    op.create_index("ix_reconversions_batch_id", "reconversions", ["batch_id"])


def _notes_and_offices() -> None:
    op.create_table(
        "note_stocks",
        sa.Column("location", sa.String(60), primary_key=True),
        sa.Column("denomination", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("count", sa.BigInteger, nullable=False),
        sa.CheckConstraint("count >= 0", name=op.f("ck_note_stocks_count_not_negative")),
    )
    op.create_table(
        "till_deposits",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("office", sa.String(40), nullable=False),
        sa.Column("amount", sa.BigInteger, nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("bank_reference", sa.Text),
        sa.Column("created_at", Stamp, nullable=False),
        sa.Column("received_at", Stamp),
        sa.CheckConstraint(
            "status IN ('in_transit', 'received')", name=op.f("ck_till_deposits_status")
        ),
        sa.CheckConstraint("amount > 0", name=op.f("ck_till_deposits_amount_positive")),
    )
    op.create_table(
        "office_closings",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("office", sa.String(40), nullable=False),
        sa.Column("expected", sa.BigInteger, nullable=False),
        sa.Column("counted", sa.BigInteger, nullable=False),
        sa.Column("difference", sa.BigInteger, nullable=False),
        sa.Column("transaction_batch", sa.String(120)),
        sa.Column("closed_at", Stamp, nullable=False),
        sa.CheckConstraint("counted >= 0", name=op.f("ck_office_closings_counted_not_negative")),
        sa.CheckConstraint(
            "difference = counted - expected", name=op.f("ck_office_closings_difference")
        ),
    )
    op.create_index(
        "ix_office_closings_office_closed_at", "office_closings", ["office", "closed_at"]
    )


def _bank() -> None:
    op.create_table(
        "bank_statements",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("statement_id", sa.Text, nullable=False),
        sa.Column("account_iban", sa.String(34)),
        sa.Column("closing_balance", sa.BigInteger),
        sa.Column("closing_date", sa.Date),
        sa.Column("imported_at", Stamp, nullable=False),
        sa.UniqueConstraint("fingerprint", name="uq_bank_statements_fingerprint"),
    )
    op.create_table(
        "bank_lines",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("statement_row_id", Id, sa.ForeignKey("bank_statements.id"), nullable=False),
        sa.Column("line_id", sa.String(80), nullable=False),
        sa.Column("booking_date", sa.Date, nullable=False),
        sa.Column("amount", sa.BigInteger, nullable=False),
        sa.Column("remittance", sa.Text, nullable=False, server_default=""),
        sa.Column("bank_reference", sa.Text),
        sa.Column("end_to_end_id", sa.Text),
        sa.Column("matched_kind", sa.String(20)),
        sa.Column("matched_id", sa.BigInteger),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.UniqueConstraint("line_id", name="uq_bank_lines_line_id"),
    )


def _membership() -> None:
    op.create_table(
        "membership_fees",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("account_id", Id, sa.ForeignKey("accounts.id"), nullable=False),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("amount", sa.BigInteger, nullable=False),
        sa.Column("currency", sa.String(10), nullable=False),
        sa.Column("transaction_batch", sa.String(120), nullable=False),
        sa.Column("paid_at", Stamp, nullable=False),
        sa.UniqueConstraint("account_id", "period", name="uq_membership_fees_account_id_period"),
        sa.CheckConstraint("amount > 0", name=op.f("ck_membership_fees_amount_positive")),
    )


def downgrade() -> None:
    for table in (
        "membership_fees",
        "bank_lines",
        "bank_statements",
        "office_closings",
        "till_deposits",
        "note_stocks",
        "reconversions",
        "reconversion_batches",
        "conversions",
        "account_categories",
    ):
        op.drop_table(table)
