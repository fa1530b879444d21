"""Users: who may sign in, with which role, holding which accounts.

Who may sign in is the administrator's decision, with one exception: a deployment with
no administrator yet gets its first one from whoever sets it up (``mlc init``), who holds
the database already. That act has no actor; it is refused as soon as an administrator
exists, so it can never be used to add a second one behind the others' backs.

An administrator never resets their own password nor disables themself here: the first
would let a stolen token take the account for good (a new password, the owner signed out),
the second could lock the last administrator out. Their own password they change as any
user does (:func:`monnaie_locale.acts.sessions.change_password`), giving the current one.

=================  =======================================================================
Act                Who may do it
=================  =======================================================================
set_up             whoever sets the deployment up, without an actor, only while no
                   administrator exists: the system accounts and the first administrator
create_user        administrators
list_users         administrators
get_user           administrators
link_account       administrators
revoke_tokens      administrators
reset_password     administrators, for another user
disable            administrators, for another user
enable             administrators
unlock             administrators
=================  =======================================================================
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlalchemy import Connection, select

from monnaie_locale import rules
from monnaie_locale.acting import Context, act
from monnaie_locale.admin_log import Logged
from monnaie_locale.auth import password_change, tokens, user_admin
from monnaie_locale.auth import users as auth_users
from monnaie_locale.auth.errors import AdministratorExists, UnknownUser
from monnaie_locale.auth.roles import ADMINS, Role
from monnaie_locale.auth.user_admin import UserSummary
from monnaie_locale.clock import Clock, utc_now
from monnaie_locale.deployment import Deployment, create_system_accounts
from monnaie_locale.errors import InvalidRequest
from monnaie_locale.model import Account
from monnaie_locale.operations import bank_accounts
from monnaie_locale.store.database import Database
from monnaie_locale.store.tables_auth import users as users_table

__all__ = [
    "USER_MANAGERS",
    "create_user",
    "disable",
    "enable",
    "get_user",
    "link_account",
    "list_users",
    "reset_password",
    "revoke_tokens",
    "set_up",
    "unlock",
]

# Who may sign in, with which role and which accounts, is the administrator's decision.
USER_MANAGERS = ADMINS
# An administrative act on one user, logged with their name (monnaie_locale.admin_log).
_USER = Logged(target="username")


def set_up(
    database: Database,
    deployment: Deployment,
    *,
    admin: str,
    password: str,
    clock: Clock = utc_now,
) -> list[Account]:
    """Open the deployment's system accounts, enter the reserve's bank account the settings
    name, create its first administrator and record ``deployment``'s rules as the first
    ones, in force from today, in one commit; return the accounts opened (those missing:
    running it again adds an office's).

    From then on the rules are the database's (:mod:`monnaie_locale.rules`), changed with
    :func:`monnaie_locale.acts.rules.change_rule`; the settings that built ``deployment``
    no longer decide them. Refused with :class:`AdministratorExists`, changing nothing,
    once there is one.
    """

    def work(conn: Connection) -> list[Account]:
        administrator = conn.execute(
            select(users_table.c.id).where(users_table.c.role == str(Role.ADMIN)).limit(1)
        ).first()
        if administrator is not None:
            raise AdministratorExists()
        now = clock()
        opened = create_system_accounts(conn, deployment, now=now)
        # MLC_RESERVE_IBAN, when set, becomes the digital reserve's bank account (checked).
        bank_accounts.seed_from_settings(conn, deployment, clock=clock)
        user = auth_users.create_user(conn, admin, password=password, role=Role.ADMIN, now=now)
        rules.seed(
            conn, deployment, effective_from=now.date(), changed_by=f"user:{user.id}", now=now
        )
        return opened

    return database.write(work)


def _user_id(conn: Connection, username: str) -> int:
    user = auth_users.find_user(conn, username)
    if user is None:
        raise UnknownUser(username)
    return user.id


def _change(
    ctx: Context, username: str, change: Callable[[Connection, int], object]
) -> UserSummary:
    """Apply ``change`` to the user named, and return them as they are after it."""

    def work(conn: Connection) -> UserSummary:
        user_id = _user_id(conn, username)
        change(conn, user_id)
        return user_admin.user_summary(conn, user_id)

    return ctx.write(work)


@act(*USER_MANAGERS, logged=Logged(target="username", fields=("role", "accounts")))
def create_user(
    ctx: Context, username: str, *, password: str, role: Role, accounts: Iterable[str] = ()
) -> UserSummary:
    """Create an active user holding ``accounts``; all or nothing (an unknown account
    creates no user)."""
    held = tuple(accounts)

    def work(conn: Connection) -> UserSummary:
        user = auth_users.create_user(conn, username, password=password, role=role, now=ctx.clock())
        for account in held:
            auth_users.link_account(conn, user.id, account_code=account)
        return user_admin.user_summary(conn, user.id)

    return ctx.write(work)


@act(*USER_MANAGERS)
def list_users(ctx: Context, *, after_id: int = 0, limit: int = 100) -> list[UserSummary]:
    """Users in id order, ``limit`` at a time after ``after_id``."""
    return ctx.read(lambda conn: user_admin.list_users(conn, after_id=after_id, limit=limit))


@act(*USER_MANAGERS)
def get_user(ctx: Context, username: str) -> UserSummary:
    """One user, their role, state and accounts."""
    return ctx.read(lambda conn: user_admin.user_summary(conn, _user_id(conn, username)))


@act(*USER_MANAGERS, logged=Logged(target="username", fields=("account",)))
def link_account(ctx: Context, username: str, account: str) -> UserSummary:
    """Let the user hold ``account`` (see it, and move it as their role allows)."""
    return _change(
        ctx,
        username,
        lambda conn, user_id: auth_users.link_account(conn, user_id, account_code=account),
    )


@act(*USER_MANAGERS, logged=_USER)
def revoke_tokens(ctx: Context, username: str) -> int:
    """Sign the user out everywhere; the number of tokens revoked."""
    return ctx.write(
        lambda conn: tokens.revoke_user_tokens(conn, _user_id(conn, username), now=ctx.clock())
    )


def _not_self(ctx: Context, user_id: int, refusal: str) -> None:
    if user_id == ctx.actor.user_id:
        raise InvalidRequest(refusal)


@act(*USER_MANAGERS, logged=_USER)  # the password is never logged
def reset_password(ctx: Context, username: str, password: str) -> UserSummary:
    """Set another user's password: they are signed out everywhere, any lock is lifted."""
    user_id = ctx.read(lambda conn: _user_id(conn, username))
    _not_self(
        ctx, user_id, "change your own password with POST /v1/auth/password, giving the current one"
    )
    # Not in one transaction with the lookup: hashing is slow on purpose, and must not
    # hold the database's write lock (see monnaie_locale.auth.password_change).
    password_change.reset_password(ctx, user_id, new=password, clock=ctx.clock)
    return ctx.read(lambda conn: user_admin.user_summary(conn, user_id))


@act(*USER_MANAGERS, logged=_USER)
def disable(ctx: Context, username: str) -> UserSummary:
    """Stop another user from signing in, and end their sessions."""

    def disable_one(conn: Connection, user_id: int) -> None:
        # Without this, the last administrator could lock everyone out.
        _not_self(ctx, user_id, "you cannot disable yourself; ask another administrator")
        auth_users.disable_user(conn, user_id, now=ctx.clock())

    return _change(ctx, username, disable_one)


@act(*USER_MANAGERS, logged=_USER)
def enable(ctx: Context, username: str) -> UserSummary:
    """Let a disabled user sign in again (their old sessions stay ended)."""
    return _change(ctx, username, user_admin.enable_user)


@act(*USER_MANAGERS, logged=_USER)
def unlock(ctx: Context, username: str) -> UserSummary:
    """Lift the lock left by repeated failed sign-ins."""
    return _change(ctx, username, user_admin.unlock_user)
