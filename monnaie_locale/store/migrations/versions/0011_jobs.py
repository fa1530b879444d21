"""The scheduled jobs' table: which period of each job ran last, and how it ended.

Every serving process runs the same jobs (expiring holds, sealing the journal on
PostgreSQL, sending webhooks); one row per job lets one process only run each period of
it (see ``monnaie_locale/jobs.py``); the table of ``monnaie_locale/store/tables_jobs.py``.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("name", sa.String(60), primary_key=True),
        sa.Column("last_period", sa.BigInteger, nullable=False, server_default="-1"),
        sa.Column("last_started_at", sa.DateTime(timezone=True)),
        sa.Column("last_finished_at", sa.DateTime(timezone=True)),
        sa.Column("last_status", sa.String(10)),
        sa.Column("last_error", sa.Text),
        sa.Column("last_result", sa.Text),
        sa.CheckConstraint(
            "last_status IN ('running', 'ok', 'failed')", name=op.f("ck_jobs_status")
        ),
    )


def downgrade() -> None:
    op.drop_table("jobs")
