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


def _conversions_columns(width: int, statuses: str) -> list[sa.SchemaItem]:
    """The conversions table of 0003 with 0012's rule column, its status ``width`` wide
    and checked by ``statuses``, its constraints in a fixed order (SQLite keeps the text it
    is created with)."""
    return [
        sa.Column("id", Id, nullable=False),
        sa.Column("account_id", Id, nullable=False),
        sa.Column("method", sa.String(10), nullable=False),
        sa.Column("amount", sa.BigInteger, nullable=False),
        sa.Column("bonus", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("status", sa.String(width), nullable=False),
        sa.Column("reference", sa.String(40)),
        sa.Column("payment_reference", sa.String(120)),
        sa.Column("office", sa.String(40)),
        sa.Column("bank_reference", sa.Text),
        sa.Column("transaction_batch", sa.String(120)),
        sa.Column("created_at", Stamp, nullable=False),
        sa.Column("settled_at", Stamp),
        sa.Column("bonus_rule", Id),
        # Named as the table they end in, not the one they are built in.
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversions")),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_conversions_account_id")
        ),
        sa.ForeignKeyConstraint(
            ["bonus_rule"], ["rule_changes.id"], name=op.f("fk_conversions_bonus_rule")
        ),
        sa.UniqueConstraint("reference", name=op.f("uq_conversions_reference")),
        sa.UniqueConstraint("payment_reference", name=op.f("uq_conversions_payment_reference")),
        sa.CheckConstraint(
            "method IN ('transfer', 'card', 'cash')", name=op.f("ck_conversions_method")
        ),
        sa.CheckConstraint(statuses, name=op.f("ck_conversions_status")),
        sa.CheckConstraint("amount > 0", name=op.f("ck_conversions_amount_positive")),
        sa.CheckConstraint("bonus >= 0", name=op.f("ck_conversions_bonus_not_negative")),
    ]


_COLUMNS = (
    "id, account_id, method, amount, bonus, status, reference, payment_reference, office, "
    "bank_reference, transaction_batch, created_at, settled_at, bonus_rule"
)


def _conversions_statuses(width: int, statuses: str) -> None:
    """Let the conversions' status be ``width`` wide and checked by ``statuses``.

    PostgreSQL alters the column and the check in place. SQLite alters neither: the table
    is built anew beside the old one, filled, and put in its place, with its constraints
    in the order written here (a batch copy would list them in no fixed order).
    """
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(op.f("ck_conversions_status"), "conversions", type_="check")
        op.alter_column("conversions", "status", type_=sa.String(width))
        op.create_check_constraint(op.f("ck_conversions_status"), "conversions", statuses)
        return
    op.create_table("conversions_rebuilt", *_conversions_columns(width, statuses))
    op.execute(f"INSERT INTO conversions_rebuilt ({_COLUMNS}) SELECT {_COLUMNS} FROM conversions")
    op.drop_index("ix_conversions_status", table_name="conversions")
    op.drop_table("conversions")
    op.rename_table("conversions_rebuilt", "conversions")
    op.create_index("ix_conversions_status", "conversions", ["status"])


def upgrade() -> None:
    _conversions_statuses(12, _NEW_STATUSES)
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
    _conversions_statuses(10, _OLD_STATUSES)
