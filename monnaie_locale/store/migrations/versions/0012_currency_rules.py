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
    with op.batch_alter_table("reconversions") as batch:
        batch.add_column(sa.Column("fee_rule", Id, sa.ForeignKey("rule_changes.id")))
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
    with op.batch_alter_table("reconversions") as batch:
        batch.drop_column("fee_rule")
    with op.batch_alter_table("conversions") as batch:
        batch.drop_column("bonus_rule")
    op.drop_table("rule_changes")  # its triggers go with it
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION rule_changes_refuse_change()")
