"""Sessions: signing in and out, who the caller is, and changing one's own password.

Signing in has no actor: the username and password are the proof, checked with a lock
after repeated failures (see :mod:`monnaie_locale.auth.login`). Nor has acting as a named
user, which only the command line does: whoever runs it holds the database already, so
the name is no proof of identity but what makes each act checked, and recorded, as that
user's. Every other act here is the signed-in user's own; an API key has no password and
no session, so it neither signs out (its owner revokes it) nor changes a password.

===============  =========================================================================
Act              Who may do it
===============  =========================================================================
sign_in          anyone, without an actor, with a username and its password
acting_as        whoever holds the database (the command line), without an actor: the
                 active user they name becomes the actor
sign_out         anyone signed in with a token: that token is revoked
sign_out_all     anyone signed in with a token: every token of theirs is revoked, on
                 every device (their API keys, which have no session, stay)
whoami           anyone: their name, role and the accounts they hold
change_password  anyone signed in with a token, giving their current password; every
                 token is revoked and a fresh one returned
===============  =========================================================================
"""

from __future__ import annotations

from monnaie_locale.acting import Context, act
from monnaie_locale.auth import login, password_change
from monnaie_locale.auth.credentials import principal_named
from monnaie_locale.auth.lockout import LoginPolicy
from monnaie_locale.auth.principal import Principal
from monnaie_locale.auth.roles import EVERYONE
from monnaie_locale.auth.tokens import IssuedToken, revoke_user_tokens
from monnaie_locale.clock import Clock
from monnaie_locale.errors import InvalidRequest
from monnaie_locale.store.database import Database

__all__ = ["acting_as", "change_password", "sign_in", "sign_out", "sign_out_all", "whoami"]


def sign_in(
    database: Database, username: str, password: str, *, clock: Clock, policy: LoginPolicy
) -> IssuedToken:
    """A fresh token for ``username``, or the refusal (the same whether the name exists)."""
    return login.sign_in(database, username, password, clock=clock, policy=policy)


def acting_as(database: Database, username: str) -> Principal:
    """The active user ``username`` as an actor: their role and the accounts they hold.

    Refused with :class:`~monnaie_locale.auth.errors.NotAuthenticated` for a name that is
    no active user's.
    """
    return database.read(lambda conn: principal_named(conn, username))


@act(*EVERYONE)
def sign_out(ctx: Context) -> None:
    """Revoke the token the actor signed in with."""
    token_id = ctx.actor.token_id
    if token_id is None:
        raise InvalidRequest("an API key is not signed out; its owner revokes it")
    login.sign_out(ctx.database, token_id, clock=ctx.clock)


@act(*EVERYONE)
def sign_out_all(ctx: Context) -> int:
    """Revoke every token of the actor (a lost phone's too); how many were revoked."""
    user_id = ctx.actor.user_id
    if ctx.actor.token_id is None or user_id is None:
        raise InvalidRequest("an API key is not signed out; its owner revokes it")
    now = ctx.clock()
    return ctx.database.write(lambda conn: revoke_user_tokens(conn, user_id, now=now))


@act(*EVERYONE)
def whoami(ctx: Context) -> Principal:
    """The actor: name, role and the accounts they hold."""
    return ctx.actor


@act(*EVERYONE)
def change_password(ctx: Context, *, current: str, new: str, policy: LoginPolicy) -> IssuedToken:
    """Check ``current``, store ``new``, revoke every token of the actor; a fresh token.

    A wrong ``current`` counts as a failed sign-in, so a stolen token cannot be used to
    guess the password at leisure.
    """
    user_id = ctx.actor.user_id
    if ctx.actor.token_id is None or user_id is None:
        raise InvalidRequest("an API key has no password; sign in as a user to change yours")
    return password_change.change_own_password(
        ctx.database, user_id, current=current, new=new, clock=ctx.clock, policy=policy
    )
