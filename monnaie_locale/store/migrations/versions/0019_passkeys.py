"""Passkeys: the WebAuthn credentials users may sign in with, and pending challenges.

``passkeys`` holds each credential's public key, sign count and the name its user gave
it; ``passkey_challenges`` the random challenges of registrations and sign-ins under
way, each answered once. The tables of ``monnaie_locale/store/tables_passkeys.py``.

Revision ID: 0019
Revises: 0017
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "passkeys",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("user_id", Id, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("credential_id", sa.LargeBinary(1023), nullable=False),
        sa.Column("public_key", sa.LargeBinary, nullable=False),
        sa.Column("user_handle", sa.LargeBinary(64), nullable=False),
        sa.Column("sign_count", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("transports", sa.String(200), nullable=False, server_default=""),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True)),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
        sa.UniqueConstraint("credential_id", name="uq_passkeys_credential_id"),
        sa.CheckConstraint("sign_count >= 0", name=op.f("ck_passkeys_sign_count_not_negative")),
    )
    op.create_index("ix_passkeys_user_id", "passkeys", ["user_id"])
    op.create_table(
        "passkey_challenges",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("challenge", sa.LargeBinary(64), nullable=False),
        sa.Column("purpose", sa.String(20), nullable=False),
        sa.Column("user_id", Id, sa.ForeignKey("users.id")),
        sa.Column("user_handle", sa.LargeBinary(64)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("challenge", name="uq_passkey_challenges_challenge"),
        sa.CheckConstraint(
            "purpose IN ('registration', 'authentication')",
            name=op.f("ck_passkey_challenges_purpose"),
        ),
        sa.CheckConstraint(
            "purpose = 'authentication' OR (user_id IS NOT NULL AND user_handle IS NOT NULL)",
            name=op.f("ck_passkey_challenges_registration_has_user"),
        ),
    )
    op.create_index("ix_passkey_challenges_expires_at", "passkey_challenges", ["expires_at"])


def downgrade() -> None:
    op.drop_table("passkey_challenges")
    op.drop_table("passkeys")
