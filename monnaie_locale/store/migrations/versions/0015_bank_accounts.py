"""The association's bank accounts; statements and lines read per account, at the bank's dates.

Creates the tables of ``monnaie_locale/store/tables_bank.py`` and adds to the statements'
tables the bank account each belongs to, the file's hash, the opening balance and the
lines' value dates. A line id is now unique per bank account: two accounts may show the
same movement text on the same day.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Stamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "bank_accounts",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(60), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("iban", sa.String(34), nullable=False),
        sa.Column("bic", sa.String(11)),
        sa.Column("created_at", Stamp, nullable=False),
        sa.Column("updated_at", Stamp, nullable=False),
        sa.Column("updated_by", sa.Text, nullable=False),
        sa.UniqueConstraint("name", name="uq_bank_accounts_name"),
        sa.UniqueConstraint("role", name="uq_bank_accounts_role"),
        sa.UniqueConstraint("iban", name="uq_bank_accounts_iban"),
        sa.CheckConstraint(
            "role IN ('reserve_digital', 'reserve_notes', 'operating')",
            name=op.f("ck_bank_accounts_role"),
        ),
    )
    # Columns added in place: rebuilding bank_statements would drop a table bank_lines
    # refers to, which SQLite refuses once statements were imported; and SQLite adds no
    # foreign key in place, so the statement's account is the import's to keep right (its
    # lines' account is checked by the database).
    op.add_column("bank_statements", sa.Column("bank_account_id", Id))
    op.add_column("bank_statements", sa.Column("file_hash", sa.String(64)))
    op.add_column("bank_statements", sa.Column("opening_balance", sa.BigInteger))
    op.add_column("bank_statements", sa.Column("opening_date", sa.Date))
    op.create_index(
        "ix_bank_statements_bank_account_id_statement_id",
        "bank_statements",
        ["bank_account_id", "statement_id"],
    )
    with op.batch_alter_table("bank_lines") as batch:
        batch.add_column(
            sa.Column(
                "bank_account_id",
                Id,
                sa.ForeignKey("bank_accounts.id", name="fk_bank_lines_bank_account_id"),
            )
        )
        batch.add_column(sa.Column("value_date", sa.Date))
        batch.drop_constraint("uq_bank_lines_line_id", type_="unique")
        batch.create_unique_constraint(
            "uq_bank_lines_bank_account_id_line_id", ["bank_account_id", "line_id"]
        )
    op.create_table(
        "bank_line_transactions",
        sa.Column("bank_line_id", Id, sa.ForeignKey("bank_lines.id"), primary_key=True),
        sa.Column("transaction_id", Id, sa.ForeignKey("transactions.id"), primary_key=True),
        sa.Index("ix_bank_line_transactions_transaction_id", "transaction_id"),
    )
    op.create_table(
        "bank_line_changes",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("bank_line_id", Id, sa.ForeignKey("bank_lines.id"), nullable=False),
        sa.Column("action", sa.String(10), nullable=False),
        sa.Column("transaction_id", Id),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("changed_at", Stamp, nullable=False),
        sa.CheckConstraint(
            "action IN ('match', 'unmatch')", name=op.f("ck_bank_line_changes_action")
        ),
        sa.Index("ix_bank_line_changes_bank_line_id", "bank_line_id"),
    )


def downgrade() -> None:
    op.drop_table("bank_line_changes")
    op.drop_table("bank_line_transactions")
    with op.batch_alter_table("bank_lines") as batch:
        batch.drop_constraint("uq_bank_lines_bank_account_id_line_id", type_="unique")
        batch.create_unique_constraint("uq_bank_lines_line_id", ["line_id"])
        batch.drop_constraint("fk_bank_lines_bank_account_id", type_="foreignkey")
        batch.drop_column("value_date")
        batch.drop_column("bank_account_id")
    op.drop_index("ix_bank_statements_bank_account_id_statement_id", "bank_statements")
    # Dropped in place, as they were added: a batch copy would rewrite the table's text.
    for column in ("opening_date", "opening_balance", "file_hash", "bank_account_id"):
        op.execute(f"ALTER TABLE bank_statements DROP COLUMN {column}")
    op.drop_table("bank_accounts")
