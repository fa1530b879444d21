"""The currency's rules as data: every change of a rule, dated, never altered.

* ``rule_changes`` (see ``monnaie_locale/store/tables_rules.py``): one row per change of
  a rule (its new value, the day from which it applies, who changed it and when). The
  database refuses updates and deletions of it, on both engines, as it does for postings.
* ``conversions.bonus_rule`` and ``reconversions.fee_rule``: the change whose bonus or fee
  a conversion or a reconversion applied (``NULL``: the settings' rules, before any row).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
FAMILIES = (
    "conversion_bonus",
    "reconversion_fee",
    "members_may_reconvert",
    "authorities_may_reconvert",
    "membership_fee",
    "max_balance",
    "max_conversion",
)
REFUSAL = "rule_changes is append-only: record a new change instead"


def upgrade() -> None:
    op.create_table(
        "rule_changes",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("family", sa.String(40), nullable=False),
        sa.Column("target", sa.String(40), nullable=False, server_default=""),
        sa.Column("number", sa.BigInteger),
        sa.Column("flag", sa.Boolean),
        sa.Column("period", sa.String(5)),
        sa.Column("effective_from", sa.Date, nullable=False),
        sa.Column("changed_by", sa.String(200), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "family IN (" + ", ".join(f"'{f}'" for f in FAMILIES) + ")",
            name=op.f("ck_rule_changes_family"),
        ),
        sa.CheckConstraint(
            "number IS NULL OR number >= 0", name=op.f("ck_rule_changes_number_not_negative")
        ),
        sa.CheckConstraint(
            "period IS NULL OR period IN ('year', 'month')", name=op.f("ck_rule_changes_period")
        ),
    )
    op.create_index(
        "ix_rule_changes_family_target_effective_from",
        "rule_changes",
        ["family", "target", "effective_from"],
    )
    with op.batch_alter_table("conversions") as batch:
        batch.add_column(sa.Column("bonus_rule", Id, sa.ForeignKey("rule_changes.id")))
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_reconversions(with_rule=True)
    else:
        op.add_column(
            "reconversions",
            sa.Column(
                "fee_rule",
                Id,
                sa.ForeignKey("rule_changes.id", name=op.f("fk_reconversions_fee_rule")),
            ),
        )
    if op.get_bind().dialect.name == "postgresql":
        _postgres_append_only()
    else:
        _sqlite_append_only()


def _postgres_append_only() -> None:
    op.execute(
        f"""
        CREATE FUNCTION rule_changes_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '{REFUSAL}' USING ERRCODE = 'insufficient_privilege';
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER rule_changes_immutable BEFORE UPDATE OR DELETE ON rule_changes "
        "FOR EACH ROW EXECUTE FUNCTION rule_changes_refuse_change()"
    )
    op.execute(
        "CREATE TRIGGER rule_changes_no_truncate BEFORE TRUNCATE ON rule_changes "
        "FOR EACH STATEMENT EXECUTE FUNCTION rule_changes_refuse_change()"
    )


def _sqlite_append_only() -> None:
    for action in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER rule_changes_no_{action.lower()} BEFORE {action} ON rule_changes "
            f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_reconversions(with_rule=False)
    else:
        op.drop_column("reconversions", "fee_rule")
    with op.batch_alter_table("conversions") as batch:
        batch.drop_column("bonus_rule")
    op.drop_table("rule_changes")  # its triggers go with it
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION rule_changes_refuse_change()")


_RECONVERSION_COLUMNS = (
    "id, account_id, amount, fee, payout, category, creditor_name, iban, bic, hold_id, "
    "status, batch_id, bank_reference, transaction_batch, created_at, settled_at"
)


def _rebuild_reconversions(*, with_rule: bool) -> None:
    """SQLite: the reconversions table built anew beside the old one, with or without
    ``fee_rule``, filled and put in its place.

    SQLite alters no constraint in place, and a batch copy lists the constraints in no
    fixed order: the table's text would then differ after a way down and back up.
    """
    rule = [sa.Column("fee_rule", Id)] if with_rule else []
    rule_key = (
        [
            sa.ForeignKeyConstraint(
                ["fee_rule"], ["rule_changes.id"], name=op.f("fk_reconversions_fee_rule")
            )
        ]
        if with_rule
        else []
    )
    op.create_table(
        "reconversions_rebuilt",
        sa.Column("id", Id, nullable=False),
        sa.Column("account_id", Id, nullable=False),
        sa.Column("amount", sa.BigInteger, nullable=False),
        sa.Column("fee", sa.BigInteger, nullable=False),
        sa.Column("payout", sa.BigInteger, nullable=False),
        sa.Column("category", sa.String(40), nullable=False),
        sa.Column("creditor_name", sa.Text, nullable=False),
        sa.Column("iban", sa.String(34), nullable=False),
        sa.Column("bic", sa.String(11)),
        sa.Column("hold_id", Id, nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("batch_id", Id),
        sa.Column("bank_reference", sa.Text),
        sa.Column("transaction_batch", sa.String(120)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("settled_at", sa.DateTime(timezone=True)),
        *rule,
        # Named as the table they end in, not the one they are built in.
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reconversions")),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_reconversions_account_id")
        ),
        sa.ForeignKeyConstraint(["hold_id"], ["holds.id"], name=op.f("fk_reconversions_hold_id")),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["reconversion_batches.id"], name=op.f("fk_reconversions_batch_id")
        ),
        *rule_key,
        sa.UniqueConstraint("hold_id", name="uq_reconversions_hold_id"),
        sa.CheckConstraint(
            "status IN ('requested', 'batched', 'paid', 'cancelled')",
            name=op.f("ck_reconversions_status"),
        ),
        sa.CheckConstraint(
            "fee >= 0 AND payout > 0 AND fee + payout = amount",
            name=op.f("ck_reconversions_split"),
        ),
    )
    op.execute(
        f"INSERT INTO reconversions_rebuilt ({_RECONVERSION_COLUMNS}) "
        f"SELECT {_RECONVERSION_COLUMNS} FROM reconversions"
    )
    op.drop_index("ix_reconversions_status", table_name="reconversions")
    op.drop_index("ix_reconversions_batch_id", table_name="reconversions")
    op.drop_table("reconversions")
    op.rename_table("reconversions_rebuilt", "reconversions")
    op.create_index("ix_reconversions_status", "reconversions", ["status"])
    op.create_index("ix_reconversions_batch_id", "reconversions", ["batch_id"])
