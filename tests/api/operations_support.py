"""A deployment with its full account plan behind the API, for the currency operations.

One exchange office (``gare``), a 5 % conversion bonus, a yearly member fee of 10.00, a
reserve IBAN; holder accounts alice (member), bakery (business) and town (authority);
one user per role, the office operator holding the office's till. The API tests of the
operations build it with :func:`make_ops` from the ``database`` fixture, on both engines.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import Connection

from api.app import create_app
from monnaie_locale.auth import Role, create_user, issue_token, link_account
from monnaie_locale.config import Settings
from monnaie_locale.deployment import create_system_accounts, office_till, open_holder_account
from monnaie_locale.deployment import from_settings as deployment_from_settings
from monnaie_locale.ledger.accounts import get_account
from monnaie_locale.model import AccountKind
from monnaie_locale.operations.funds import receive_association_funds
from monnaie_locale.store import Database
from tests.api.helpers import refused
from tests.conftest import SteppingClock
from tests.engine import Engine

OFFICE = "gare"
RESERVE_IBAN = "FR7630006000011234567890189"
BAKERY_IBAN = "FR1420041010050500013M02606"
BONUS_BPS = 500
MEMBER_FEE = 1000
ASSOCIATION_FUNDS = 100_000

# role -> (username, account held or None)
STAFF: dict[Role, tuple[str, str | None]] = {
    Role.MEMBER: ("alice", "alice"),
    Role.MERCHANT_OWNER: ("baker", "bakery"),
    Role.MERCHANT_CASHIER: ("till", "bakery"),
    Role.AUTHORITY_AGENT: ("clerk", "town"),
    Role.OFFICE_OPERATOR: ("counter", office_till(OFFICE)),
    Role.ASSOCIATION_OPERATOR: ("assoc", None),
    Role.AUDITOR: ("auditor", None),
    Role.ADMIN: ("admin", None),
}


def ops_settings() -> Settings:
    return Settings(
        offices=(OFFICE, "port"),
        conversion_bonus_bps=BONUS_BPS,
        membership_fees={"member": MEMBER_FEE},
        reserve_iban=RESERVE_IBAN,
        reserve_bic="CCOPFRPP",
        login_attempts_per_minute=1000,
    )


@dataclass
class Ops:
    database: Database
    clock: SteppingClock
    client: TestClient
    tokens: dict[Role, str]

    def auth(self, role: Role, key: str | None = None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.tokens[role]}"}
        if key is not None:
            headers["Idempotency-Key"] = key
        return headers

    def post(self, role: Role, url: str, body: Any = None, *, key: str = "k1") -> httpx.Response:
        response: httpx.Response = self.client.post(url, json=body, headers=self.auth(role, key))
        return response

    def get(self, role: Role, url: str, **params: str) -> httpx.Response:
        response: httpx.Response = self.client.get(url, params=params, headers=self.auth(role))
        return response

    def balance(self, code: str) -> int:
        return self.database.read(lambda conn: get_account(conn, code).balance)

    def refused(
        self, status: int, code: str, role: Role, url: str, body: Any = None, *, key: str = "k9"
    ) -> dict[str, object]:
        """Post, expect the problem, and check the books did not move."""
        return self.unchanged(status, code, lambda: self.post(role, url, body, key=key))

    def unchanged(
        self, status: int, code: str, call: Callable[[], httpx.Response]
    ) -> dict[str, object]:
        """Make the call, expect the problem, and check the books did not move."""
        # On PostgreSQL the server's sealer chains the earlier calls' transactions into the
        # journal in the background; chained first, the journal can only move by this call.
        Engine(self.database, clock=self.clock).seal_journal()
        return refused(self.database, status, code, call)

    def converted(self, account: str, amount: str, *, key: str) -> None:
        """Give ``account`` units by a card conversion (euros into the digital reserve)."""
        body = {"account": account, "amount": amount, "payment_reference": f"card-{key}"}
        response = self.post(Role.ASSOCIATION_OPERATOR, "/v1/conversions/card", body, key=key)
        assert response.status_code == 201, response.text


def make_ops(database: Database, clock: SteppingClock) -> Generator[Ops, None, None]:
    settings = ops_settings()
    deployment = deployment_from_settings(settings)

    def set_up(conn: Connection) -> dict[Role, str]:
        create_system_accounts(conn, deployment, now=clock())
        # The association's own euros fund the conversion bonuses.
        receive_association_funds(
            conn, amount=ASSOCIATION_FUNDS, memo="grant", idempotency_key="grant", clock=clock
        )
        for code, kind in (
            ("alice", AccountKind.MEMBER),
            ("bakery", AccountKind.BUSINESS),
            ("town", AccountKind.AUTHORITY),
        ):
            open_holder_account(conn, deployment, code, kind=kind, now=clock())
        tokens: dict[Role, str] = {}
        for role, (name, account) in STAFF.items():
            user = create_user(conn, name, password="correct horse battery", role=role, now=clock())
            if account is not None:
                link_account(conn, user.id, account_code=account)
            tokens[role] = issue_token(conn, user.id, now=clock(), ttl=timedelta(hours=1)).token
        return tokens

    tokens = database.write(set_up)
    # Sealed now, so that the server's background sealer has nothing left to change.
    Engine(database, clock=clock).seal_journal()
    with TestClient(create_app(settings, database=database, clock=clock)) as client:
        yield Ops(database=database, clock=clock, client=client, tokens=tokens)
