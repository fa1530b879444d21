"""Signing in and out, token expiry and revocation, the lock after failures, API keys."""

from __future__ import annotations

import logging
from datetime import timedelta

import httpx
import pytest

from monnaie_locale.auth import Role, disable_user, set_password
from monnaie_locale.store.tables_auth import auth_tokens
from tests.api.conftest import PASSWORD, World
from tests.api.helpers import assert_problem, refused
from tests.support import count_rows

WRONG = "not the right password"


def login(world: World, username: str, password: str) -> httpx.Response:
    response: httpx.Response = world.client.post(
        "/v1/auth/login", json={"username": username, "password": password}
    )
    return response


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_login_returns_a_bearer_token_that_identifies_the_user(world: World) -> None:
    response = login(world, "alice", PASSWORD)
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    me = world.client.get("/v1/me", headers=bearer(body["token"]))
    assert me.json() == {"name": "alice", "role": "member", "accounts": ["alice"]}


def test_the_token_is_stored_only_as_a_digest(world: World) -> None:
    token = login(world, "alice", PASSWORD).json()["token"]
    stored = world.database.read(lambda conn: conn.execute(auth_tokens.select()).mappings().all())
    assert stored
    assert all(token not in str(dict(row).values()) for row in stored)


def test_wrong_password_and_unknown_user_get_the_same_answer(world: World) -> None:
    wrong = assert_problem(login(world, "alice", WRONG), 401, "invalid_credentials")
    unknown = assert_problem(login(world, "nobody", WRONG), 401, "invalid_credentials")
    assert wrong["detail"] == unknown["detail"]


def _shape(response: httpx.Response) -> tuple[int, str, list[str], bool]:
    body = response.json()
    return response.status_code, body["code"], sorted(body), "Retry-After" in response.headers


def test_an_unknown_name_gets_the_answers_of_a_known_one_through_the_lock(world: World) -> None:
    known = [_shape(login(world, "alice", WRONG)) for _ in range(7)]
    unknown = [_shape(login(world, "nobody", WRONG)) for _ in range(7)]
    assert unknown == known
    assert [status for status, *_ in known] == [401] * 4 + [429] * 3


def test_a_failed_login_issues_no_token(world: World) -> None:
    before = count_rows(world.database, auth_tokens)
    assert_problem(login(world, "alice", WRONG), 401, "invalid_credentials")
    assert count_rows(world.database, auth_tokens) == before


def test_five_failures_lock_the_user_even_against_the_right_password(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="monnaie_locale.auth"):
        for _ in range(4):
            assert_problem(login(world, "alice", WRONG), 401, "invalid_credentials")
        locked = login(world, "alice", WRONG)
    assert_problem(locked, 429, "credential_locked")
    assert "Retry-After" in locked.headers
    assert any("locked" in record.getMessage() for record in caplog.records)
    assert_problem(login(world, "alice", PASSWORD), 429, "credential_locked")


def test_the_lock_ends_after_the_lockout_period(world: World) -> None:
    for _ in range(5):
        login(world, "alice", WRONG)
    world.clock.advance(timedelta(minutes=16))
    assert login(world, "alice", PASSWORD).status_code == 200


def test_a_success_resets_the_failure_count(world: World) -> None:
    for _ in range(4):
        login(world, "alice", WRONG)
    assert login(world, "alice", PASSWORD).status_code == 200
    for _ in range(4):
        assert_problem(login(world, "alice", WRONG), 401, "invalid_credentials")


def test_one_users_lock_does_not_lock_another(world: World) -> None:
    for _ in range(5):
        login(world, "alice", WRONG)
    assert login(world, "bob", PASSWORD).status_code == 200


def test_logout_revokes_the_token(world: World) -> None:
    token = login(world, "alice", PASSWORD).json()["token"]
    assert world.client.post("/v1/auth/logout", headers=bearer(token)).status_code == 204
    assert_problem(world.client.get("/v1/me", headers=bearer(token)), 401, "not_authenticated")


def test_logout_leaves_the_users_other_sessions_alone(world: World) -> None:
    first = login(world, "alice", PASSWORD).json()["token"]
    second = login(world, "alice", PASSWORD).json()["token"]
    world.client.post("/v1/auth/logout", headers=bearer(first))
    assert world.client.get("/v1/me", headers=bearer(second)).status_code == 200


def test_a_token_expires(world: World) -> None:
    token = login(world, "alice", PASSWORD).json()["token"]
    world.clock.advance(timedelta(hours=13))
    response = world.client.get("/v1/me", headers=bearer(token))
    assert_problem(response, 401, "not_authenticated")
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_changing_the_password_signs_the_user_out_everywhere(world: World) -> None:
    token = login(world, "alice", PASSWORD).json()["token"]
    world.database.write(
        lambda conn: set_password(
            conn, world.user_ids["alice"], password="a brand new passphrase", now=world.clock()
        )
    )
    assert_problem(world.client.get("/v1/me", headers=bearer(token)), 401, "not_authenticated")
    assert_problem(login(world, "alice", PASSWORD), 401, "invalid_credentials")
    assert login(world, "alice", "a brand new passphrase").status_code == 200


