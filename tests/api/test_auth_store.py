"""The auth core on its own: users, accounts they hold, passwords, tokens and keys."""

from __future__ import annotations

from datetime import timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from monnaie_locale.auth import (
    LoginPolicy,
    Role,
    accounts_of,
    create_api_key,
    create_user,
    issue_token,
    link_account,
    resolve_credential,
    revoke_user_tokens,
    sign_in,
)
from monnaie_locale.auth.errors import (
    DuplicateUser,
    InvalidCredentials,
    UnknownUser,
    WeakPassword,
)
from monnaie_locale.auth.passwords import hash_password, needs_rehash, verify_password
from monnaie_locale.errors import InvalidRequest, UnknownAccount
from monnaie_locale.model import AccountKind
from monnaie_locale.store import Database
from monnaie_locale.store.tables import metadata
from monnaie_locale.store.tables_auth import sign_in_names, user_accounts, users
from tests.api.conftest import PASSWORD
from tests.conftest import SteppingClock
from tests.engine import Engine
from tests.operations.test_schema import table_of
from tests.support import count_rows


def new_user(database: Database, clock: SteppingClock, name: str = "alice") -> int:
    return database.write(
        lambda conn: create_user(conn, name, password=PASSWORD, role=Role.MEMBER, now=clock())
    ).id


def test_a_password_is_stored_as_an_argon2id_hash() -> None:
    stored = hash_password(PASSWORD)
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored
    assert verify_password(stored, PASSWORD)
    assert not verify_password(stored, PASSWORD + "!")


def test_a_hash_made_with_weaker_parameters_asks_to_be_redone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from argon2 import PasswordHasher

    from monnaie_locale.auth import passwords

    weak = PasswordHasher(time_cost=1, memory_cost=512, parallelism=1).hash(PASSWORD)
    monkeypatch.setattr(passwords, "_hasher", PasswordHasher(time_cost=2, memory_cost=1024))
    assert needs_rehash(weak)
    assert needs_rehash("not a hash at all")


def test_a_garbage_hash_never_verifies() -> None:
    assert not verify_password("not a hash", PASSWORD)


@pytest.mark.parametrize("password", ["short", "x" * 257])
def test_a_weak_or_huge_password_is_refused(database: Database, password: str) -> None:
    with pytest.raises(WeakPassword):
        database.write(
            lambda conn: create_user(
                conn, "alice", password=password, role=Role.MEMBER, now=SteppingClock()()
            )
        )
    assert count_rows(database, users) == 0


@pytest.mark.parametrize("name", ["", "a", "Alice", "has space", "x" * 81, "ünï"])
def test_an_invalid_username_is_refused(database: Database, name: str) -> None:
    with pytest.raises(InvalidRequest):
        new_user(database, SteppingClock(), name)
    assert count_rows(database, users) == 0


def test_a_taken_username_is_refused(database: Database, clock: SteppingClock) -> None:
    new_user(database, clock)
    with pytest.raises(DuplicateUser):
        new_user(database, clock)
    assert count_rows(database, users) == 1


def test_linking_an_account_is_idempotent(ledger: Engine, clock: SteppingClock) -> None:
    ledger.open_account("alice", kind=AccountKind.MEMBER, currency="MLC")
    user_id = new_user(ledger.database, clock)
    for _ in range(2):
        ledger.database.write(lambda conn: link_account(conn, user_id, account_code="alice"))
    assert ledger.database.read(lambda conn: accounts_of(conn, user_id)) == {"alice"}
    assert count_rows(ledger.database, user_accounts) == 1


def test_linking_an_unknown_account_or_user_is_refused(
    ledger: Engine, clock: SteppingClock
) -> None:
    user_id = new_user(ledger.database, clock)
    with pytest.raises(UnknownAccount):
        ledger.database.write(lambda conn: link_account(conn, user_id, account_code="nobody"))
    with pytest.raises(UnknownUser):
        ledger.database.write(lambda conn: link_account(conn, 999, account_code="issuance"))
    assert count_rows(ledger.database, user_accounts) == 0


def test_a_token_resolves_to_its_user_until_revoked(
    database: Database, clock: SteppingClock
) -> None:
    user_id = new_user(database, clock)
    issued = database.write(
        lambda conn: issue_token(conn, user_id, now=clock(), ttl=timedelta(hours=1))
    )
    principal = database.read(lambda conn: resolve_credential(conn, issued.token, now=clock()))
    assert principal is not None and principal.user_id == user_id
    assert principal.role is Role.MEMBER
    assert database.write(lambda conn: revoke_user_tokens(conn, user_id, now=clock())) == 1
    assert database.read(lambda conn: resolve_credential(conn, issued.token, now=clock())) is None


def test_an_api_key_cannot_carry_a_powerful_role(ledger: Engine) -> None:
    with pytest.raises(InvalidRequest):
        ledger.database.write(
            lambda conn: create_api_key(
                conn, "issuance", role=Role.ADMIN, created_by=None, now=ledger.clock()
            )
        )


def test_an_api_key_acts_for_its_one_account(ledger: Engine) -> None:
    ledger.open_account("bakery", kind=AccountKind.BUSINESS, currency="MLC")
    created = ledger.database.write(
        lambda conn: create_api_key(conn, "bakery", created_by=None, now=ledger.clock())
    )
    principal = ledger.database.read(
        lambda conn: resolve_credential(conn, created.secret, now=ledger.clock())
    )
    assert principal is not None
    assert principal.role is Role.MERCHANT_CASHIER
    assert principal.accounts == {"bakery"}
    assert not principal.may_move_from("issuance")


def test_sign_in_refuses_an_unknown_user_without_counting_against_a_user(
    database: Database, clock: SteppingClock
) -> None:
    new_user(database, clock)
    with pytest.raises(InvalidCredentials):
        sign_in(database, "nobody", PASSWORD, clock=clock, policy=LoginPolicy())
    row = database.read(lambda conn: conn.execute(users.select()).one())
    assert row.failed_logins == 0


def test_the_migrated_schema_matches_the_sign_in_names_table(database: Database) -> None:
    with database.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, metadata)
    assert [diff for diff in differences if table_of(diff) == sign_in_names.name] == []
