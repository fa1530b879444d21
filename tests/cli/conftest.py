"""Running ``mlc`` against the test databases, through Typer's runner or a real process.

The CLI opens its own connection from a URL, so each test database is named by one: the
SQLite file's, or for PostgreSQL the test server's with the test's schema put on the
search path (``options=-csearch_path=...``, a libpq option psycopg takes in the URL).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, text
from typer.testing import CliRunner, Result

from cli.context import ACTOR_ENV
from cli.main import app
from monnaie_locale.auth import Role, create_user, find_user, link_account
from monnaie_locale.clock import utc_now
from monnaie_locale.model import AccountKind, Leg, TransferRequest
from monnaie_locale.store import Database
from tests.engine import Engine

ROOT = Path(__file__).resolve().parents[2]
# Wide enough that rich never truncates a cell the tests read.
WIDE = {"COLUMNS": "200", "MLC_LANG": None, "LANG": None, "MLC_DATABASE_URL": None}


def database_url(database: Database) -> str:
    """A URL that reaches exactly this test database from a new process or engine."""
    url = database.engine.url
    if database.is_postgres:
        schema = database.read(lambda conn: conn.execute(text("SELECT current_schema()")).scalar())
        url = url.update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


# The administrator the tests act as, unless a test names another user or nobody.
ADMIN = "root"


def add_user(database: Database, name: str, role: Role, *accounts: str) -> None:
    """A user the CLI can act as (``--as name``), holding ``accounts``."""

    def add(conn: Connection) -> None:
        user = find_user(conn, name)
        if user is None:
            user = create_user(conn, name, password="not used here", role=role, now=utc_now())
        for account in accounts:
            link_account(conn, user.id, account_code=account)

    database.write(add)


@dataclass
class Mlc:
    """``mlc`` bound to one database, in English unless told otherwise, acting as the
    administrator ``root`` unless told otherwise (``actor=None``: as nobody)."""

    url: str
    runner: CliRunner

    def __call__(
        self,
        *args: str,
        lang: str = "en",
        input: str | None = None,
        actor: str | None = ADMIN,
    ) -> Result:
        who = ["--as", actor] if actor is not None else []
        return self.runner.invoke(
            app,
            ["--database", self.url, "--lang", lang, *who, *args],
            input=input,
            env=WIDE | {ACTOR_ENV: None},
        )

    def json(self, *args: str) -> Any:
        result = self(*args, "--json")
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)


@pytest.fixture
def url(database: Database) -> str:
    """The test database's URL, where the administrator the CLI acts as exists."""
    add_user(database, ADMIN, Role.ADMIN)
    return database_url(database)


@pytest.fixture
def mlc(url: str) -> Mlc:
    return Mlc(url, CliRunner())


@pytest.fixture
def books(ledger: Engine) -> Engine:
    """The standard ledger with two members and a business, and a few movements."""
    ledger.open_account("alice", kind=AccountKind.MEMBER, currency="MLC", owner_ref="M-0001")
    ledger.open_account("bob", kind=AccountKind.MEMBER, currency="MLC")
    ledger.open_account("bakery", kind=AccountKind.BUSINESS, currency="MLC")
    ledger.post(
        TransferRequest(
            legs=(
                Leg("external", 5000),
                Leg("reserve:digital", -5000),
                Leg("issuance", -5000),
                Leg("alice", 5000),
            ),
            kind="conversion",
            memo="Alice converts 50 € by bank transfer",
        ),
        idempotency_key="books-conversion",
    )
    ledger.transfer("alice", "bakery", 1250, idempotency_key="books-pay", memo="pain")
    ledger.transfer("bakery", "bob", 300, idempotency_key="books-change")
    return ledger


def run_process(
    args: list[str], *, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m cli.main ARGS`` in a real process, as a scheduled job would run it."""
    environment = {**os.environ, "COLUMNS": "200", ACTOR_ENV: ADMIN, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "cli.main", *args],
        capture_output=True,
        text=True,
        env=environment,
        cwd=cwd or ROOT,
        timeout=120,
        check=False,
    )
