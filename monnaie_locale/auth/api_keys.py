"""API keys for merchant terminals and integrations: one account, one role, shown once.

A key acts for exactly one account with a limited role (a terminal is a cashier), so a
stolen terminal key cannot empty the merchant's other accounts or act as its owner.
Only the key's digest is stored; its first characters are kept to recognise it in lists.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, or_, select, update

from monnaie_locale.auth.errors import UnknownApiKey
from monnaie_locale.auth.roles import Role
from monnaie_locale.auth.tokens import digest_secret
from monnaie_locale.errors import InvalidRequest
from monnaie_locale.ledger.accounts import get_account
from monnaie_locale.store.tables_auth import api_keys, users

__all__ = [
    "API_KEY_PREFIX",
    "ApiKey",
    "CreatedApiKey",
    "create_api_key",
    "get_api_key",
    "list_api_keys",
    "resolve_api_key",
    "revoke_api_key",
]

API_KEY_PREFIX = "mlk_"
_SHOWN_PREFIX = 12
# A key never carries a role that reads or moves beyond its own account.
_KEY_ROLES = frozenset({Role.MERCHANT_CASHIER, Role.MERCHANT_OWNER, Role.MEMBER})


@dataclass(frozen=True, slots=True)
class ApiKey:
    id: int
    prefix: str
    label: str
    account: str
    role: Role
    created_by: int | None
    revoked: bool


@dataclass(frozen=True, slots=True)
class CreatedApiKey:
    """A new key and its secret text, which is never shown again."""

    key: ApiKey
    secret: str


def create_api_key(
    conn: Connection,
    account_code: str,
    *,
    role: Role = Role.MERCHANT_CASHIER,
    label: str = "",
    created_by: int | None,
    now: datetime,
) -> CreatedApiKey:
    if role not in _KEY_ROLES:
        raise InvalidRequest(f"an API key cannot carry the {role} role")
    if len(label) > 200:
        raise InvalidRequest("a key's label is limited to 200 characters")
    get_account(conn, account_code)
    secret = API_KEY_PREFIX + secrets.token_urlsafe(32)
    key_id = conn.execute(
        insert(api_keys)
        .values(
            key_digest=digest_secret(secret),
            prefix=secret[:_SHOWN_PREFIX],
            label=label,
            account_code=account_code,
            role=str(role),
            created_by=created_by,
            created_at=now,
        )
        .returning(api_keys.c.id)
    ).scalar_one()
    return CreatedApiKey(key=get_api_key(conn, key_id), secret=secret)


def _key_from_row(row: Any) -> ApiKey:
    return ApiKey(
        id=row.id,
        prefix=row.prefix,
        label=row.label,
        account=row.account_code,
        role=Role(row.role),
        created_by=row.created_by,
        revoked=row.revoked_at is not None,
    )


def get_api_key(conn: Connection, key_id: int) -> ApiKey:
    row = conn.execute(select(api_keys).where(api_keys.c.id == key_id)).first()
    if row is None:
        raise UnknownApiKey(key_id)
    return _key_from_row(row)


def list_api_keys(
    conn: Connection, *, accounts: Collection[str] | None = None, limit: int = 200
) -> list[ApiKey]:
    """The keys of ``accounts`` (every account's when None), newest first."""
    query = select(api_keys)
    if accounts is not None:
        query = query.where(api_keys.c.account_code.in_(sorted(accounts)))
    rows = conn.execute(query.order_by(api_keys.c.id.desc()).limit(limit)).all()
    return [_key_from_row(row) for row in rows]


def resolve_api_key(conn: Connection, secret: str) -> ApiKey | None:
    """The live key whose secret this is, or None.

    A key lives as long as the user who made it stays active: disabling a merchant who
    left the shop stops the terminals they set up too. (A key made from the command
    line has no maker, and ends only when revoked.)
    """
    row = conn.execute(
        select(api_keys)
        .select_from(api_keys.outerjoin(users, users.c.id == api_keys.c.created_by))
        .where(
            api_keys.c.key_digest == digest_secret(secret),
            api_keys.c.revoked_at.is_(None),
            or_(api_keys.c.created_by.is_(None), users.c.status == "active"),
        )
    ).first()
    return None if row is None else _key_from_row(row)


def revoke_api_key(conn: Connection, key_id: int, *, now: datetime) -> ApiKey:
    get_api_key(conn, key_id)
    conn.execute(
        update(api_keys)
        .where(api_keys.c.id == key_id, api_keys.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return get_api_key(conn, key_id)
