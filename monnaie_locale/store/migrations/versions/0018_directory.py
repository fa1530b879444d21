"""The public directory: the businesses' profiles and the exchange offices' places.

Creates the tables of ``monnaie_locale/store/tables_directory.py``. Neither is part of the
books: a downgrade drops them, and with them only what the directory showed.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Stamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "business_profiles",
        sa.Column("account_id", Id, autoincrement=False, nullable=False),
        sa.Column("category", sa.String(60), nullable=False),
        sa.Column("town", sa.String(80), nullable=False),
        sa.Column("description", sa.String(280)),
        sa.Column("address", sa.String(120)),
        sa.Column("listed", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("search_key", sa.Text, nullable=False),
        sa.Column("town_key", sa.String(80), nullable=False),
        sa.Column("category_key", sa.String(60), nullable=False),
        sa.Column("updated_at", Stamp, nullable=False),
        sa.Column("updated_by", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("account_id", name="pk_business_profiles"),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name="fk_business_profiles_account_id"
        ),
    )
    op.create_index("ix_business_profiles_town_key", "business_profiles", ["town_key"])
    op.create_table(
        "office_places",
        sa.Column("office", sa.String(40), nullable=False),
        sa.Column("name", sa.String(120)),
        sa.Column("address", sa.String(120), nullable=False),
        sa.Column("town", sa.String(80), nullable=False),
        sa.Column("hours", sa.String(200), nullable=False),
        sa.Column("updated_at", Stamp, nullable=False),
        sa.Column("updated_by", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("office", name="pk_office_places"),
    )


def downgrade() -> None:
    op.drop_table("office_places")
    op.drop_index("ix_business_profiles_town_key", table_name="business_profiles")
    op.drop_table("business_profiles")
