"""The association's rules of its chart of accounts, tried before the built-in chart.

One row per rule (pattern and currency, "" for any); the table of
``monnaie_locale/store/tables_chart.py``, read by ``monnaie_locale/chart.py``.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "chart_rules",
        sa.Column("pattern", sa.String(120), primary_key=True),
        sa.Column("currency", sa.String(10), primary_key=True, server_default=""),
        sa.Column("number", sa.String(20), nullable=False),
        sa.Column("label", sa.String(120), nullable=False),
        sa.Column("auxiliary", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(120), nullable=False),
        sa.CheckConstraint("length(number) >= 3", name=op.f("ck_chart_rules_number")),
    )


def downgrade() -> None:
    op.drop_table("chart_rules")
