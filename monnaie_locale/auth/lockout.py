"""The lock after repeated failed sign-ins: each attempt counted before its password is
checked, in one statement.

An attempt first claims a place: one conditional ``UPDATE ... RETURNING`` adds it to the
count unless the name is locked, and the attempt that reaches ``max_failures`` sets the
lock in the same statement. Only then is the password checked. However many attempts
arrive at once, the database serialises their claims on the one row: at most
``max_failures`` passwords are checked per lock period, and every other attempt is
answered ``credential_locked`` without a check. (Counting after the check let twenty
concurrent guesses all be checked, since each read the user before any failure was
written.) A success clears the count and lifts the lock its own attempt set.

A name with no active user behind it is counted the same way, in ``sign_in_names``:
unknown, disabled and existing names get the same answers, the lock included, so the
answers do not tell a guesser which names exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, Table, case, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.elements import ColumnElement

from monnaie_locale.auth.errors import CredentialLocked, InvalidCredentials
from monnaie_locale.clock import as_utc
from monnaie_locale.errors import MonnaieLocaleError
from monnaie_locale.store.tables_auth import sign_in_names, users

__all__ = ["Attempt", "LoginPolicy", "claim_name_attempt", "claim_user_attempt"]


@dataclass(frozen=True, slots=True)
class LoginPolicy:
    token_ttl: timedelta = timedelta(hours=12)
    max_failures: int = 5
    lockout: timedelta = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class Attempt:
    """A counted sign-in attempt, whose password may now be checked."""

    # The end of the lock this attempt set, being the last one allowed; None otherwise.
    locks: datetime | None

    def refusal(self) -> MonnaieLocaleError:
        """What a failed attempt answers: the lock it set, or wrong credentials."""
        if self.locks is not None:
            return CredentialLocked(self.locks)
        return InvalidCredentials()


def claim_user_attempt(
    conn: Connection, user_id: int, *, now: datetime, policy: LoginPolicy
) -> Attempt:
    """Count one attempt for the user; raise :class:`CredentialLocked` while locked."""
    until = now + policy.lockout
    counted = conn.execute(
        update(users)
        .where(users.c.id == user_id, unlocked(users, now))
        .values(**_counted(users, until=until, policy=policy))
        .returning(users.c.failed_logins)
    ).first()
    if counted is None:
        raise CredentialLocked(_lock_end(conn, users, users.c.id == user_id, now=now))
    return Attempt(locks=until if counted.failed_logins == 0 else None)


def claim_name_attempt(
    conn: Connection, username: str, *, now: datetime, policy: LoginPolicy
) -> Attempt:
    """:func:`claim_user_attempt` for a name that is no active user's."""
    until = now + policy.lockout
    first_locks = policy.max_failures <= 1
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    statement = insert(sign_in_names).values(
        username=username,
        failed_logins=0 if first_locks else 1,
        locked_until=until if first_locks else None,
    )
    counted = conn.execute(
        statement.on_conflict_do_update(
            index_elements=[sign_in_names.c.username],
            set_=_counted(sign_in_names, until=until, policy=policy),
            where=unlocked(sign_in_names, now),
        ).returning(sign_in_names.c.failed_logins)
    ).first()
    if counted is None:
        where = sign_in_names.c.username == username
        raise CredentialLocked(_lock_end(conn, sign_in_names, where, now=now))
    return Attempt(locks=until if counted.failed_logins == 0 else None)


def unlocked(table: Table, now: datetime) -> ColumnElement[bool]:
    """The row has no lock running at ``now``."""
    return table.c.locked_until.is_(None) | (table.c.locked_until <= now)


def _counted(table: Table, *, until: datetime, policy: LoginPolicy) -> dict[str, object]:
    # The SET expressions read the row as it was: the attempt that reaches the limit
    # locks, and the count starts again from zero for after the lock.
    last = table.c.failed_logins + 1 >= policy.max_failures
    return {
        "failed_logins": case((last, 0), else_=table.c.failed_logins + 1),
        "locked_until": case((last, until), else_=table.c.locked_until),
    }


def _lock_end(
    conn: Connection, table: Table, where: ColumnElement[bool], *, now: datetime
) -> datetime:
    locked_until = conn.execute(select(table.c.locked_until).where(where)).scalar_one()
    return as_utc(locked_until) if locked_until is not None else now
