"""Tables of passkeys: the WebAuthn credentials users sign in with, and the challenges
of the ceremonies under way.

A passkey's public key is stored, never a secret: the private key stays in the user's
authenticator. A challenge is random, lives a few minutes and is deleted when a response
names it, whether that response is then accepted or not, so each is answered once. The
migration ``0019_passkeys`` creates these tables.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Table,
)

from monnaie_locale.store import tables_auth  # noqa: F401  (the users referred to)
from monnaie_locale.store.tables import Id, metadata

__all__ = ["PURPOSES", "passkey_challenges", "passkeys"]

PURPOSES = ("registration", "authentication")

passkeys = Table(
    "passkeys",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("user_id", Id, ForeignKey("users.id"), nullable=False),
    # At most 1023 bytes (WebAuthn, section 5.1); chosen by the authenticator.
    Column("credential_id", LargeBinary(1023), nullable=False, unique=True),
    # The COSE key, as the authenticator gave it.
    Column("public_key", LargeBinary, nullable=False),
    # What the authenticator shows as the user's id: the same for all of one user's passkeys.
    Column("user_handle", LargeBinary(64), nullable=False),
    Column("sign_count", BigInteger, nullable=False, server_default="0"),
    # How the browser may reach the authenticator ("internal", "usb", "hybrid"...),
    # comma-separated, as the browser reported them.
    Column("transports", String(200), nullable=False, server_default=""),
    Column("name", String(80), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_used_at", DateTime(timezone=True)),
    Column("revoked_at", DateTime(timezone=True)),
    CheckConstraint("sign_count >= 0", name="sign_count_not_negative"),
    Index("ix_passkeys_user_id", "user_id"),
)

passkey_challenges = Table(
    "passkey_challenges",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("challenge", LargeBinary(64), nullable=False, unique=True),
    Column("purpose", String(20), nullable=False),
    # A registration's: who registers, and the handle their authenticator is given.
    Column("user_id", Id, ForeignKey("users.id")),
    Column("user_handle", LargeBinary(64)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("purpose IN ('registration', 'authentication')", name="purpose"),
    CheckConstraint(
        "purpose = 'authentication' OR (user_id IS NOT NULL AND user_handle IS NOT NULL)",
        name="registration_has_user",
    ),
    Index("ix_passkey_challenges_expires_at", "expires_at"),
)
