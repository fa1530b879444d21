"""Local authorities: régies, duties, conventions, quittances, versements and mandates.

The tables of ``monnaie_locale/store/tables_authorities.py``.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

_TABLES = (
    "mandates",
    "quittances",
    "versements",
    "quittance_counters",
    "regie_sales",
    "regie_tariffs",
    "conventions",
    "authority_duties",
    "regies",
    "authorities",
)


def upgrade() -> None:
    op.create_table(
        "authorities",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("code", sa.String(60), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("account_id", Id, sa.ForeignKey("accounts.id")),
        sa.Column("treasury_name", sa.String(140), nullable=False),
        sa.Column("treasury_iban", sa.String(34), nullable=False),
        sa.Column("treasury_bic", sa.String(11)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('commune', 'epci', 'departement', 'region', 'other')",
            name=op.f("ck_authorities_kind"),
        ),
    )
    op.create_table(
        "regies",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("authority_id", Id, sa.ForeignKey("authorities.id"), nullable=False),
        sa.Column("code", sa.String(60), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("account_id", Id, sa.ForeignKey("accounts.id"), nullable=False, unique=True),
        sa.Column("cash_cap", sa.BigInteger, nullable=False),
        sa.Column("names_payers", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("cash_cap > 0", name=op.f("ck_regies_cash_cap_positive")),
    )
    op.create_index("ix_regies_authority_id", "regies", ["authority_id"])
    op.create_table(
        "authority_duties",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("user_id", Id, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("authority_id", Id, sa.ForeignKey("authorities.id"), nullable=False),
        sa.Column("regie_id", Id, sa.ForeignKey("regies.id")),
        sa.Column("duty", sa.String(20), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(duty IN ('regisseur', 'mandataire')) = (regie_id IS NOT NULL)",
            name=op.f("ck_authority_duties_duty_scope"),
        ),
        sa.UniqueConstraint(
            "user_id", "authority_id", "regie_id", "duty", name="uq_authority_duties"
        ),
        sa.CheckConstraint(
            "duty IN ('regisseur', 'mandataire', 'finance', 'ordonnateur', 'comptable')",
            name=op.f("ck_authority_duties_duty"),
        ),
    )
    op.create_index("ix_authority_duties_user_id", "authority_duties", ["user_id"])
    op.create_table(
        "conventions",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("authority_id", Id, sa.ForeignKey("authorities.id"), nullable=False),
        sa.Column("effective_from", sa.Date, nullable=False),
        sa.Column("reconversion_fee_bps", sa.Integer, nullable=False),
        sa.Column("payin_days", sa.Integer, nullable=False),
        sa.Column("cash_cap", sa.BigInteger),
        sa.Column("may_spend", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("reference", sa.Text, nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.CheckConstraint(
            "reconversion_fee_bps BETWEEN 0 AND 10000", name=op.f("ck_conventions_fee_bps")
        ),
        sa.CheckConstraint(
            "cash_cap IS NULL OR cash_cap > 0", name=op.f("ck_conventions_cash_cap_positive")
        ),
        sa.UniqueConstraint("authority_id", "effective_from", name="uq_conventions_effective"),
        sa.CheckConstraint("payin_days BETWEEN 1 AND 31", name=op.f("ck_conventions_payin_days")),
    )
    op.create_table(
        "regie_tariffs",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("regie_id", Id, sa.ForeignKey("regies.id"), nullable=False),
        sa.Column("label", sa.String(120), nullable=False),
        sa.Column("amount", sa.BigInteger, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("regie_id", "label", name="uq_regie_tariffs_label"),
        sa.CheckConstraint("amount > 0", name=op.f("ck_regie_tariffs_amount_positive")),
    )
    op.create_table(
        "regie_sales",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("regie_id", Id, sa.ForeignKey("regies.id"), nullable=False),
        sa.Column(
            "request_id", Id, sa.ForeignKey("payment_requests.id"), nullable=False, unique=True
        ),
        sa.Column("object", sa.String(200), nullable=False),
        sa.Column("payer_name", sa.String(200)),
        sa.Column("euros", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("euro_means", sa.String(10)),
        sa.Column("euro_reference", sa.String(140)),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "euro_means IS NULL OR euro_means IN ('card', 'cash')",
            name=op.f("ck_regie_sales_euro_means"),
        ),
        sa.CheckConstraint("euros >= 0", name=op.f("ck_regie_sales_euros_not_negative")),
    )
    op.create_table(
        "quittance_counters",
        sa.Column("regie_id", Id, sa.ForeignKey("regies.id"), primary_key=True),
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("last_number", sa.Integer, nullable=False),
    )
    op.create_table(
        "versements",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("regie_id", Id, sa.ForeignKey("regies.id"), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("prepared_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("prepared_by", sa.String(200), nullable=False),
        sa.Column("units", sa.BigInteger, nullable=False),
        sa.Column("fee", sa.BigInteger, nullable=False),
        sa.Column("euros", sa.BigInteger, nullable=False),
        sa.Column("reason", sa.String(10), nullable=False),
        sa.Column("convention_id", Id, sa.ForeignKey("conventions.id"), nullable=False),
        sa.Column("reconversion_id", Id, sa.ForeignKey("reconversions.id")),
        sa.CheckConstraint(
            "reason IN ('cap', 'period', 'asked')", name=op.f("ck_versements_reason")
        ),
        sa.UniqueConstraint("regie_id", "year", "number", name="uq_versements_number"),
        sa.CheckConstraint(
            "units > 0 AND fee >= 0 AND fee + euros = units", name=op.f("ck_versements_split")
        ),
    )
    op.create_table(
        "quittances",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("regie_id", Id, sa.ForeignKey("regies.id"), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("object", sa.String(200), nullable=False),
        sa.Column("payer_name", sa.String(200), nullable=False),
        sa.Column("payer_account_id", Id, sa.ForeignKey("accounts.id")),
        sa.Column("units", sa.BigInteger, nullable=False),
        sa.Column("euros", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("euro_means", sa.String(10)),
        sa.Column("euro_reference", sa.String(140)),
        sa.Column(
            "transaction_id", Id, sa.ForeignKey("transactions.id"), nullable=False, unique=True
        ),
        sa.Column("versement_id", Id, sa.ForeignKey("versements.id")),
        sa.Column("key_id", sa.String(80)),
        sa.Column("signature", sa.Text),
        sa.UniqueConstraint("regie_id", "year", "number", name="uq_quittances_number"),
        sa.CheckConstraint("units > 0 AND euros >= 0", name=op.f("ck_quittances_amounts")),
    )
    op.create_index("ix_quittances_versement_id", "quittances", ["versement_id"])
    op.create_table(
        "mandates",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("authority_id", Id, sa.ForeignKey("authorities.id"), nullable=False),
        sa.Column("exercice", sa.Integer, nullable=False),
        sa.Column("bordereau", sa.String(30), nullable=False),
        sa.Column("number", sa.String(30), nullable=False),
        sa.Column("chapitre", sa.String(10), nullable=False),
        sa.Column("article", sa.String(20), nullable=False),
        sa.Column("fonction", sa.String(10), nullable=False, server_default=""),
        sa.Column("object", sa.String(200), nullable=False),
        sa.Column("payee_account_id", Id, sa.ForeignKey("accounts.id"), nullable=False),
        sa.Column("amount", sa.BigInteger, nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("proposed_by", Id, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("proposed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", Id, sa.ForeignKey("users.id")),
        sa.Column("decided_at", sa.DateTime(timezone=True)),
        sa.Column("refusal", sa.Text),
        sa.Column("transaction_id", Id, sa.ForeignKey("transactions.id"), unique=True),
        sa.CheckConstraint(
            "status IN ('proposed', 'paid', 'rejected')", name=op.f("ck_mandates_status")
        ),
        sa.CheckConstraint("amount > 0", name=op.f("ck_mandates_amount_positive")),
        sa.CheckConstraint(
            "decided_by IS NULL OR decided_by <> proposed_by", name=op.f("ck_mandates_two_people")
        ),
        sa.UniqueConstraint(
            "authority_id", "exercice", "bordereau", "number", name="uq_mandates_ref"
        ),
    )


def downgrade() -> None:
    for table in _TABLES:  # dependents first
        op.drop_table(table)
