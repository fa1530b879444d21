"""Accounts get a display name: the holder's name as payers know it.

The pay page behind a QR code and the printed counter sheet name the merchant from the
server's own account table; until now they could only show its code. ``display_name``
is optional (NULL shows the code), at most 120 characters, and holds no control
character: the database checks both, so a hand-written ``UPDATE`` cannot put a line
break or an escape sequence on a payer's screen. The application refuses more (outer
spaces, direction-reversing marks: see ``monnaie_locale.model.check_display_name``).

The column is added with its checks in one ``ADD COLUMN``, which both engines accept
without rebuilding the table. Constraint names are those of
``monnaie_locale/store/tables.py``.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_PLAIN = {
    "postgresql": "display_name IS NULL OR display_name !~ '[\\x01-\\x1f\\x7f]'",
    "sqlite": "display_name IS NULL OR display_name NOT GLOB "
    "'*[' || char(1) || '-' || char(31) || char(127) || ']*'",
}


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.add_column(
        "accounts",
        sa.Column(
            "display_name",
            sa.String(120),
            sa.CheckConstraint(
                "display_name IS NULL OR length(display_name) BETWEEN 1 AND 120",
                name=op.f("ck_accounts_display_name_length"),
            ),
            sa.CheckConstraint(_PLAIN[dialect], name=op.f("ck_accounts_display_name_plain")),
        ),
    )


def downgrade() -> None:
    # The checks belong to the column, so both engines drop them with it.
    op.drop_column("accounts", "display_name")
