"""What an administrator does to users besides creating them: listing them a page at a
time, enabling a disabled user again, and lifting a lock left by failed sign-ins.

Like :mod:`monnaie_locale.auth.users`, these run on a connection inside a transaction
owned by the caller. A listing never carries password hashes: :class:`UserSummary` is
what may be shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, select, update

from monnaie_locale.auth.roles import Role
from monnaie_locale.auth.users import get_user
from monnaie_locale.clock import as_utc
from monnaie_locale.store.tables_auth import user_accounts, users

__all__ = [
    "UserSummary",
    "enable_user",
    "holders_of",
    "list_users",
    "unlock_user",
    "user_summary",
]


@dataclass(frozen=True, slots=True)
class UserSummary:
    """A user as an administrator sees them: no secret, and the accounts they hold."""

    id: int
    username: str
    role: Role
    active: bool
    locked_until: datetime | None
    accounts: frozenset[str]


def _held_by(conn: Connection, user_ids: list[int]) -> dict[int, set[str]]:
    held: dict[int, set[str]] = {user_id: set() for user_id in user_ids}
    if user_ids:
        rows = conn.execute(
            select(user_accounts.c.user_id, user_accounts.c.account_code).where(
                user_accounts.c.user_id.in_(user_ids)
            )
        )
        for user_id, code in rows:
            held[user_id].add(code)
    return held


def user_summary(conn: Connection, user_id: int) -> UserSummary:
    """One user's summary; :class:`~monnaie_locale.auth.errors.UnknownUser` if none."""
    user = get_user(conn, user_id)
    return UserSummary(
        id=user.id,
        username=user.username,
        role=user.role,
        active=user.active,
        locked_until=user.locked_until,
        accounts=frozenset(_held_by(conn, [user.id])[user.id]),
    )


# A user as listed: no password hash.
_SUMMARY = select(users.c.id, users.c.username, users.c.role, users.c.status, users.c.locked_until)


def list_users(conn: Connection, *, after_id: int = 0, limit: int = 100) -> list[UserSummary]:
    """Users in id order, ``limit`` at a time after ``after_id`` (a cursor)."""
    return _summaries(conn, _SUMMARY.where(users.c.id > after_id).order_by(users.c.id).limit(limit))


def holders_of(conn: Connection, account_code: str, *, role: Role) -> list[UserSummary]:
    """The users with ``role`` who hold ``account_code`` (a shop's cashiers), by name."""
    held = select(user_accounts.c.user_id).where(user_accounts.c.account_code == account_code)
    return _summaries(
        conn,
        _SUMMARY.where(users.c.role == str(role), users.c.id.in_(held)).order_by(users.c.username),
    )


def _summaries(conn: Connection, query: Select[Any]) -> list[UserSummary]:
    rows = conn.execute(query).all()
    # Two queries a page, whatever its length: the users, then the accounts they hold.
    held = _held_by(conn, [row.id for row in rows])
    return [
        UserSummary(
            id=row.id,
            username=row.username,
            role=Role(row.role),
            active=row.status == "active",
            locked_until=as_utc(row.locked_until) if row.locked_until else None,
            accounts=frozenset(held[row.id]),
        )
        for row in rows
    ]


def enable_user(conn: Connection, user_id: int) -> None:
    """Let a disabled user sign in again (their old tokens stay revoked)."""
    get_user(conn, user_id)
    conn.execute(update(users).where(users.c.id == user_id).values(status="active"))


def unlock_user(conn: Connection, user_id: int) -> None:
    """Lift the lock left by repeated failed sign-ins, and start counting afresh."""
    get_user(conn, user_id)
    conn.execute(
        update(users).where(users.c.id == user_id).values(failed_logins=0, locked_until=None)
    )
