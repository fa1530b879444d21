"""Signing in and out, with a lock after repeated failures.

The password is checked outside any write transaction (argon2 is slow on purpose and
must not hold the database's write lock). Each failure is then counted in its own
commit, so a failed attempt is remembered even though the request fails; after
``max_failures`` in a row the user is locked for ``lockout``. A success resets the count,
unless a concurrent failure locked the user meanwhile.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, update

from monnaie_locale.auth.errors import CredentialLocked, InvalidCredentials
from monnaie_locale.auth.passwords import (
    burn_verification,
    hash_password,
    needs_rehash,
    verify_password,
)
from monnaie_locale.auth.tokens import IssuedToken, issue_token, revoke_token
from monnaie_locale.auth.users import User, find_user
from monnaie_locale.clock import Clock
from monnaie_locale.store.database import Database
from monnaie_locale.store.tables_auth import users

__all__ = ["LoginPolicy", "record_failure", "sign_in", "sign_out"]

log = logging.getLogger("monnaie_locale.auth")


@dataclass(frozen=True, slots=True)
class LoginPolicy:
    token_ttl: timedelta = timedelta(hours=12)
    max_failures: int = 5
    lockout: timedelta = timedelta(minutes=15)


def sign_in(
    database: Database, username: str, password: str, *, clock: Clock, policy: LoginPolicy
) -> IssuedToken:
    """Check the password and issue a token, or raise and remember the failure."""
    user = database.read(lambda conn: find_user(conn, username))
    now = clock()
    if user is None or not user.active:
        burn_verification(password)
        log.warning("sign-in refused for %r: unknown or disabled user", username)
        raise InvalidCredentials()
    if user.locked_at(now):
        assert user.locked_until is not None
        log.warning("sign-in refused for %r: locked", username)
        raise CredentialLocked(user.locked_until)
    if not verify_password(user.password_hash, password):
        locked_until = database.write(
            lambda conn: record_failure(conn, user, now=now, policy=policy)
        )
        if locked_until is not None:
            log.warning("user %r locked until %s after failed sign-ins", username, locked_until)
            raise CredentialLocked(locked_until)
        log.warning("sign-in refused for %r: wrong password", username)
        raise InvalidCredentials()
    new_hash = hash_password(password) if needs_rehash(user.password_hash) else None
    return database.write(
        lambda conn: _record_success(conn, user, now=now, policy=policy, new_hash=new_hash)
    )


def sign_out(database: Database, token_id: int, *, clock: Clock) -> None:
    database.write(lambda conn: revoke_token(conn, token_id, now=clock()))


def record_failure(
    conn: Connection, user: User, *, now: datetime, policy: LoginPolicy
) -> datetime | None:
    """Count one failure; lock the user when it is one too many. Return the lock's end."""
    failures = conn.execute(
        update(users)
        .where(users.c.id == user.id)
        .values(failed_logins=users.c.failed_logins + 1)
        .returning(users.c.failed_logins)
    ).scalar_one()
    if failures < policy.max_failures:
        return None
    locked_until = now + policy.lockout
    conn.execute(
        update(users)
        .where(users.c.id == user.id)
        .values(failed_logins=0, locked_until=locked_until)
    )
    return locked_until


def _record_success(
    conn: Connection, user: User, *, now: datetime, policy: LoginPolicy, new_hash: str | None
) -> IssuedToken:
    values: dict[str, object] = {"failed_logins": 0, "locked_until": None}
    if new_hash is not None:
        values["password_hash"] = new_hash
    # Conditional: a failure committed since the password was checked may have locked it.
    unlocked = conn.execute(
        update(users)
        .where(
            users.c.id == user.id,
            users.c.locked_until.is_(None) | (users.c.locked_until <= now),
        )
        .values(**values)
        .returning(users.c.id)
    ).first()
    if unlocked is None:
        raise CredentialLocked(now + policy.lockout)
    return issue_token(conn, user.id, now=now, ttl=policy.token_ttl)