def test_a_disabled_user_can_neither_use_a_token_nor_sign_in(world: World) -> None:
    token = login(world, "alice", PASSWORD).json()["token"]
    world.database.write(
        lambda conn: disable_user(conn, world.user_ids["alice"], now=world.clock())
    )
    assert_problem(world.client.get("/v1/me", headers=bearer(token)), 401, "not_authenticated")
    assert_problem(login(world, "alice", PASSWORD), 401, "invalid_credentials")


@pytest.mark.parametrize(
    "header",
    ["Bearer mlt_forged", "Bearer ", "Basic YWxpY2U6cGFzcw==", "Bearer mlk_forged", "garbage"],
)
def test_a_missing_or_forged_credential_is_refused(world: World, header: str) -> None:
    response = world.client.get("/v1/me", headers={"Authorization": header})
    assert_problem(response, 401, "not_authenticated")


def test_logins_from_one_client_are_rate_limited(world: World) -> None:
    world.client.app.state.login_limiter.per_minute = 3  # type: ignore[attr-defined]
    for _ in range(3):
        login(world, "nobody", WRONG)
    response = login(world, "alice", PASSWORD)
    assert_problem(response, 429, "too_many_attempts")
    assert int(response.headers["Retry-After"]) > 0


@pytest.mark.parametrize(
    "body",
    [{"username": "alice"}, {"username": "alice", "password": PASSWORD, "remember": True}, {}],
)
def test_a_malformed_login_is_refused(world: World, body: dict[str, object]) -> None:
    response = world.client.post("/v1/auth/login", json=body)
    assert_problem(response, 422, "validation_failed")


# API keys --------------------------------------------------------------------------


def create_key(world: World, role: Role, account: str) -> httpx.Response:
    response: httpx.Response = world.client.post(
        "/v1/api-keys", headers=world.auth(role), json={"account": account, "label": "till 1"}
    )
    return response


def test_an_owner_creates_a_cashier_key_shown_once(world: World) -> None:
    response = create_key(world, Role.MERCHANT_OWNER, "bakery")
    assert response.status_code == 201
    body = response.json()
    assert body["secret"].startswith(body["prefix"])
    assert body["role"] == "merchant_cashier" and body["account"] == "bakery"
    me = world.client.get("/v1/me", headers=bearer(body["secret"])).json()
    assert me["role"] == "merchant_cashier" and me["accounts"] == ["bakery"]


def test_a_key_reads_its_account_and_nothing_else(world: World) -> None:
    secret = create_key(world, Role.MERCHANT_OWNER, "bakery").json()["secret"]
    assert world.client.get("/v1/accounts/bakery", headers=bearer(secret)).status_code == 200
    response = world.client.get("/v1/accounts/alice", headers=bearer(secret))
    assert_problem(response, 403, "not_your_account")


def test_a_cashier_key_cannot_pay_out(world: World) -> None:
    secret = create_key(world, Role.MERCHANT_OWNER, "bakery").json()["secret"]
    refused(
        world.database,
        403,
        "role_forbidden",
        lambda: world.client.post(
            "/v1/transfers",
            headers=bearer(secret) | {"Idempotency-Key": "k"},
            json={"payer": "bakery", "payee": "bob", "amount": "1.00"},
        ),
    )


def test_a_revoked_key_no_longer_authenticates(world: World) -> None:
    created = create_key(world, Role.MERCHANT_OWNER, "bakery").json()
    revoke = world.client.post(
        f"/v1/api-keys/{created['id']}/revoke", headers=world.auth(Role.MERCHANT_OWNER)
    )
    assert revoke.status_code == 200 and revoke.json()["revoked"] is True
    response = world.client.get("/v1/me", headers=bearer(created["secret"]))
    assert_problem(response, 401, "not_authenticated")


def test_an_owner_cannot_create_a_key_for_an_account_they_do_not_hold(world: World) -> None:
    assert_problem(create_key(world, Role.MERCHANT_OWNER, "town"), 403, "not_your_account")


def test_an_owner_cannot_revoke_another_merchants_key(world: World) -> None:
    created = create_key(world, Role.ADMIN, "town").json()
    response = world.client.post(
        f"/v1/api-keys/{created['id']}/revoke", headers=world.auth(Role.MERCHANT_OWNER)
    )
    assert_problem(response, 403, "not_your_account")
    assert world.client.get("/v1/me", headers=bearer(created["secret"])).status_code == 200


def test_an_api_key_is_not_signed_out(world: World) -> None:
    secret = create_key(world, Role.MERCHANT_OWNER, "bakery").json()["secret"]
    response = world.client.post("/v1/auth/logout", headers=bearer(secret))
    assert_problem(response, 422, "invalid_request")
    assert world.client.get("/v1/me", headers=bearer(secret)).status_code == 200


def test_a_key_for_an_unknown_account_is_refused(world: World) -> None:
    assert_problem(create_key(world, Role.ADMIN, "nowhere"), 404, "unknown_account")


def test_a_username_with_control_characters_is_refused(world: World) -> None:
    assert_problem(login(world, "ali\u0000ce", PASSWORD), 422, "validation_failed")
