"""From a credential to a principal: a sign-in token, an API key, or (for the command
line, run by someone who already holds the database) a user named by an operator."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from monnaie_locale.auth.api_keys import API_KEY_PREFIX, resolve_api_key
from monnaie_locale.auth.errors import NotAuthenticated
from monnaie_locale.auth.principal import Principal
from monnaie_locale.auth.roles import Role
from monnaie_locale.auth.tokens import TOKEN_PREFIX, resolve_token
from monnaie_locale.auth.users import accounts_of, find_user

__all__ = ["principal_named", "resolve_credential"]


def resolve_credential(conn: Connection, credential: str, *, now: datetime) -> Principal | None:
    """The principal behind a token or key, or None if it is not currently valid."""
    if credential.startswith(TOKEN_PREFIX):
        owner = resolve_token(conn, credential, now=now)
        if owner is None:
            return None
        return Principal(
            role=Role(owner.role),
            accounts=owner.accounts,
            name=owner.username,
            user_id=owner.user_id,
            token_id=owner.token_id,
            expires_at=owner.expires_at,
        )
    if credential.startswith(API_KEY_PREFIX):
        key = resolve_api_key(conn, credential)
        if key is None:
            return None
        return Principal(
            role=key.role,
            accounts=frozenset({key.account}),
            name=f"api key {key.prefix}",
            user_id=key.created_by,
            api_key_id=key.id,
        )
    return None


def principal_named(conn: Connection, username: str) -> Principal:
    """The active user ``username``, acting with their role and the accounts they hold.

    Whoever runs the command line holds the database already: naming themself is not a
    proof of identity but what makes each act checked, and recorded, as theirs.
    """
    user = find_user(conn, username)
    if user is None or not user.active:
        raise NotAuthenticated(f"no active user {username!r}; name an active user with --as")
    return Principal(
        role=Role(user.role),
        accounts=accounts_of(conn, user.id),
        name=user.username,
        user_id=user.id,
    )
