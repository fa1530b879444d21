"""Changing one's own password, and the administrator's users: create, list, link,
sign out, reset, disable, enable, unlock. Every refusal changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import Connection, select

from monnaie_locale.auth import Role
from monnaie_locale.store.tables_auth import auth_tokens, user_accounts, users
from tests.api.conftest import PASSWORD, World
from tests.api.helpers import assert_problem, refused

NEW_PASSWORD = "a brand new passphrase"
WRONG = "not the right password"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def login(world: World, username: str, password: str) -> httpx.Response:
    response: httpx.Response = world.client.post(
        "/v1/auth/login", json={"username": username, "password": password}
    )
    return response


def people(world: World) -> tuple[Any, ...]:
    """Everything a users route could change: users, the accounts they hold, tokens."""

    def read(conn: Connection) -> tuple[Any, ...]:
        return (
            conn.execute(select(users).order_by(users.c.id)).all(),
            conn.execute(
                select(user_accounts).order_by(
                    user_accounts.c.user_id, user_accounts.c.account_code
                )
            ).all(),
            conn.execute(
                select(auth_tokens.c.id, auth_tokens.c.revoked_at).order_by(auth_tokens.c.id)
            ).all(),
        )

    return world.database.read(read)


def refused_quietly(
    world: World, status: int, code: str, call: Callable[[], httpx.Response]
) -> dict[str, object]:
    """Refused with this problem, and neither the ledger nor the users moved."""
    before = people(world)
    body = refused(world.database, status, code, call)
    assert people(world) == before, "a refused request changed the users"
    return body


def change_password(world: World, token: str, current: str, new: str) -> httpx.Response:
    response: httpx.Response = world.client.post(
        "/v1/auth/password",
        headers=bearer(token),
        json={"current_password": current, "new_password": new},
    )
    return response


def admin_post(world: World, path: str, body: dict[str, Any] | None = None) -> httpx.Response:
    response: httpx.Response = world.client.post(path, headers=world.auth(Role.ADMIN), json=body)
    return response


# Changing one's own password ---------------------------------------------------------------


def test_a_password_change_returns_a_fresh_token_and_revokes_every_other(world: World) -> None:
    old = world.tokens[Role.MEMBER]
    other_session = login(world, "alice", PASSWORD).json()["token"]

    response = change_password(world, old, PASSWORD, NEW_PASSWORD)

    assert response.status_code == 200, response.text
    fresh = response.json()["token"]
    assert fresh not in (old, other_session)
    assert world.client.get("/v1/me", headers=bearer(fresh)).json()["name"] == "alice"
    for revoked in (old, other_session):
        assert_problem(
            world.client.get("/v1/me", headers=bearer(revoked)), 401, "not_authenticated"
        )


def test_after_a_change_only_the_new_password_signs_in(world: World) -> None:
    assert change_password(world, world.tokens[Role.MEMBER], PASSWORD, NEW_PASSWORD).is_success
    assert_problem(login(world, "alice", PASSWORD), 401, "invalid_credentials")
    assert login(world, "alice", NEW_PASSWORD).status_code == 200


def test_a_wrong_current_password_is_refused_and_counted_as_a_failure(world: World) -> None:
    token = world.tokens[Role.MEMBER]
    before = people(world)

    body = refused(
        world.database,
        403,
        "wrong_password",
        lambda: change_password(world, token, WRONG, NEW_PASSWORD),
    )

    assert "current password" in str(body["detail"])
    after = people(world)
    assert after[1:] == before[1:], "accounts held or tokens changed"
    alice = world.user_ids["alice"]
    old_row = next(row for row in before[0] if row.id == alice)
    new_row = next(row for row in after[0] if row.id == alice)
    assert new_row.password_hash == old_row.password_hash
    assert new_row.failed_logins == old_row.failed_logins + 1
    assert world.client.get("/v1/me", headers=bearer(token)).status_code == 200


def test_wrong_current_passwords_count_as_failed_sign_ins_and_lock(world: World) -> None:
    token = world.tokens[Role.MEMBER]
    for _ in range(4):
        assert_problem(change_password(world, token, WRONG, NEW_PASSWORD), 403, "wrong_password")
    assert_problem(change_password(world, token, WRONG, NEW_PASSWORD), 429, "credential_locked")
    # Locked: even the right current password waits, and so does sign-in.
    assert_problem(change_password(world, token, PASSWORD, NEW_PASSWORD), 429, "credential_locked")
    assert_problem(login(world, "alice", PASSWORD), 429, "credential_locked")


@pytest.mark.parametrize(
    ("new", "code"),
    # Too short, as the document's minLength says; the same as the current one.
    [("short", "validation_failed"), (PASSWORD, "weak_password")],
    ids=["too-short", "unchanged"],
)
def test_a_weak_new_password_is_refused_and_changes_nothing(
    world: World, new: str, code: str
) -> None:
    token = world.tokens[Role.MEMBER]
    refused_quietly(world, 422, code, lambda: change_password(world, token, PASSWORD, new))
    assert world.client.get("/v1/me", headers=bearer(token)).status_code == 200


def test_a_password_change_without_the_current_password_is_invalid(world: World) -> None:
    refused_quietly(
        world,
        422,
        "validation_failed",
        lambda: world.client.post(
            "/v1/auth/password",
            headers=world.auth(Role.MEMBER),
            json={"new_password": NEW_PASSWORD},
        ),
    )


def test_an_api_key_has_no_password_to_change(world: World) -> None:
    created = world.client.post(
        "/v1/api-keys", headers=world.auth(Role.MERCHANT_OWNER), json={"account": "bakery"}
    )
    key = created.json()["secret"]
    refused_quietly(
        world,
        422,
        "invalid_request",
        lambda: change_password(world, key, PASSWORD, NEW_PASSWORD),
    )


def test_every_role_may_change_its_own_password(world: World) -> None:
    for role in (Role.MERCHANT_CASHIER, Role.AUDITOR, Role.ADMIN):
        response = change_password(world, world.tokens[role], PASSWORD, NEW_PASSWORD)
        assert response.status_code == 200, (role, response.text)


# Creating users ----------------------------------------------------------------------------


def test_the_administrator_creates_a_user_who_signs_in_and_holds_the_accounts(
    world: World,
) -> None:
    response = admin_post(
        world,
        "/v1/users",
        {"username": "carol", "role": "member", "password": NEW_PASSWORD, "accounts": ["bob"]},
    )

    assert response.status_code == 201, response.text
    assert response.json() == {
        "username": "carol",
        "role": "member",
        "active": True,
        "locked_until": None,
        "accounts": ["bob"],
    }
    token = login(world, "carol", NEW_PASSWORD).json()["token"]
    assert world.client.get("/v1/me", headers=bearer(token)).json()["accounts"] == ["bob"]


def test_a_taken_username_is_refused(world: World) -> None:
    refused_quietly(
        world,
        409,
        "duplicate_user",
        lambda: admin_post(
            world, "/v1/users", {"username": "bob", "role": "admin", "password": NEW_PASSWORD}
        ),
    )


def test_an_unknown_account_creates_no_user(world: World) -> None:
    refused_quietly(
        world,
        404,
        "unknown_account",
        lambda: admin_post(
            world,
            "/v1/users",
            {
                "username": "carol",
                "role": "member",
                "password": NEW_PASSWORD,
                "accounts": ["bob", "nowhere"],
            },
        ),
    )


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"username": "Carol", "role": "member", "password": NEW_PASSWORD}, "validation_failed"),
        ({"username": "carol", "role": "king", "password": NEW_PASSWORD}, "validation_failed"),
        ({"username": "carol", "role": "member", "password": "short"}, "validation_failed"),
        (
            {"username": "carol", "role": "member", "password": NEW_PASSWORD, "admin": True},
            "validation_failed",
        ),
    ],
    ids=["upper-case-name", "unknown-role", "weak-password", "unknown-field"],
)
def test_bad_user_bodies_are_refused(world: World, body: dict[str, Any], code: str) -> None:
    refused_quietly(world, 422, code, lambda: admin_post(world, "/v1/users", body))


@pytest.mark.parametrize("role", [Role.ASSOCIATION_OPERATOR, Role.AUDITOR, Role.MEMBER])
def test_only_the_administrator_creates_users(world: World, role: Role) -> None:
    refused_quietly(
        world,
        403,
        "role_forbidden",
        lambda: world.client.post(
            "/v1/users",
            headers=world.auth(role),
            json={"username": "carol", "role": "admin", "password": NEW_PASSWORD},
        ),
    )


# Listing -----------------------------------------------------------------------------------


def walk_users(world: World, *, limit: int) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        params: dict[str, str | int] = {"limit": limit}
        if cursor is not None:
            params["cursor"] = cursor
        response = world.client.get("/v1/users", headers=world.auth(Role.ADMIN), params=params)
        assert response.status_code == 200, response.text
        page = response.json()
        assert len(page["items"]) <= limit
        found.extend(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            return found


def test_pages_list_every_user_once_with_role_and_accounts(world: World) -> None:
    listed = walk_users(world, limit=3)

    assert sorted(user["username"] for user in listed) == sorted(world.user_ids)
    by_name = {user["username"]: user for user in listed}
    assert by_name["baker"]["role"] == "merchant_owner"
    assert by_name["baker"]["accounts"] == ["bakery"]
    assert by_name["admin"]["accounts"] == []
    assert all("password" not in key for user in listed for key in user)


def test_one_page_holds_everyone_when_the_limit_allows(world: World) -> None:
    assert len(walk_users(world, limit=500)) == len(world.user_ids)


def test_a_foreign_cursor_is_refused(world: World) -> None:
    accounts_cursor = world.client.get(
        "/v1/accounts", headers=world.auth(Role.ADMIN), params={"limit": 1}
    ).json()["next_cursor"]
    for cursor in (accounts_cursor, "bm90LWEtY3Vyc29y"):
        assert_problem(
            world.client.get(
                "/v1/users", headers=world.auth(Role.ADMIN), params={"cursor": cursor}
            ),
            422,
            "invalid_request",
        )


def test_one_user_is_shown_and_an_unknown_one_is_not_found(world: World) -> None:
    shown = world.client.get("/v1/users/clerk", headers=world.auth(Role.ADMIN))
    assert shown.json()["accounts"] == ["town"]
    assert_problem(
        world.client.get("/v1/users/nobody", headers=world.auth(Role.ADMIN)), 404, "unknown_user"
    )


# Linking accounts --------------------------------------------------------------------------


def test_a_linked_account_is_seen_by_the_user_at_once(world: World) -> None:
    bakery = world.client.get("/v1/accounts/bakery", headers=world.as_bob())
    assert_problem(bakery, 403, "not_your_account")

    response = admin_post(world, "/v1/users/bob/accounts", {"account": "bakery"})

    assert response.json()["accounts"] == ["bakery", "bob"]
    assert world.client.get("/v1/accounts/bakery", headers=world.as_bob()).status_code == 200
    # Linking again changes nothing.
    again = admin_post(world, "/v1/users/bob/accounts", {"account": "bakery"})
    assert again.json()["accounts"] == ["bakery", "bob"]


@pytest.mark.parametrize(
    ("path", "account", "status", "code"),
    [
        ("/v1/users/bob/accounts", "nowhere", 404, "unknown_account"),
        ("/v1/users/nobody/accounts", "bob", 404, "unknown_user"),
        ("/v1/users/bob/accounts", "", 422, "validation_failed"),
    ],
    ids=["unknown-account", "unknown-user", "empty-code"],
)
def test_a_bad_link_is_refused(
    world: World, path: str, account: str, status: int, code: str
) -> None:
    refused_quietly(world, status, code, lambda: admin_post(world, path, {"account": account}))


# Signing out, resetting, disabling, unlocking ----------------------------------------------


def test_the_administrator_signs_a_user_out_everywhere(world: World) -> None:
    second = login(world, "bob", PASSWORD).json()["token"]

    response = admin_post(world, "/v1/users/bob/revoke-tokens")

    assert response.json() == {"username": "bob", "revoked": 2}
    for token in (world.bob_token, second):
        assert_problem(world.client.get("/v1/me", headers=bearer(token)), 401, "not_authenticated")
    # Not disabled: bob signs in again.
    assert login(world, "bob", PASSWORD).status_code == 200


def test_a_reset_password_signs_the_user_out_and_replaces_the_old_one(world: World) -> None:
    response = admin_post(world, "/v1/users/bob/password", {"password": NEW_PASSWORD})

    assert response.status_code == 200, response.text
    assert_problem(world.client.get("/v1/me", headers=world.as_bob()), 401, "not_authenticated")
    assert_problem(login(world, "bob", PASSWORD), 401, "invalid_credentials")
    assert login(world, "bob", NEW_PASSWORD).status_code == 200


def test_a_weak_reset_password_changes_nothing(world: World) -> None:
    refused_quietly(
        world,
        422,
        "validation_failed",
        lambda: admin_post(world, "/v1/users/bob/password", {"password": "short"}),
    )


def test_a_disabled_user_is_out_until_enabled_again(world: World) -> None:
    disabled = admin_post(world, "/v1/users/bob/disable")

    assert disabled.json()["active"] is False
    assert_problem(world.client.get("/v1/me", headers=world.as_bob()), 401, "not_authenticated")
    assert_problem(login(world, "bob", PASSWORD), 401, "invalid_credentials")

    enabled = admin_post(world, "/v1/users/bob/enable")

    assert enabled.json()["active"] is True
    assert login(world, "bob", PASSWORD).status_code == 200
    # The sessions that disabling ended stay ended.
    assert_problem(world.client.get("/v1/me", headers=world.as_bob()), 401, "not_authenticated")


def test_disabling_a_merchant_stops_the_terminal_keys_they_made(world: World) -> None:
    created = world.client.post(
        "/v1/api-keys", headers=world.auth(Role.MERCHANT_OWNER), json={"account": "bakery"}
    )
    terminal = {"Authorization": f"Bearer {created.json()['secret']}"}
    assert world.client.get("/v1/me", headers=terminal).status_code == 200

    admin_post(world, "/v1/users/baker/disable")
    assert_problem(world.client.get("/v1/me", headers=terminal), 401, "not_authenticated")

    admin_post(world, "/v1/users/baker/enable")
    assert world.client.get("/v1/me", headers=terminal).status_code == 200


def test_an_administrator_cannot_disable_themselves(world: World) -> None:
    refused_quietly(
        world, 422, "invalid_request", lambda: admin_post(world, "/v1/users/admin/disable")
    )


def test_an_administrator_sets_their_own_password_only_with_the_current_one(
    world: World,
) -> None:
    refused_quietly(
        world,
        422,
        "invalid_request",
        lambda: admin_post(world, "/v1/users/admin/password", {"password": NEW_PASSWORD}),
    )
    assert world.client.get("/v1/me", headers=world.auth(Role.ADMIN)).status_code == 200


def test_unlocking_lifts_the_lock_of_failed_sign_ins(world: World) -> None:
    for _ in range(5):
        login(world, "bob", WRONG)
    assert_problem(login(world, "bob", PASSWORD), 429, "credential_locked")
    assert world.client.get("/v1/users/bob", headers=world.auth(Role.ADMIN)).json()["locked_until"]

    unlocked = admin_post(world, "/v1/users/bob/unlock")

    assert unlocked.json()["locked_until"] is None
    assert login(world, "bob", PASSWORD).status_code == 200


@pytest.mark.parametrize("action", ["revoke-tokens", "disable", "enable", "unlock"])
def test_acting_on_an_unknown_user_is_not_found(world: World, action: str) -> None:
    refused_quietly(
        world, 404, "unknown_user", lambda: admin_post(world, f"/v1/users/nobody/{action}")
    )


def test_a_username_the_core_would_refuse_is_refused_in_the_path(world: World) -> None:
    refused_quietly(
        world, 422, "validation_failed", lambda: admin_post(world, "/v1/users/Bob/disable")
    )
