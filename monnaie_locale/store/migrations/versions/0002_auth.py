"""Users, roles, the accounts users hold, sign-in tokens and API keys.

Creates the tables of ``monnaie_locale/store/tables_auth.py``. Secrets are stored only as
hashes or digests, so these tables leak no usable credential.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Stamp = sa.DateTime(timezone=True)
ROLE_CHECK = (
    "role IN ('member', 'merchant_owner', 'merchant_cashier', 'authority_agent', "
    "'office_operator', 'association_operator', 'auditor', 'admin')"
)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(80), nullable=False),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("role", sa.String(30), nullable=False),
        sa.Column("status", sa.String(10), nullable=False, server_default="active"),
        sa.Column("failed_logins", sa.Integer, nullable=False, server_default="0"),
        sa.Column("locked_until", Stamp),
        sa.Column("created_at", Stamp, nullable=False),
        sa.UniqueConstraint("username", name="uq_users_username"),
        sa.CheckConstraint(ROLE_CHECK, name=op.f("ck_users_role")),
        sa.CheckConstraint("status IN ('active', 'disabled')", name=op.f("ck_users_status")),
        sa.CheckConstraint("failed_logins >= 0", name=op.f("ck_users_failed_logins_not_negative")),
    )
    op.create_table(
        "user_accounts",
        sa.Column("user_id", Id, sa.ForeignKey("users.id"), primary_key=True),
        sa.Column("account_code", sa.String(120), sa.ForeignKey("accounts.code"), primary_key=True),
    )
    op.create_index("ix_user_accounts_account_code", "user_accounts", ["account_code"])
    op.create_table(
        "auth_tokens",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("token_digest", sa.String(64), nullable=False),
        sa.Column("user_id", Id, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("created_at", Stamp, nullable=False),
        sa.Column("expires_at", Stamp, nullable=False),
        sa.Column("revoked_at", Stamp),
        sa.UniqueConstraint("token_digest", name="uq_auth_tokens_token_digest"),
    )
    op.create_index("ix_auth_tokens_user_id", "auth_tokens", ["user_id"])
    op.create_table(
        "api_keys",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("key_digest", sa.String(64), nullable=False),
        sa.Column("prefix", sa.String(20), nullable=False),
        sa.Column("label", sa.Text, nullable=False, server_default=""),
        sa.Column("account_code", sa.String(120), sa.ForeignKey("accounts.code"), nullable=False),
        sa.Column("role", sa.String(30), nullable=False),
        sa.Column("created_by", Id, sa.ForeignKey("users.id")),
        sa.Column("created_at", Stamp, nullable=False),
        sa.Column("revoked_at", Stamp),
        sa.UniqueConstraint("key_digest", name="uq_api_keys_key_digest"),
        sa.CheckConstraint(ROLE_CHECK, name=op.f("ck_api_keys_role")),
    )


def downgrade() -> None:
    op.drop_table("api_keys")
    op.drop_index("ix_auth_tokens_user_id", table_name="auth_tokens")
    op.drop_table("auth_tokens")
    op.drop_index("ix_user_accounts_account_code", table_name="user_accounts")
    op.drop_table("user_accounts")
    op.drop_table("users")
