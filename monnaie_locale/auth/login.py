"""Signing in and out, with a lock after repeated failures.

Each attempt is counted before its password is checked (see
:mod:`monnaie_locale.auth.lockout`), in a commit of its own, so a failed attempt is
remembered even though the request fails, and concurrent guesses cannot outrun the lock.
The password is checked outside any write transaction (argon2 is slow on purpose and
must not hold the database's write lock). A success clears the count, unless someone
else's failures locked the user meanwhile.

A name with no active user behind it goes through the same steps (its count and lock
kept apart, its password checked against a fixed hash), so every answer, the lock
included, is the same whether the name exists or not.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import Connection, select, update

from monnaie_locale.auth.errors import CredentialLocked
from monnaie_locale.auth.lockout import (
    Attempt,
    LoginPolicy,
    claim_name_attempt,
    claim_user_attempt,
    unlocked,
)
from monnaie_locale.auth.passwords import (
    burn_verification,
    hash_password,
    needs_rehash,
    verify_password,
)
from monnaie_locale.auth.tokens import IssuedToken, issue_token, revoke_token
from monnaie_locale.auth.users import User, find_user
from monnaie_locale.clock import Clock, as_utc
from monnaie_locale.store.database import Database
from monnaie_locale.store.tables_auth import users

__all__ = ["LoginPolicy", "sign_in", "sign_out"]

log = logging.getLogger("monnaie_locale.auth")


def sign_in(
    database: Database, username: str, password: str, *, clock: Clock, policy: LoginPolicy
) -> IssuedToken:
    """Count the attempt, check the password and issue a token, or raise."""
    user = database.read(lambda conn: find_user(conn, username))
    known = user if user is not None and user.active else None
    now = clock()
    try:
        attempt = database.write(
            lambda conn: (
                claim_name_attempt(conn, username, now=now, policy=policy)
                if known is None
                else claim_user_attempt(conn, known.id, now=now, policy=policy)
            )
        )
    except CredentialLocked:
        log.warning("sign-in refused for %r: locked", username)
        raise
    if known is None:
        burn_verification(password)
        log.warning("sign-in refused for %r: unknown or disabled user", username)
        raise attempt.refusal()
    if not verify_password(known.password_hash, password):
        if attempt.locks is not None:
            log.warning("user %r locked until %s after failed sign-ins", username, attempt.locks)
        else:
            log.warning("sign-in refused for %r: wrong password", username)
        raise attempt.refusal()
    new_hash = hash_password(password) if needs_rehash(known.password_hash) else None
    return database.write(
        lambda conn: _record_success(
            conn, known, attempt, now=now, policy=policy, new_hash=new_hash
        )
    )


def sign_out(database: Database, token_id: int, *, clock: Clock) -> None:
    database.write(lambda conn: revoke_token(conn, token_id, now=clock()))


def _record_success(
    conn: Connection,
    user: User,
    attempt: Attempt,
    *,
    now: datetime,
    policy: LoginPolicy,
    new_hash: str | None,
) -> IssuedToken:
    values: dict[str, object] = {"failed_logins": 0, "locked_until": None}
    if new_hash is not None:
        values["password_hash"] = new_hash
    # Conditional: other attempts may have locked the user since this one was counted.
    # The lock this attempt set itself, as the last one allowed, it lifts: no other lock
    # can end as early, since none could start while it ran.
    lifted = attempt.locks if attempt.locks is not None else now
    cleared = conn.execute(
        update(users)
        .where(users.c.id == user.id, unlocked(users, lifted))
        .values(**values)
        .returning(users.c.id)
    ).first()
    if cleared is None:
        locked_until = conn.execute(
            select(users.c.locked_until).where(users.c.id == user.id)
        ).scalar_one()
        raise CredentialLocked(as_utc(locked_until) if locked_until else now + policy.lockout)
    return issue_token(conn, user.id, now=now, ttl=policy.token_ttl)
