"""API keys: what a merchant's terminal signs in with, for one account.

A key acts as a cashier of one account: it requests payments and settles the holds its
customers place, nothing else. Whoever may move an account's money may give it a key, and
take it back; the secret is shown once, when the key is created.

===========  =============================================================================
Act          Who may do it
===========  =============================================================================
create_key   a merchant owner, for an account they hold; the association's operators and
             administrators, for any account
revoke_key   the same, for a key of such an account
list_keys    the same, the keys of the accounts they may give keys to; the auditor, all
===========  =============================================================================
"""

from __future__ import annotations

from sqlalchemy import Connection

from monnaie_locale.acting import Context, act
from monnaie_locale.admin_log import Logged
from monnaie_locale.auth import api_keys
from monnaie_locale.auth.roles import KEY_MANAGERS, Role

__all__ = ["create_key", "list_keys", "revoke_key"]


@act(
    *KEY_MANAGERS,
    # The secret is never logged: the key's id says which key it was.
    logged=Logged(
        target="account", fields=("label",), written=lambda made: {"key_id": made.key.id}
    ),
)
def create_key(ctx: Context, account: str, *, label: str = "") -> api_keys.CreatedApiKey:
    """A new cashier key for ``account``, with its secret (never stored, never shown again)."""
    ctx.actor.check_move_from(account)
    return ctx.write(
        lambda conn: api_keys.create_api_key(
            conn, account, label=label, created_by=ctx.actor.user_id, now=ctx.clock()
        )
    )


@act(*KEY_MANAGERS, logged=Logged(target="key_id"))
def revoke_key(ctx: Context, key_id: int) -> api_keys.ApiKey:
    """Revoke a key at once; revoking it again changes nothing."""

    def revoke(conn: Connection) -> api_keys.ApiKey:
        # Checked in the same transaction as the revocation it allows.
        ctx.actor.check_move_from(api_keys.get_api_key(conn, key_id).account)
        return api_keys.revoke_api_key(conn, key_id, now=ctx.clock())

    return ctx.write(revoke)


@act(*KEY_MANAGERS, Role.AUDITOR)
def list_keys(ctx: Context, *, limit: int = 200) -> list[api_keys.ApiKey]:
    """The keys the actor may see, newest first: a merchant owner's accounts' keys, every
    key for the association and the auditor (never a secret: only its first characters)."""
    actor = ctx.actor
    held = None if actor.sees_all_accounts else actor.accounts
    return ctx.read(lambda conn: api_keys.list_api_keys(conn, accounts=held, limit=limit))
