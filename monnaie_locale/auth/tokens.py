"""Sign-in tokens: random bearer strings, stored as digests, expiring and revocable.

The token itself is shown once, at sign-in; the database keeps its SHA-256 digest, so a
copy of the database cannot be used to act as anyone. A token is valid while it is
neither expired nor revoked and its user is active.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Connection, DateTime, bindparam, insert, select, update
from sqlalchemy.engine import Dialect

from monnaie_locale.clock import as_utc
from monnaie_locale.ledger.fast_sql import FastCursor, prepared
from monnaie_locale.store.tables_auth import auth_tokens, user_accounts, users

__all__ = [
    "TOKEN_PREFIX",
    "IssuedToken",
    "TokenOwner",
    "digest_secret",
    "issue_token",
    "resolve_token",
    "revoke_token",
    "revoke_user_tokens",
]

# The prefix tells a sign-in token from an API key at a glance (and in leaked-secret scans).
TOKEN_PREFIX = "mlt_"


def digest_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A token as handed to the user: the only time its text exists outside their hands."""

    token: str
    token_id: int
    user_id: int
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class TokenOwner:
    token_id: int
    user_id: int
    username: str
    role: str
    accounts: frozenset[str]  # the codes of the accounts the user holds
    expires_at: datetime


def issue_token(conn: Connection, user_id: int, *, now: datetime, ttl: timedelta) -> IssuedToken:
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires_at = now + ttl
    token_id = conn.execute(
        insert(auth_tokens)
        .values(
            token_digest=digest_secret(token),
            user_id=user_id,
            created_at=now,
            expires_at=expires_at,
        )
        .returning(auth_tokens.c.id)
    ).scalar_one()
    return IssuedToken(token=token, token_id=token_id, user_id=user_id, expires_at=expires_at)


def resolve_token(conn: Connection, token: str, *, now: datetime) -> TokenOwner | None:
    """The owner of a valid token, or None if it is unknown, expired, revoked or disabled.

    Every authenticated request asks this, so it is one statement, rendered once and run
    on the driver's cursor (see monnaie_locale.ledger.fast_sql): a row per account held.
    """
    cursor = FastCursor(conn)
    statement = prepared(conn.dialect, "resolve_token", _owner_query)
    rows = cursor.run(statement, {"digest": digest_secret(token)}).fetchall()
    if not rows:
        return None
    token_id, stored_expiry, user_id, username, role, _ = rows[0]
    expires_at = as_utc(_stamp_reader(conn.dialect)(stored_expiry))
    if expires_at <= now:
        return None
    return TokenOwner(
        token_id=token_id,
        user_id=user_id,
        username=username,
        role=role,
        accounts=frozenset(row[5] for row in rows if row[5] is not None),
        expires_at=expires_at,
    )


def _owner_query() -> Any:
    return (
        select(
            auth_tokens.c.id,
            auth_tokens.c.expires_at,
            users.c.id,
            users.c.username,
            users.c.role,
            user_accounts.c.account_code,
        )
        .select_from(
            auth_tokens.join(users, users.c.id == auth_tokens.c.user_id).outerjoin(
                user_accounts, user_accounts.c.user_id == users.c.id
            )
        )
        .where(
            auth_tokens.c.token_digest == bindparam("digest"),
            auth_tokens.c.revoked_at.is_(None),
            users.c.status == "active",
        )
    )


@cache
def _stamp_reader(dialect: Dialect) -> Any:
    """How the driver's raw value of a timestamp column becomes a datetime."""
    processor = DateTime(timezone=True).dialect_impl(dialect).result_processor(dialect, None)
    return processor if processor is not None else (lambda value: value)


def revoke_token(conn: Connection, token_id: int, *, now: datetime) -> None:
    conn.execute(
        update(auth_tokens)
        .where(auth_tokens.c.id == token_id, auth_tokens.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def revoke_user_tokens(conn: Connection, user_id: int, *, now: datetime) -> int:
    """Revoke every live token of a user (password change, administrator); return how many."""
    result = conn.execute(
        update(auth_tokens)
        .where(auth_tokens.c.user_id == user_id, auth_tokens.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return result.rowcount
