"""The passkey routes: register, list, revoke, and sign in as POST /v1/auth/login does.

The software authenticator of tests.passkey_support answers, from the origin the
settings give (their public host): the API checks it as a browser's answer.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from monnaie_locale.acts.passkeys import relying_party
from monnaie_locale.auth import Role
from monnaie_locale.config import Settings
from monnaie_locale.store.tables_auth import auth_tokens
from monnaie_locale.store.tables_passkeys import passkey_challenges, passkeys
from tests.api.conftest import World
from tests.api.helpers import assert_problem
from tests.passkey_support import SoftAuthenticator
from tests.support import count_rows

BASE = "/v1/auth/passkeys"


@pytest.fixture
def settings() -> Settings:
    return Settings(max_body_bytes=4096, login_attempts_per_minute=1000, public_host="testserver")


@pytest.fixture
def authenticator(settings: Settings) -> SoftAuthenticator:
    party = relying_party(settings)
    return SoftAuthenticator(party.id, party.origin)


def register(
    world: World, authenticator: SoftAuthenticator, *, role: Role = Role.MEMBER, name: str = "phone"
) -> httpx.Response:
    options = world.client.post(f"{BASE}/register/options", headers=world.auth(role))
    assert options.status_code == 200, options.text
    body = {"name": name, "credential": authenticator.create(options.json())}
    return world.client.post(f"{BASE}/register", headers=world.auth(role), json=body)


def sign_in_options(world: World, body: dict[str, Any] | None = None) -> dict[str, Any]:
    response = world.client.post(f"{BASE}/sign-in/options", json=body)
    assert response.status_code == 200, response.text
    options: dict[str, Any] = response.json()
    return options


def sign_in(world: World, answer: dict[str, Any]) -> httpx.Response:
    return world.client.post(f"{BASE}/sign-in", json={"credential": answer})


def test_a_passkey_registered_through_the_api_signs_its_user_in(
    world: World, authenticator: SoftAuthenticator
) -> None:
    created = register(world, authenticator, name="my phone")
    assert created.status_code == 201, created.text
    assert created.json()["name"] == "my phone"
    listed = world.client.get(BASE, headers=world.auth(Role.MEMBER)).json()
    assert [(p["id"], p["name"], p["transports"]) for p in listed] == [
        (created.json()["id"], "my phone", ["internal"])
    ]

    response = sign_in(world, authenticator.get(sign_in_options(world)))

    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"token", "token_type", "expires_at"}  # as POST /v1/auth/login
    assert response.headers["Cache-Control"] == "no-store"
    me = world.client.get("/v1/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.json()["name"] == "alice"
    assert world.client.get(BASE, headers=world.auth(Role.MEMBER)).json()[0]["last_used_at"]


def test_the_options_are_webauthn_s_in_base64url(world: World) -> None:
    options = world.client.post(f"{BASE}/register/options", headers=world.auth(Role.AUDITOR))
    body = options.json()
    assert body["rp"] == {"id": "testserver", "name": "monnaie-locale"}
    assert body["user"]["name"] == "auditor"
    assert "=" not in body["challenge"] and len(body["challenge"]) == 43
    named = sign_in_options(world, {"username": "alice"})
    assert len(named["allowCredentials"]) == 1  # a decoy: alice has no passkey
    assert (
        "allowCredentials" not in sign_in_options(world)
        or not sign_in_options(world)["allowCredentials"]
    )


def test_a_failed_sign_in_answers_as_a_wrong_password(
    world: World, authenticator: SoftAuthenticator
) -> None:
    register(world, authenticator)
    wrong_password = assert_problem(
        world.client.post("/v1/auth/login", json={"username": "alice", "password": "nope"}),
        401,
        "invalid_credentials",
    )
    tokens = count_rows(world.database, auth_tokens)
    options = sign_in_options(world)
    answers = {
        "another origin": authenticator.get(options, origin="https://evil.example"),
        "replayed": authenticator.get(options),
        "a stranger": SoftAuthenticator("testserver", "https://testserver").get(
            sign_in_options(world)
        ),
    }
    replayed = answers.pop("replayed")
    assert sign_in(world, authenticator.get(sign_in_options(world))).status_code == 200
    tokens += 1
    answers["replayed"] = replayed
    answers["counter behind"] = authenticator.get(sign_in_options(world), counter=1)
    for what, answer in answers.items():
        refused = assert_problem(sign_in(world, answer), 401, "invalid_credentials")
        assert refused["detail"] == wrong_password["detail"], what
    assert count_rows(world.database, auth_tokens) == tokens


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"credential": "not an object"},
        {"credential": {"id": "a", "rawId": "a", "type": "public-key"}},
        {"credential": {"id": "a", "rawId": "a", "type": "password", "response": {}}},
        {
            "credential": {
                "id": "a+b/",
                "rawId": "a",
                "type": "public-key",
                "response": {
                    "clientDataJSON": "eyJ9",
                    "authenticatorData": "A" * 50,
                    "signature": "AA",
                },
            }
        },
        {"credential": {"id": "a" * 2000, "rawId": "a", "type": "public-key", "response": {}}},
    ],
)
def test_garbage_is_a_422_naming_the_field(world: World, body: dict[str, Any]) -> None:
    tokens = count_rows(world.database, auth_tokens)
    problem = assert_problem(
        world.client.post(f"{BASE}/sign-in", json=body), 422, "validation_failed"
    )
    assert problem["errors"]
    assert count_rows(world.database, auth_tokens) == tokens


def test_a_body_too_large_is_refused_before_it_is_read(world: World) -> None:
    answer = {"id": "a", "rawId": "a", "type": "public-key", "response": {}}
    response = world.client.post(
        f"{BASE}/sign-in", json={"credential": answer, "padding": "x" * 5000}
    )
    assert response.status_code == 413


def test_well_formed_nonsense_is_the_wrong_password_refusal(world: World) -> None:
    answer = {
        "id": "AAAA",
        "rawId": "AAAA",
        "type": "public-key",
        "response": {
            "clientDataJSON": "eyJ0eXBlIjoid2ViYXV0aG4uZ2V0In0",
            "authenticatorData": "A" * 60,
            "signature": "AAAA",
        },
        "clientExtensionResults": {},
    }
    assert_problem(sign_in(world, answer), 401, "invalid_credentials")


def test_a_registration_answer_for_another_site_is_refused(world: World) -> None:
    phishing = SoftAuthenticator("testserver", "https://testserver.evil")
    problem = assert_problem(register(world, phishing), 422, "passkey_not_registered")
    assert "again" in str(problem["detail"])
    assert count_rows(world.database, passkeys) == 0


def test_a_passkey_is_revoked_by_its_owner_only(
    world: World, authenticator: SoftAuthenticator
) -> None:
    passkey_id = register(world, authenticator).json()["id"]

    assert_problem(
        world.client.delete(f"{BASE}/{passkey_id}", headers=world.as_bob()), 404, "unknown_passkey"
    )
    assert len(world.client.get(BASE, headers=world.auth(Role.MEMBER)).json()) == 1
    assert world.client.get(BASE, headers=world.as_bob()).json() == []

    revoked = world.client.delete(f"{BASE}/{passkey_id}", headers=world.auth(Role.MEMBER))
    assert revoked.status_code == 204
    assert world.client.get(BASE, headers=world.auth(Role.MEMBER)).json() == []
    assert_problem(
        sign_in(world, authenticator.get(sign_in_options(world))), 401, "invalid_credentials"
    )
    assert_problem(
        world.client.delete(f"{BASE}/{passkey_id}", headers=world.auth(Role.MEMBER)),
        404,
        "unknown_passkey",
    )


def test_a_terminal_s_api_key_has_no_passkeys(world: World) -> None:
    created = world.client.post(
        "/v1/api-keys", headers=world.auth(Role.MERCHANT_OWNER), json={"account": "bakery"}
    )
    key = {"Authorization": f"Bearer {created.json()['secret']}"}
    challenges = count_rows(world.database, passkey_challenges)

    assert_problem(
        world.client.post(f"{BASE}/register/options", headers=key), 422, "invalid_request"
    )
    assert_problem(world.client.get(BASE, headers=key), 422, "invalid_request")
    assert_problem(world.client.delete(f"{BASE}/1", headers=key), 422, "invalid_request")
    assert count_rows(world.database, passkey_challenges) == challenges


def test_a_name_with_control_characters_is_refused(
    world: World, authenticator: SoftAuthenticator
) -> None:
    assert_problem(register(world, authenticator, name="bad\x00name"), 422, "validation_failed")
    assert count_rows(world.database, passkeys) == 0


def test_signing_in_counts_toward_the_limit_per_address(world: World) -> None:
    limited = Settings(login_attempts_per_minute=2, public_host="testserver")
    with TestClient(create_app(limited, database=world.database, clock=world.clock)) as client:
        assert client.post(f"{BASE}/sign-in/options").status_code == 200
        answer = {"credential": {"id": "AA", "rawId": "AA", "type": "public-key"}}
        assert client.post(f"{BASE}/sign-in", json=answer).status_code == 422  # shape first
        assert client.post(f"{BASE}/sign-in/options").status_code == 200
        refused = client.post(f"{BASE}/sign-in/options")
        assert_problem(refused, 429, "too_many_attempts")
        assert refused.headers["Retry-After"]


def test_the_page_script_is_served_with_the_checkout_assets(world: World) -> None:
    script = world.client.get("/assets/checkout/passkeys.js")
    assert script.status_code == 200
    assert script.headers["content-type"].startswith("text/javascript")
    assert "window.mlcPasskeys" in script.text
