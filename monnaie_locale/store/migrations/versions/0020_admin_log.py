"""The log of administrative acts: who did what to the currency's set-up, and when.

The table of ``monnaie_locale/store/tables_admin_log.py``.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "admin_acts",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(60), nullable=False),
        sa.Column("actor_name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(40), nullable=False),
        sa.Column("act", sa.String(80), nullable=False),
        sa.Column("target", sa.String(200), nullable=False, server_default=""),
        sa.Column("summary", sa.Text, nullable=False, server_default="{}"),
    )
    op.create_index("ix_admin_acts_actor_name", "admin_acts", ["actor_name"])
    op.create_index("ix_admin_acts_act", "admin_acts", ["act"])


def downgrade() -> None:
    op.drop_table("admin_acts")
