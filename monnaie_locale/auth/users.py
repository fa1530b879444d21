"""Users: creating them, giving them accounts, changing passwords, disabling them.

These run on a connection inside a transaction owned by the caller
(``database.write``), so the CLI can create a user and link their accounts in one commit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.exc import IntegrityError

from monnaie_locale.auth.errors import DuplicateUser, UnknownUser
from monnaie_locale.auth.passwords import hash_password
from monnaie_locale.auth.roles import Role
from monnaie_locale.auth.tokens import revoke_user_tokens
from monnaie_locale.clock import as_utc
from monnaie_locale.errors import InvalidRequest
from monnaie_locale.ledger.accounts import get_account
from monnaie_locale.store.tables_auth import user_accounts, users

__all__ = [
    "User",
    "accounts_of",
    "create_user",
    "disable_user",
    "find_user",
    "get_user",
    "link_account",
    "set_password",
]

_USERNAME = re.compile(r"[a-z0-9][a-z0-9._@-]{1,79}")


@dataclass(frozen=True, slots=True)
class User:
    id: int
    username: str
    role: Role
    active: bool
    password_hash: str
    failed_logins: int
    locked_until: datetime | None


def create_user(
    conn: Connection, username: str, *, password: str, role: Role, now: datetime
) -> User:
    """Create an active user; the name is lower-case letters, digits and ``._@-``."""
    if not _USERNAME.fullmatch(username):
        raise InvalidRequest(
            "a username is 2 to 80 lower-case letters, digits, '.', '_', '@' or '-'"
        )
    password_hash = hash_password(password)
    try:
        with conn.begin_nested():
            user_id = conn.execute(
                insert(users)
                .values(
                    username=username,
                    password_hash=password_hash,
                    role=str(role),
                    status="active",
                    failed_logins=0,
                    created_at=now,
                )
                .returning(users.c.id)
            ).scalar_one()
    except IntegrityError as exc:
        raise DuplicateUser(username) from exc
    return get_user(conn, user_id)


def link_account(conn: Connection, user_id: int, *, account_code: str) -> None:
    """Let the user hold ``account_code`` (idempotent); both must exist."""
    get_user(conn, user_id)
    get_account(conn, account_code)
    exists = conn.execute(
        select(user_accounts.c.user_id).where(
            user_accounts.c.user_id == user_id, user_accounts.c.account_code == account_code
        )
    ).first()
    if exists is None:
        conn.execute(insert(user_accounts).values(user_id=user_id, account_code=account_code))


def accounts_of(conn: Connection, user_id: int) -> frozenset[str]:
    rows = conn.execute(
        select(user_accounts.c.account_code).where(user_accounts.c.user_id == user_id)
    )
    return frozenset(rows.scalars())


def _user_from_row(row: Any) -> User:
    return User(
        id=row.id,
        username=row.username,
        role=Role(row.role),
        active=row.status == "active",
        password_hash=row.password_hash,
        failed_logins=row.failed_logins,
        locked_until=as_utc(row.locked_until) if row.locked_until else None,
    )


def find_user(conn: Connection, username: str) -> User | None:
    row = conn.execute(select(users).where(users.c.username == username)).first()
    return None if row is None else _user_from_row(row)


def get_user(conn: Connection, user_id: int) -> User:
    row = conn.execute(select(users).where(users.c.id == user_id)).first()
    if row is None:
        raise UnknownUser(user_id)
    return _user_from_row(row)


def set_password(conn: Connection, user_id: int, *, password: str, now: datetime) -> None:
    """Change the password and sign the user out everywhere."""
    get_user(conn, user_id)
    conn.execute(
        update(users).where(users.c.id == user_id).values(password_hash=hash_password(password))
    )
    revoke_user_tokens(conn, user_id, now=now)


def disable_user(conn: Connection, user_id: int, *, now: datetime) -> None:
    """Stop the user from signing in, and end their sessions."""
    get_user(conn, user_id)
    conn.execute(update(users).where(users.c.id == user_id).values(status="disabled"))
    revoke_user_tokens(conn, user_id, now=now)
