"""The acts of users, sessions and API keys: who may, and the same refusal from the core,
the API and ``mlc``; and the first administrator, set up without an actor only once.

Each refused actor gets the act's error code from the route and from the command too,
and nothing changes: no user, no account held, no token, no key, no password.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import Connection, select
from typer.testing import CliRunner

from monnaie_locale.acting import Context
from monnaie_locale.acts import api_keys, sessions, users
from monnaie_locale.auth import Role, resolve_credential
from monnaie_locale.auth.errors import AdministratorExists, NotAuthenticated, WrongPassword
from monnaie_locale.auth.lockout import LoginPolicy
from monnaie_locale.config import Settings
from monnaie_locale.deployment import from_settings
from monnaie_locale.errors import InvalidRequest
from monnaie_locale.store import Database
from monnaie_locale.store.tables import accounts as accounts_table
from monnaie_locale.store.tables_auth import users as users_table
from tests.api.operations_support import STAFF
from tests.cli.conftest import ADMIN, Mlc, add_user, database_url
from tests.support import count_rows, refused

if TYPE_CHECKING:
    # Imported by pytest, as a plugin, so that its assertions are rewritten.
    from tests.acts.edges import Fronts

pytest_plugins = ["tests.acts.edges"]

PASSWORD = "correct horse battery"
NEW = "another long secret"
NOT_ADMINS = [r for r in Role if r is not Role.ADMIN]
POLICY = LoginPolicy(token_ttl=timedelta(hours=1), max_failures=5, lockout=timedelta(minutes=5))


@pytest.fixture
def password_env(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("MLC_TEST_PASSWORD", NEW)
    return "MLC_TEST_PASSWORD"


@pytest.mark.parametrize("role", NOT_ADMINS)
def test_only_an_administrator_creates_a_user(
    fronts: Fronts, role: Role, password_env: str
) -> None:
    body = {"username": "paul", "password": NEW, "role": "admin"}
    error = fronts.refused(
        role,
        lambda ctx: users.create_user(ctx, "paul", password=NEW, role=Role.ADMIN),
        status=403,
        api=lambda: fronts.ops.post(role, "/v1/users", body),
        cli=("users", "create", "paul", "--role", "admin", "--password-env", password_env),
    )
    assert error.code == "role_forbidden"


@pytest.mark.parametrize("role", [Role.MEMBER, Role.ASSOCIATION_OPERATOR, Role.AUDITOR])
def test_only_an_administrator_gives_an_account_to_a_user(fronts: Fronts, role: Role) -> None:
    error = fronts.refused(
        role,
        lambda ctx: users.link_account(ctx, "alice", "bakery"),
        status=403,
        api=lambda: fronts.ops.post(role, "/v1/users/alice/accounts", {"account": "bakery"}),
        cli=("users", "link", "alice", "bakery"),
    )
    assert error.code == "role_forbidden"


@pytest.mark.parametrize("role", [Role.MEMBER, Role.ASSOCIATION_OPERATOR, Role.AUDITOR])
def test_only_an_administrator_lists_and_reads_users(fronts: Fronts, role: Role) -> None:
    listed = fronts.refused(
        role,
        lambda ctx: users.list_users(ctx),
        status=403,
        api=lambda: fronts.ops.get(role, "/v1/users"),
        cli=("users", "list"),
    )
    read = fronts.refused(
        role,
        lambda ctx: users.get_user(ctx, "alice"),
        status=403,
        api=lambda: fronts.ops.get(role, "/v1/users/alice"),
    )
    assert listed.code == read.code == "role_forbidden"


@pytest.mark.parametrize("role", [Role.MEMBER, Role.ASSOCIATION_OPERATOR, Role.AUDITOR])
@pytest.mark.parametrize("change", ["disable", "enable", "unlock", "revoke_tokens"])
def test_only_an_administrator_changes_a_user(fronts: Fronts, role: Role, change: str) -> None:
    act = getattr(users, change)
    error = fronts.refused(
        role,
        lambda ctx: act(ctx, "baker"),
        status=403,
        api=lambda: fronts.ops.post(role, f"/v1/users/baker/{change.replace('_', '-')}"),
        cli=("users", "disable", "baker") if change == "disable" else None,
    )
    assert error.code == "role_forbidden"


@pytest.mark.parametrize("role", [Role.MEMBER, Role.ASSOCIATION_OPERATOR, Role.AUDITOR])
def test_only_an_administrator_resets_a_password(
    fronts: Fronts, role: Role, password_env: str
) -> None:
    error = fronts.refused(
        role,
        lambda ctx: users.reset_password(ctx, "baker", NEW),
        status=403,
        api=lambda: fronts.ops.post(role, "/v1/users/baker/password", {"password": NEW}),
        cli=("users", "password", "baker", "--password-env", password_env),
    )
    assert error.code == "role_forbidden"


def test_an_administrator_neither_resets_their_own_password_nor_disables_themself(
    fronts: Fronts, password_env: str
) -> None:
    admin = STAFF[Role.ADMIN][0]
    reset = fronts.refused(
        Role.ADMIN,
        lambda ctx: users.reset_password(ctx, admin, NEW),
        status=422,
        api=lambda: fronts.ops.post(Role.ADMIN, f"/v1/users/{admin}/password", {"password": NEW}),
        cli=("users", "password", admin, "--password-env", password_env),
    )
    disabled = fronts.refused(
        Role.ADMIN,
        lambda ctx: users.disable(ctx, admin),
        status=422,
        api=lambda: fronts.ops.post(Role.ADMIN, f"/v1/users/{admin}/disable"),
        cli=("users", "disable", admin),
    )
    assert reset.code == disabled.code == "invalid_request"


def test_a_user_created_with_an_unknown_account_is_not_created(fronts: Fronts) -> None:
    body = {"username": "paul", "password": NEW, "role": "member", "accounts": ["alice", "nope"]}
    error = fronts.refused(
        Role.ADMIN,
        lambda ctx: users.create_user(
            ctx, "paul", password=NEW, role=Role.MEMBER, accounts=["alice", "nope"]
        ),
        status=404,
        api=lambda: fronts.ops.post(Role.ADMIN, "/v1/users", body),
    )
    assert error.code == "unknown_account"


def test_a_user_created_from_the_command_line_is_one_the_api_lists(
    fronts: Fronts, password_env: str
) -> None:
    created = fronts.mlc(
        "users", "create", "paul", "--role", "auditor", "--password-env", password_env,
        actor=STAFF[Role.ADMIN][0],
    )  # fmt: skip
    assert created.exit_code == 0, created.output
    listed = fronts.ops.get(Role.ADMIN, "/v1/users/paul")
    assert listed.status_code == 200, listed.text
    assert listed.json()["role"] == "auditor"
    assert users.get_user(fronts.context(Role.ADMIN), "paul").role is Role.AUDITOR


# Sessions and keys ---------------------------------------------------------------------------


def _key_context(fronts: Fronts) -> Context:
    """The acting context of a cashier key the baker made for the bakery."""
    created = api_keys.create_key(fronts.context(Role.MERCHANT_OWNER), "bakery", label="till 1")
    actor = fronts.database.read(
        lambda conn: resolve_credential(conn, created.secret, now=fronts.ops.clock())
    )
    assert actor is not None
    deployment = fronts.context(Role.ADMIN).deployment
    return Context(
        database=fronts.database, actor=actor, deployment=deployment, clock=fronts.ops.clock
    )


def test_an_api_key_neither_signs_out_nor_changes_a_password(fronts: Fronts) -> None:
    ctx = _key_context(fronts)
    before = fronts.state()
    for act in (
        lambda: sessions.sign_out(ctx),
        lambda: sessions.change_password(ctx, current=PASSWORD, new=NEW, policy=POLICY),
    ):
        with pytest.raises(InvalidRequest):
            act()
    assert fronts.state() == before


def test_a_wrong_current_password_is_refused_alike_by_the_act_and_the_route(fronts: Fronts) -> None:
    ctx = fronts.signed_in(Role.MEMBER)
    response = fronts.ops.post(
        Role.MEMBER, "/v1/auth/password", {"current_password": "wrong one!!", "new_password": NEW}
    )
    assert response.status_code == 403, response.text
    with pytest.raises(WrongPassword) as caught:
        sessions.change_password(ctx, current="wrong one!!", new=NEW, policy=POLICY)
    assert caught.value.code == response.json()["code"] == "wrong_password"


@pytest.mark.parametrize(
    ("role", "account", "code"),
    [
        (Role.MEMBER, "alice", "role_forbidden"),
        (Role.MERCHANT_CASHIER, "bakery", "role_forbidden"),
        (Role.AUDITOR, "bakery", "role_forbidden"),
        (Role.MERCHANT_OWNER, "town", "not_your_account"),
    ],
)
def test_a_key_is_made_only_for_an_account_one_moves(
    fronts: Fronts, role: Role, account: str, code: str
) -> None:
    error = fronts.refused(
        role,
        lambda ctx: api_keys.create_key(ctx, account),
        status=403,
        api=lambda: fronts.ops.post(role, "/v1/api-keys", {"account": account}),
    )
    assert error.code == code


def test_a_key_is_revoked_only_by_who_may_move_its_account(fronts: Fronts) -> None:
    created = api_keys.create_key(fronts.context(Role.ASSOCIATION_OPERATOR), "town")
    key_id = created.key.id
    error = fronts.refused(
        Role.MERCHANT_OWNER,
        lambda ctx: api_keys.revoke_key(ctx, key_id),
        status=403,
        api=lambda: fronts.ops.post(Role.MERCHANT_OWNER, f"/v1/api-keys/{key_id}/revoke"),
    )
    assert error.code == "not_your_account"
    revoked = api_keys.revoke_key(fronts.context(Role.ASSOCIATION_OPERATOR), key_id)
    assert revoked.revoked


# The first administrator ---------------------------------------------------------------------


def test_the_first_administrator_is_set_up_once_without_an_actor(database: Database) -> None:
    deployment = from_settings(Settings(), offices=("centre",))
    opened = users.set_up(database, deployment, admin="marie", password=PASSWORD)
    assert opened and count_rows(database, accounts_table) == len(opened)

    error = refused(
        database,
        AdministratorExists,
        lambda: users.set_up(database, deployment, admin="mallory", password=PASSWORD),
    )
    assert error.code == "administrator_exists"
    assert database.read(users_named) == ["marie"]


def users_named(conn: Connection) -> list[str]:
    return list(conn.execute(select(users_table.c.username).order_by(users_table.c.id)).scalars())


def test_mlc_init_creates_the_first_administrator_and_refuses_a_second(
    database: Database, password_env: str
) -> None:
    mlc = Mlc(database_url(database), CliRunner())
    first = mlc("init", "--admin", "marie", "--password-env", password_env, actor=None)
    assert first.exit_code == 0, first.output
    again = mlc("init", "--admin", "mallory", "--password-env", password_env, actor=None)
    assert again.exit_code == 3, again.output
    assert "administrator already" in again.output
    assert database.read(users_named) == ["marie"]


def test_set_up_leaves_nothing_when_its_last_step_fails(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The system accounts are opened first, the administrator last: a failure there
    takes the accounts back with it."""
    deployment = from_settings(Settings(), offices=("centre",))

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the database fails after the accounts")

    monkeypatch.setattr(users.auth_users, "create_user", broken)
    with pytest.raises(RuntimeError):
        users.set_up(database, deployment, admin="marie", password=PASSWORD)
    assert count_rows(database, accounts_table) == 0
    assert database.read(users_named) == []


