"""A small shop for the deployment tests: a member with money, a till, a treasurer.

The accounts and users are made directly, and tokens issued, so a test pays through the
HTTP API at once; :func:`pay` issues a request at the till and pays it as the member.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import Connection

from monnaie_locale.auth import Role, create_user, issue_token, link_account
from monnaie_locale.clock import utc_now
from monnaie_locale.ledger.accounts import open_account
from monnaie_locale.model import AccountKind
from monnaie_locale.store import Database
from tests.e2e.support import issue
from tests.support import standard_ledger

__all__ = ["PASSWORD", "Shop", "open_shop", "pay"]

PASSWORD = "correct horse battery staple"


@dataclass
class Shop:
    tokens: dict[str, str]
    app: Any = None  # the application serving it, once a test made one

    def auth(self, name: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[name]}"}


def _accounts_and_users(conn: Connection) -> dict[str, str]:
    now = utc_now()
    open_account(conn, "alice", kind=AccountKind.MEMBER, currency="MLC", now=now)
    open_account(conn, "bakery", kind=AccountKind.BUSINESS, currency="MLC", now=now)
    tokens = {}
    for name, role, account in (
        ("alice", Role.MEMBER, "alice"),
        ("till", Role.MERCHANT_CASHIER, "bakery"),
        ("treasurer", Role.ASSOCIATION_OPERATOR, None),
    ):
        user = create_user(conn, name, password=PASSWORD, role=role, now=now)
        if account is not None:
            link_account(conn, user.id, account_code=account)
        tokens[name] = issue_token(conn, user.id, now=now, ttl=timedelta(hours=1)).token
    return tokens


def open_shop(database: Database) -> Shop:
    """The shop on a migrated ``database``, alice holding 100.00; no application yet."""
    ledger = standard_ledger(database, clock=utc_now)
    tokens = database.write(_accounts_and_users)
    ledger.transfer("issuance", "alice", 100_00, idempotency_key="fund-alice")
    return Shop(tokens)


def pay(client: httpx.Client, shop: Shop, amount: str) -> dict[str, Any]:
    """A request issued at the till and paid by alice, through the API; the payment."""
    sale = issue(client, shop.auth("till"), amount=amount, key=amount)
    paid = client.post(
        "/v1/checkout/pay",
        json={"request": sale["url"]},
        headers={**shop.auth("alice"), "Idempotency-Key": amount},
    )
    assert paid.status_code == 201, paid.text
    body: dict[str, Any] = paid.json()
    return body
