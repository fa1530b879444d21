"""The association's other money flows: account closures, note write-offs, conversion
reversals; and a conversion may now end reversed or charged back.

The tables of ``monnaie_locale/store/tables_flows.py``; the conversions' status column is
widened to 12 characters and its check admits 'reversed' and 'charged_back'.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Stamp = sa.DateTime(timezone=True)

_OLD_STATUSES = "status IN ('pending', 'credited', 'cancelled')"
_NEW_STATUSES = "status IN ('pending', 'credited', 'cancelled', 'reversed', 'charged_back')"


def upgrade() -> None:
    with op.batch_alter_table("conversions") as batch:
        batch.drop_constraint(op.f("ck_conversions_status"), type_="check")
        batch.alter_column(
            "status", type_=sa.String(12), existing_type=sa.String(10), existing_nullable=False
        )
        batch.create_check_constraint(op.f("ck_conversions_status"), _NEW_STATUSES)
    op.create_table(
        "account_closures",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("account_id", Id, sa.ForeignKey("accounts.id"), nullable=False, unique=True),
        sa.Column("reason", sa.String(10), nullable=False),
        sa.Column("settlement", sa.String(10), nullable=False),
        sa.Column("amount", sa.BigInteger, nullable=False),
        sa.Column("paid_to", sa.Text, nullable=False, server_default=""),
        sa.Column("transaction_batch", sa.String(120)),
        sa.Column("closed_at", Stamp, nullable=False),
        sa.CheckConstraint(
            "reason IN ('left', 'deceased')", name=op.f("ck_account_closures_reason")
        ),
        sa.CheckConstraint(
            "settlement IN ('refund', 'donate')", name=op.f("ck_account_closures_settlement")
        ),
        sa.CheckConstraint("amount >= 0", name=op.f("ck_account_closures_amount_not_negative")),
    )
    op.create_table(
        "note_write_offs",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("series", sa.String(80), nullable=False, unique=True),
        sa.Column("location", sa.String(60), nullable=False),
        sa.Column("reason", sa.String(10), nullable=False),
        sa.Column("amount", sa.BigInteger, nullable=False),
        sa.Column("notes", sa.Text, nullable=False),
        sa.Column("transaction_batch", sa.String(120), nullable=False),
        sa.Column("written_off_at", Stamp, nullable=False),
        sa.CheckConstraint(
            "reason IN ('stolen', 'destroyed')", name=op.f("ck_note_write_offs_reason")
        ),
        sa.CheckConstraint("amount > 0", name=op.f("ck_note_write_offs_amount_positive")),
    )
    op.create_table(
        "conversion_reversals",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column(
            "conversion_id", Id, sa.ForeignKey("conversions.id"), nullable=False, unique=True
        ),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("taken_back", sa.BigInteger, nullable=False),
        sa.Column("borne", sa.BigInteger, nullable=False),
        sa.Column("transaction_batch", sa.String(120), nullable=False),
        sa.Column("reversed_at", Stamp, nullable=False),
        sa.CheckConstraint(
            "kind IN ('reversed', 'charged_back')", name=op.f("ck_conversion_reversals_kind")
        ),
        sa.CheckConstraint(
            "taken_back >= 0 AND borne >= 0",
            name=op.f("ck_conversion_reversals_amounts_not_negative"),
        ),
    )


def downgrade() -> None:
    op.drop_table("conversion_reversals")
    op.drop_table("note_write_offs")
    op.drop_table("account_closures")
    with op.batch_alter_table("conversions") as batch:
        batch.drop_constraint(op.f("ck_conversions_status"), type_="check")
        batch.alter_column(
            "status", type_=sa.String(10), existing_type=sa.String(12), existing_nullable=False
        )
        batch.create_check_constraint(op.f("ck_conversions_status"), _OLD_STATUSES)