def test_mlc_init_with_a_bad_office_creates_no_database(tmp_path: Path, password_env: str) -> None:
    target = tmp_path / "new.db"
    mlc = Mlc(f"sqlite:///{target}", CliRunner())
    result = mlc(
        "init", "--admin", "marie", "--office", "bad id", "--password-env", password_env,
        actor=None,
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert "nothing was created" in result.output and "'bad id'" in result.output
    assert not target.exists()


def test_mlc_init_refused_midway_leaves_no_half_made_file(
    tmp_path: Path, password_env: str
) -> None:
    """The administrator's name is refused after the schema is made: the file goes too."""
    target = tmp_path / "new.db"
    mlc = Mlc(f"sqlite:///{target}", CliRunner())
    result = mlc("init", "--admin", "Not A Name", "--password-env", password_env, actor=None)
    assert result.exit_code == 2, result.output
    assert "username" in result.output
    assert not target.exists()
    again = mlc("init", "--admin", "marie", "--password-env", password_env, actor=None)
    assert again.exit_code == 0, again.output


# Acting as a named user: the command line ----------------------------------------------------


def test_the_command_line_acts_as_the_active_user_it_names(database: Database) -> None:
    add_user(database, "claire", Role.AUDITOR)
    actor = sessions.acting_as(database, "claire")
    assert (actor.name, actor.role, actor.accounts) == ("claire", Role.AUDITOR, frozenset())


@pytest.mark.parametrize("disabled", [False, True], ids=["unknown", "disabled"])
def test_a_name_that_is_no_active_users_acts_for_nobody(database: Database, disabled: bool) -> None:
    mlc = Mlc(database_url(database), CliRunner())
    add_user(database, ADMIN, Role.ADMIN)
    if disabled:
        add_user(database, "claire", Role.AUDITOR)
        assert mlc("users", "disable", "claire").exit_code == 0

    error = refused(database, NotAuthenticated, lambda: sessions.acting_as(database, "claire"))
    assert error.code == "not_authenticated"
    result = mlc("audit", "verify", actor="claire")
    assert result.exit_code == 5, result.output
    assert "'claire'" in result.output and "--as USER" in result.output
