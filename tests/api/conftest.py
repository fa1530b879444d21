"""A small deployment behind the API, on SQLite and PostgreSQL, with one user per role.

Accounts: alice and bob (members; alice holds 100.00), bakery (a business, run by its
owner and a cashier), town (an authority), office-1 (an exchange office) and
association:operating. Each role has a user holding the account that fits it; the
auditor and the administrator hold none. Tokens are issued directly, so only the sign-in
tests pay for password hashing, and those use cheap argon2 parameters: the production
parameters are slow on purpose.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection

from api.app import create_app
from monnaie_locale.auth import Role, create_user, issue_token, link_account
from monnaie_locale.config import Settings
from monnaie_locale.ledger.accounts import open_account
from monnaie_locale.model import AccountKind
from monnaie_locale.store import Database
from tests.conftest import SteppingClock
from tests.engine import Engine

PASSWORD = "correct horse battery staple"
ALICE_FUNDS = 10_000

# role -> (username, account held or None)
USERS: dict[Role, tuple[str, str | None]] = {
    Role.MEMBER: ("alice", "alice"),
    Role.MERCHANT_OWNER: ("baker", "bakery"),
    Role.MERCHANT_CASHIER: ("till", "bakery"),
    Role.AUTHORITY_AGENT: ("clerk", "town"),
    Role.OFFICE_OPERATOR: ("counter", "office-1"),
    Role.ASSOCIATION_OPERATOR: ("assoc", "association:operating"),
    Role.AUDITOR: ("auditor", None),
    Role.ADMIN: ("admin", None),
}


@dataclass
class World:
    database: Database
    ledger: Engine
    clock: SteppingClock
    client: TestClient
    tokens: dict[Role, str]
    bob_token: str
    user_ids: dict[str, int]

    def auth(self, role: Role) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}

    def as_bob(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.bob_token}"}


def _open_accounts(ledger: Engine) -> None:
    def open_all(conn: Connection) -> None:
        for code, kind in (
            ("alice", AccountKind.MEMBER),
            ("bob", AccountKind.MEMBER),
            ("bakery", AccountKind.BUSINESS),
            ("town", AccountKind.AUTHORITY),
            ("office-1", AccountKind.EXCHANGE_OFFICE),
            ("association:operating", AccountKind.ASSOCIATION),
        ):
            open_account(conn, code, kind=kind, currency="MLC", now=ledger.clock())

    # One commit for the whole set-up: each commit waits for the disk.
    ledger.database.write(open_all)
    ledger.transfer("issuance", "alice", ALICE_FUNDS, idempotency_key="fund-alice")


def _create_users(database: Database, clock: SteppingClock) -> dict[str, int]:
    people = [(role, name, account) for role, (name, account) in USERS.items()]
    people.append((Role.MEMBER, "bob", "bob"))

    def create_all(conn: Connection) -> dict[str, int]:
        ids: dict[str, int] = {}
        for role, name, account in people:
            ids[name] = create_user(conn, name, password=PASSWORD, role=role, now=clock()).id
            if account is not None:
                link_account(conn, ids[name], account_code=account)
        return ids

    return database.write(create_all)


def _tokens(database: Database, clock: SteppingClock, user_ids: list[int]) -> list[str]:
    return database.write(
        lambda conn: [
            issue_token(conn, user_id, now=clock(), ttl=timedelta(hours=1)).token
            for user_id in user_ids
        ]
    )


@pytest.fixture
def settings() -> Settings:
    return Settings(max_body_bytes=4096, login_attempts_per_minute=1000)


@pytest.fixture
def world(
    ledger: Engine, database: Database, clock: SteppingClock, settings: Settings
) -> Iterator[World]:
    _open_accounts(ledger)
    ids = _create_users(database, clock)
    names = [name for name, _ in USERS.values()] + ["bob"]
    issued = dict(zip(names, _tokens(database, clock, [ids[name] for name in names]), strict=True))
    tokens = {role: issued[name] for role, (name, _) in USERS.items()}
    app = create_app(settings, database=database, clock=clock)
    with TestClient(app) as client:
        yield World(
            database=database,
            ledger=ledger,
            clock=clock,
            client=client,
            tokens=tokens,
            bob_token=issued["bob"],
            user_ids=ids,
        )
