"""An index on the transaction that posted a hold.

An account's statement names, on a reconversion's line, the request's gross amount, fee
and payout: it finds the request from the transaction that posted its hold
(``monnaie_locale/exports/statement_rows.py``), which without this index would read
every hold ever placed.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_holds_transaction_id", "holds", ["transaction_id"])


def downgrade() -> None:
    op.drop_index("ix_holds_transaction_id", table_name="holds")
