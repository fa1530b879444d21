"""Failed sign-ins of names that are no active user's, counted and locked like a user's.

A user is locked after repeated failed sign-ins, and the lock answers 429. A name that
matches no active user used to answer 401 for ever, so five wrong passwords told a
guesser whether a name exists. ``sign_in_names`` holds the same count and lock for
such names (see ``monnaie_locale/auth/lockout.py``); the table of
``monnaie_locale/store/tables_auth.py``.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sign_in_names",
        sa.Column("username", sa.String(80), primary_key=True),
        sa.Column("failed_logins", sa.Integer, nullable=False, server_default="0"),
        sa.Column("locked_until", sa.DateTime(timezone=True)),
        sa.CheckConstraint(
            "failed_logins >= 0", name=op.f("ck_sign_in_names_failed_logins_not_negative")
        ),
    )


def downgrade() -> None:
    op.drop_table("sign_in_names")
