"""Passkeys: signing in with a WebAuthn credential, as well as or instead of a password.

A signed-in user registers passkeys in two steps (options, then the authenticator's
answer), lists theirs and revokes any of them. Signing in with one has no actor, as with
a password: the signature is the proof, and the answer is a token like a password's
(see :mod:`monnaie_locale.auth.passkeys`). An API key is a terminal, not a person: it has
no passkeys. Each act takes the :class:`RelyingParty` the browser checks, made from the
settings by :func:`relying_party`.

==================  ========================================================================
Act                 Who may do it
==================  ========================================================================
begin_registration  anyone signed in with a token: options for a new passkey of their own
finish_registration anyone signed in with a token, answering the options they were given
list_passkeys       anyone signed in with a token: their own passkeys
revoke_passkey      anyone signed in with a token, for a passkey of their own
begin_sign_in       anyone, without an actor: options for signing in
finish_sign_in      anyone, without an actor, with an authenticator's signed answer; a
                    refusal is the same as a wrong password's, whatever failed
==================  ========================================================================
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from monnaie_locale.acting import Context, act
from monnaie_locale.auth import passkeys
from monnaie_locale.auth.lockout import LoginPolicy
from monnaie_locale.auth.passkeys import Passkey, RelyingParty
from monnaie_locale.auth.roles import EVERYONE
from monnaie_locale.auth.tokens import IssuedToken
from monnaie_locale.clock import Clock
from monnaie_locale.config import Settings
from monnaie_locale.errors import InvalidRequest
from monnaie_locale.store.database import Database

__all__ = [
    "Passkey",
    "RelyingParty",
    "begin_registration",
    "begin_sign_in",
    "finish_registration",
    "finish_sign_in",
    "list_passkeys",
    "relying_party",
    "revoke_passkey",
]


def relying_party(settings: Settings) -> RelyingParty:
    """The deployment's relying party: its public host (MLC_PUBLIC_HOST) and name."""
    return RelyingParty.for_host(
        settings.public_host,
        name=settings.deployment_name,
        secret=settings.secret_key.get_secret_value(),
    )


@act(*EVERYONE)
def begin_registration(ctx: Context, *, party: RelyingParty) -> dict[str, Any]:
    """The options of ``navigator.credentials.create()`` for a new passkey of the actor."""
    user_id = _own_user(ctx)
    return ctx.write(
        lambda conn: passkeys.registration_options(
            conn, user_id, ctx.actor.name, party=party, now=ctx.clock()
        )
    )


@act(*EVERYONE)
def finish_registration(
    ctx: Context, response: Mapping[str, Any], name: str, *, party: RelyingParty
) -> Passkey:
    """Keep the passkey of the authenticator's ``response`` under ``name``."""
    user_id = _own_user(ctx)
    return passkeys.register(ctx.database, user_id, response, name, party=party, now=ctx.clock())


@act(*EVERYONE)
def list_passkeys(ctx: Context) -> list[Passkey]:
    """The actor's passkeys not revoked, oldest first."""
    user_id = _own_user(ctx)
    return ctx.read(lambda conn: passkeys.live_passkeys(conn, user_id))


@act(*EVERYONE)
def revoke_passkey(ctx: Context, passkey_id: int) -> Passkey:
    """Revoke one of the actor's passkeys at once; it signs no one in any more."""
    user_id = _own_user(ctx)
    return ctx.write(lambda conn: passkeys.revoke(conn, user_id, passkey_id, now=ctx.clock()))


def begin_sign_in(
    database: Database, *, clock: Clock, party: RelyingParty, username: str | None = None
) -> dict[str, Any]:
    """The options of ``navigator.credentials.get()``: any passkey of this site, or
    ``username``'s."""
    return database.write(
        lambda conn: passkeys.authentication_options(
            conn, party=party, now=clock(), username=username
        )
    )


def finish_sign_in(
    database: Database,
    response: Mapping[str, Any],
    *,
    clock: Clock,
    party: RelyingParty,
    policy: LoginPolicy,
) -> IssuedToken:
    """A fresh token for the passkey's user, or :class:`InvalidCredentials`."""
    return passkeys.sign_in(database, response, party=party, now=clock(), policy=policy)


def _own_user(ctx: Context) -> int:
    user_id = ctx.actor.user_id
    if ctx.actor.token_id is None or user_id is None:
        raise InvalidRequest("an API key has no passkeys; sign in as a user to manage yours")
    return user_id
