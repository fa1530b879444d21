"""Tables of the people who use the service: users, the accounts they hold, their
sign-in tokens and the API keys of merchant terminals, and the failed sign-ins of names
that are no active user's.

Secrets are never stored: passwords as argon2 hashes, tokens and API keys as SHA-256
digests (they are long random strings, so a fast digest is as safe as a slow one and
lets a request be authenticated with one indexed lookup). The migration
``0002_auth`` creates these tables; ``0010_sign_in_names`` adds ``sign_in_names``.
"""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)

from monnaie_locale.store.tables import Id, metadata

ROLES = (
    "member",
    "merchant_owner",
    "merchant_cashier",
    "authority_agent",
    "office_operator",
    "association_operator",
    "auditor",
    "admin",
)
_ROLE_CHECK = "role IN (" + ", ".join(f"'{role}'" for role in ROLES) + ")"

users = Table(
    "users",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("username", String(80), nullable=False, unique=True),
    Column("password_hash", Text, nullable=False),
    Column("role", String(30), nullable=False),
    Column("status", String(10), nullable=False, server_default="active"),
    Column("failed_logins", Integer, nullable=False, server_default="0"),
    Column("locked_until", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    CheckConstraint(_ROLE_CHECK, name="role"),
    CheckConstraint("status IN ('active', 'disabled')", name="status"),
    CheckConstraint("failed_logins >= 0", name="failed_logins_not_negative"),
)

# A name no active user holds is locked after repeated failures exactly as a user is, so
# the answers to a guesser never tell which names exist (monnaie_locale.auth.lockout).
# One row per name tried; the sign-in limit per address bounds how fast rows appear.
sign_in_names = Table(
    "sign_in_names",
    metadata,
    Column("username", String(80), primary_key=True),
    Column("failed_logins", Integer, nullable=False, server_default="0"),
    Column("locked_until", DateTime(timezone=True)),
    CheckConstraint("failed_logins >= 0", name="failed_logins_not_negative"),
)

# Which ledger accounts a user holds: what a member, merchant or authority may see and move.
user_accounts = Table(
    "user_accounts",
    metadata,
    Column("user_id", Id, ForeignKey("users.id"), primary_key=True),
    Column("account_code", String(120), ForeignKey("accounts.code"), primary_key=True),
    Index("ix_user_accounts_account_code", "account_code"),
)

auth_tokens = Table(
    "auth_tokens",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("token_digest", String(64), nullable=False, unique=True),
    Column("user_id", Id, ForeignKey("users.id"), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
    Index("ix_auth_tokens_user_id", "user_id"),
)

# A key acts for one account with one role (a terminal is a cashier), never more.
api_keys = Table(
    "api_keys",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("key_digest", String(64), nullable=False, unique=True),
    Column("prefix", String(20), nullable=False),
    Column("label", Text, nullable=False, server_default=""),
    Column("account_code", String(120), ForeignKey("accounts.code"), nullable=False),
    Column("role", String(30), nullable=False),
    Column("created_by", Id, ForeignKey("users.id")),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
    CheckConstraint(_ROLE_CHECK, name="role"),
)
