"""Changing a password: by its owner (who gives the current one) or by an administrator.

Either way every token of the user is revoked, so a session opened with the old password
(perhaps by someone who learnt it) ends at once. The owner gets a fresh token in the same
commit, and carries on without signing in again.

As at sign-in, argon2 runs outside any write transaction (it is slow on purpose and must
not hold the database's write lock), and a wrong current password counts as a failed
sign-in: a stolen token cannot be used to guess the password at leisure.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol, TypeVar

from sqlalchemy import Connection, update

from monnaie_locale.auth.errors import (
    CredentialLocked,
    NotAuthenticated,
    WeakPassword,
    WrongPassword,
)
from monnaie_locale.auth.lockout import LoginPolicy, claim_user_attempt
from monnaie_locale.auth.passwords import check_password_strength, hash_password, verify_password
from monnaie_locale.auth.tokens import IssuedToken, issue_token, revoke_user_tokens
from monnaie_locale.auth.users import get_user
from monnaie_locale.clock import Clock
from monnaie_locale.store.database import Database
from monnaie_locale.store.tables_auth import users

__all__ = ["Transactions", "change_own_password", "reset_password"]

T = TypeVar("T")


class Transactions(Protocol):
    """Where a reset reads and writes: a database, or an actor's context (whose write
    then also logs the reset, see :mod:`monnaie_locale.admin_log`)."""

    def read(self, query: Callable[[Connection], T]) -> T: ...

    def write(self, work: Callable[[Connection], T]) -> T: ...


def change_own_password(
    database: Database,
    user_id: int,
    *,
    current: str,
    new: str,
    clock: Clock,
    policy: LoginPolicy,
) -> IssuedToken:
    """Check ``current``, store ``new``, revoke every token; return a fresh token."""
    check_password_strength(new)
    if new == current:
        raise WeakPassword("the new password must differ from the current one")
    user = database.read(lambda conn: get_user(conn, user_id))
    now = clock()
    if not user.active:
        raise NotAuthenticated("this user is disabled")
    # Counted before the check, as a sign-in is (see monnaie_locale.auth.lockout).
    attempt = database.write(lambda conn: claim_user_attempt(conn, user_id, now=now, policy=policy))
    if not verify_password(user.password_hash, current):
        if attempt.locks is not None:
            raise CredentialLocked(attempt.locks)
        raise WrongPassword()
    new_hash = hash_password(new)

    def store(conn: Connection) -> IssuedToken:
        # Only if nothing changed since the check above: a user disabled meanwhile stays
        # out, and of two concurrent changes the second finds its token revoked.
        if not _store_hash(conn, user_id, new_hash, now=now, replacing=user.password_hash):
            raise NotAuthenticated(
                "this user was disabled or their password changed meanwhile; sign in again"
            )
        return issue_token(conn, user_id, now=now, ttl=policy.token_ttl)

    return database.write(store)


def reset_password(database: Transactions, user_id: int, *, new: str, clock: Clock) -> None:
    """An administrator sets a user's password, which also lifts a sign-in lock; the
    user is signed out everywhere. A disabled user stays disabled."""
    database.read(lambda conn: get_user(conn, user_id))
    new_hash = hash_password(new)
    database.write(lambda conn: _store_hash(conn, user_id, new_hash, now=clock(), replacing=None))


def _store_hash(
    conn: Connection, user_id: int, password_hash: str, *, now: datetime, replacing: str | None
) -> bool:
    """Store the hash and revoke every token. With ``replacing`` (the hash that was
    checked), only for an active user still holding it; False if that is no longer so."""
    change = update(users).where(users.c.id == user_id)
    if replacing is not None:
        change = change.where(users.c.status == "active", users.c.password_hash == replacing)
    changed = conn.execute(
        change.values(password_hash=password_hash, failed_logins=0, locked_until=None).returning(
            users.c.id
        )
    ).first()
    if changed is None:
        return False
    revoke_user_tokens(conn, user_id, now=now)
    return True
