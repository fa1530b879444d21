"""A shop's cashiers, managed by the shop's owner: who stands at its till.

A cashier is a user with the role ``merchant_cashier`` holding the shop's account and no
other: they issue payment requests and refund within their daily limit
(:mod:`monnaie_locale.acts.checkout`), nothing else. The owner adds them, disables them
(which also ends their sessions), lets them back in, and sets a new password when one is
forgotten, without asking an administrator; administrators may do the same for any shop.

An owner only ever touches the cashiers of a shop they hold, and creates nothing but a
cashier of it. A user who is not such a cashier (another shop's, an owner, a member, a
name nobody has) is refused as unknown, alike, so an owner cannot learn who else signs
in. Passwords follow the rules of every password (:mod:`monnaie_locale.auth.passwords`),
hashed as :func:`monnaie_locale.acts.users.create_user` hashes them.

=======================  =================================================================
Act                      Who may do it
=======================  =================================================================
list_cashiers            a shop's owner, for a shop account they hold; administrators
get_cashier              the same, for a cashier of that shop
add_cashier              the same: a new user with the cashier role, holding that account
disable_cashier          the same, for a cashier of that shop; their sessions end
enable_cashier           the same, for a cashier of that shop
reset_cashier_password   the same, for a cashier of that shop; their sessions end
=======================  =================================================================
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection

from monnaie_locale.acting import Context, act
from monnaie_locale.auth import password_change, user_admin
from monnaie_locale.auth import users as auth_users
from monnaie_locale.auth.errors import UnknownUser
from monnaie_locale.auth.roles import ADMINS, MERCHANT_OWNERS, Role
from monnaie_locale.auth.user_admin import UserSummary
from monnaie_locale.ledger.accounts import get_account

__all__ = [
    "CASHIER_MANAGERS",
    "add_cashier",
    "disable_cashier",
    "enable_cashier",
    "get_cashier",
    "list_cashiers",
    "reset_cashier_password",
]

# A shop's owner manages its cashiers; administrators may manage any shop's.
CASHIER_MANAGERS = (*MERCHANT_OWNERS, *ADMINS)


def _check_shop(ctx: Context, conn: Connection, account: str) -> None:
    """Refuse an owner who does not hold ``account``; an unknown account is unknown."""
    ctx.actor.check_move_from(account)
    get_account(conn, account)


def _cashier_id(ctx: Context, conn: Connection, account: str, username: str) -> int:
    """The id of ``username`` if they are a cashier of the shop ``account`` and of no shop
    the actor does not hold; :class:`UnknownUser` otherwise, exactly as for a name nobody
    has, so that an owner cannot probe for other users."""
    _check_shop(ctx, conn, account)
    user = auth_users.find_user(conn, username)
    if user is None or user.role is not Role.MERCHANT_CASHIER:
        raise UnknownUser(username)
    held = auth_users.accounts_of(conn, user.id)
    # A cashier an administrator also linked to another shop is not this owner's alone.
    if account not in held or not (ctx.actor.moves_any_account or held <= ctx.actor.accounts):
        raise UnknownUser(username)
    return user.id


def _change(
    ctx: Context, account: str, username: str, change: Callable[[Connection, int], object]
) -> UserSummary:
    """Apply ``change`` to the shop's cashier named, and return them as they are after it."""

    def work(conn: Connection) -> UserSummary:
        user_id = _cashier_id(ctx, conn, account, username)
        change(conn, user_id)
        return user_admin.user_summary(conn, user_id)

    return ctx.write(work)


@act(*CASHIER_MANAGERS)
def list_cashiers(ctx: Context, account: str) -> list[UserSummary]:
    """The cashiers of the shop ``account``, by name, active or not."""

    def query(conn: Connection) -> list[UserSummary]:
        _check_shop(ctx, conn, account)
        return user_admin.holders_of(conn, account, role=Role.MERCHANT_CASHIER)

    return ctx.read(query)


@act(*CASHIER_MANAGERS)
def get_cashier(ctx: Context, account: str, username: str) -> UserSummary:
    """One cashier of the shop ``account``: their state and accounts."""
    return ctx.read(
        lambda conn: user_admin.user_summary(conn, _cashier_id(ctx, conn, account, username))
    )


@act(*CASHIER_MANAGERS)
def add_cashier(ctx: Context, account: str, username: str, password: str) -> UserSummary:
    """Create ``username``, a cashier of the shop ``account`` and of nothing else, who may
    sign in at once with ``password``; all or nothing."""

    def work(conn: Connection) -> UserSummary:
        _check_shop(ctx, conn, account)
        user = auth_users.create_user(
            conn, username, password=password, role=Role.MERCHANT_CASHIER, now=ctx.clock()
        )
        auth_users.link_account(conn, user.id, account_code=account)
        return user_admin.user_summary(conn, user.id)

    return ctx.write(work)


@act(*CASHIER_MANAGERS)
def disable_cashier(ctx: Context, account: str, username: str) -> UserSummary:
    """Stop a cashier of the shop from signing in, and end their sessions at once."""
    return _change(
        ctx,
        account,
        username,
        lambda conn, user_id: auth_users.disable_user(conn, user_id, now=ctx.clock()),
    )


@act(*CASHIER_MANAGERS)
def enable_cashier(ctx: Context, account: str, username: str) -> UserSummary:
    """Let a disabled cashier of the shop sign in again (their old sessions stay ended)."""
    return _change(ctx, account, username, user_admin.enable_user)


@act(*CASHIER_MANAGERS)
def reset_cashier_password(ctx: Context, account: str, username: str, password: str) -> UserSummary:
    """Set a cashier's new password: they are signed out everywhere, any lock is lifted."""
    user_id = ctx.read(lambda conn: _cashier_id(ctx, conn, account, username))
    # Not in one transaction with the check: hashing is slow on purpose, and must not hold
    # the database's write lock (see monnaie_locale.auth.password_change). A user's role
    # and accounts are not taken away meanwhile: no act takes them away.
    password_change.reset_password(ctx.database, user_id, new=password, clock=ctx.clock)
    return ctx.read(lambda conn: user_admin.user_summary(conn, user_id))
