"""``mlc users`` on SQLite and PostgreSQL: create, link, disable, change a password.

Passwords never appear on the command line: they are typed at a hidden prompt (twice) or
read from the variable named by ``--password-env``.
"""

from __future__ import annotations

import os

import pytest
from sqlalchemy import func, select

from monnaie_locale.auth import users
from monnaie_locale.auth.passwords import verify_password
from monnaie_locale.auth.roles import Role
from monnaie_locale.model import AccountKind
from monnaie_locale.store import Database
from monnaie_locale.store.tables_auth import users as users_table
from tests.cli.conftest import ADMIN, Mlc, run_process
from tests.engine import Engine
from tests.support import snapshot

PASSWORD = "correct horse battery"
OTHER = "another long secret"


def user(database: Database, name: str) -> users.User:
    found = database.read(lambda conn: users.find_user(conn, name))
    assert found is not None
    return found


def user_count(database: Database) -> int:
    """How many users there are besides the administrator the commands act as."""
    count = select(func.count()).select_from(users_table).where(users_table.c.username != ADMIN)
    return database.read(lambda conn: int(conn.execute(count).scalar_one()))


@pytest.fixture
def password_env(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("MLC_TEST_PASSWORD", PASSWORD)
    return "MLC_TEST_PASSWORD"


def test_a_user_created_from_the_environment_signs_in_with_that_password(
    mlc: Mlc, database: Database, password_env: str
) -> None:
    result = mlc(
        "users", "create", "paul", "--role", "office_operator", "--password-env", password_env
    )

    assert result.exit_code == 0, result.output
    created = user(database, "paul")
    assert created.role is Role.OFFICE_OPERATOR
    assert verify_password(created.password_hash, PASSWORD)
    assert PASSWORD not in result.output


def test_the_password_is_asked_twice_when_no_variable_is_named(
    mlc: Mlc, database: Database
) -> None:
    result = mlc("users", "create", "paul", "--role", "auditor", input=f"{PASSWORD}\n{PASSWORD}\n")

    assert result.exit_code == 0, result.output
    assert verify_password(user(database, "paul").password_hash, PASSWORD)
    assert PASSWORD not in result.output


def test_an_empty_password_variable_is_refused_and_creates_nobody(
    mlc: Mlc, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MLC_EMPTY", "")
    result = mlc("users", "create", "paul", "--role", "auditor", "--password-env", "MLC_EMPTY")
    assert result.exit_code == 2
    assert "MLC_EMPTY" in result.stderr
    assert user_count(database) == 0


@pytest.mark.parametrize(
    ("name", "role"), [("Paul Martin", "auditor"), ("paul", "emperor")], ids=["name", "role"]
)
def test_a_bad_name_or_role_is_refused_and_creates_nobody(
    mlc: Mlc, database: Database, password_env: str, name: str, role: str
) -> None:
    result = mlc("users", "create", name, "--role", role, "--password-env", password_env)
    assert result.exit_code == 2
    assert user_count(database) == 0


def test_a_taken_name_is_refused(mlc: Mlc, database: Database, password_env: str) -> None:
    args = ("users", "create", "paul", "--role", "auditor", "--password-env", password_env)
    assert mlc(*args).exit_code == 0
    again = mlc(*args)
    assert again.exit_code == 3
    assert user_count(database) == 1


def test_a_linked_account_is_listed_with_its_user(
    mlc: Mlc, ledger: Engine, password_env: str
) -> None:
    ledger.open_account("alice", kind=AccountKind.MEMBER, currency="MLC")
    mlc("users", "create", "alice.m", "--role", "member", "--password-env", password_env)

    assert mlc("users", "link", "alice.m", "alice").exit_code == 0

    listed = mlc.json("users", "list")
    assert listed == [
        {"username": "alice.m", "role": "member", "active": True, "accounts": ["alice"]},
        {"username": ADMIN, "role": "admin", "active": True, "accounts": []},
    ]


def test_linking_an_unknown_account_or_user_writes_nothing(
    mlc: Mlc, database: Database, password_env: str
) -> None:
    mlc("users", "create", "alice.m", "--role", "member", "--password-env", password_env)
    before = snapshot(database)

    no_account = mlc("users", "link", "alice.m", "nobody")
    no_user = mlc("users", "link", "ghost", "alice")

    assert no_account.exit_code == 2
    assert no_user.exit_code == 2
    assert "ghost" in no_user.stderr
    assert database.read(lambda conn: users.accounts_of(conn, user(database, "alice.m").id)) == (
        frozenset()
    )
    assert snapshot(database) == before


def test_a_disabled_user_is_no_longer_active(
    mlc: Mlc, database: Database, password_env: str
) -> None:
    mlc("users", "create", "paul", "--role", "auditor", "--password-env", password_env)

    result = mlc("users", "disable", "paul")

    assert result.exit_code == 0, result.output
    assert user(database, "paul").active is False


def test_a_new_password_replaces_the_old_one(
    mlc: Mlc, database: Database, password_env: str
) -> None:
    mlc("users", "create", "paul", "--role", "auditor", "--password-env", password_env)

    result = mlc("users", "password", "paul", input=f"{OTHER}\n{OTHER}\n")

    assert result.exit_code == 0, result.output
    changed = user(database, "paul").password_hash
    assert verify_password(changed, OTHER)
    assert not verify_password(changed, PASSWORD)


def test_a_password_for_an_unknown_user_is_not_even_asked(mlc: Mlc, database: Database) -> None:
    result = mlc("users", "password", "ghost", input=f"{OTHER}\n{OTHER}\n")
    assert result.exit_code == 2
    assert "Password" not in result.output
    assert user_count(database) == 0


def test_a_real_process_creates_a_user_from_the_environment(mlc: Mlc, database: Database) -> None:
    done = run_process(
        ["--database", mlc.url, "users", "create", "marie", "--role", "admin",
         "--password-env", "MLC_NEW_PASSWORD", "--json"],
        env={**os.environ, "MLC_NEW_PASSWORD": PASSWORD},
    )  # fmt: skip

    assert done.returncode == 0, done.stderr
    assert verify_password(user(database, "marie").password_hash, PASSWORD)
