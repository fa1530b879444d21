"""What the answers let out: caching, content sniffing, the client's address, stored keys
and amounts the documented pattern refuses."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from cli.main import app as mlc
from monnaie_locale.auth import Role
from monnaie_locale.config import Settings
from tests.api.conftest import PASSWORD, World
from tests.api.helpers import assert_problem, refused

LOGIN = {"username": "alice", "password": PASSWORD}


def _no_store(response: httpx.Response) -> None:
    assert response.status_code < 300, response.text
    assert response.headers["Cache-Control"] == "no-store"


def test_the_sign_in_answer_is_not_stored(world: World) -> None:
    _no_store(world.client.post("/v1/auth/login", json=LOGIN))


def test_a_new_token_or_api_key_is_not_stored(world: World) -> None:
    changed = world.client.post(
        "/v1/auth/password",
        headers=world.auth(Role.MEMBER),
        json={"current_password": PASSWORD, "new_password": "another long passphrase"},
    )
    _no_store(changed)
    key = world.client.post(
        "/v1/api-keys",
        headers=world.auth(Role.MERCHANT_OWNER),
        json={"account": "bakery", "label": "till 1"},
    )
    _no_store(key)


@pytest.mark.parametrize(
    ("path", "role", "params"),
    [
        ("/v1/accounts/alice/statement", Role.MEMBER, {"format": "csv"}),
        ("/v1/accounts/alice/statement", Role.MEMBER, {}),
        ("/v1/exports/fec", Role.AUDITOR, {}),
        ("/v1/exports/journal.ledger", Role.AUDITOR, {}),
    ],
)
def test_statements_and_exports_are_not_stored(
    world: World, path: str, role: Role, params: dict[str, str]
) -> None:
    _no_store(world.client.get(path, headers=world.auth(role), params=params))


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/healthz"), ("get", "/v1/nowhere"), ("get", "/v1/me"), ("post", "/v1/auth/login")],
)
def test_every_answer_forbids_content_sniffing(world: World, method: str, path: str) -> None:
    response = world.client.request(method, path, json={})
    assert response.headers["X-Content-Type-Options"] == "nosniff"


# The client's address, as the sign-in limit sees it ---------------------------------------


def _attempts(client: TestClient, forwarded_for: list[str]) -> list[int]:
    return [
        client.post(
            "/v1/auth/login",
            json={"username": "nobody", "password": "wrong"},
            headers={"X-Forwarded-For": address},
        ).status_code
        for address in forwarded_for
    ]


def test_forwarded_for_from_an_untrusted_peer_does_not_dodge_the_sign_in_limit(
    world: World,
) -> None:
    app = create_app(Settings(login_attempts_per_minute=2), database=world.database)
    with TestClient(app, client=("127.0.0.1", 50000)) as local:
        answers = _attempts(local, ["203.0.113.1", "203.0.113.2", "203.0.113.3"])
    assert answers == [401, 401, 429]


def test_a_trusted_proxy_names_the_client(world: World) -> None:
    settings = Settings(login_attempts_per_minute=2, trusted_proxies=("10.0.0.2",))
    app = create_app(settings, database=world.database)
    with TestClient(app, client=("10.0.0.2", 50000)) as proxy:
        answers = _attempts(proxy, ["203.0.113.1", "203.0.113.2", "203.0.113.3"])
    assert answers == [401, 401, 401]


def test_serve_leaves_forwarded_headers_to_the_application(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    import uvicorn

    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: calls.append(kwargs))
    database = f"sqlite:///{tmp_path / 'books.db'}"
    result = CliRunner().invoke(mlc, ["--database", database, "--lang", "en", "serve"])
    assert result.exit_code == 0, result.output
    assert [call["proxy_headers"] for call in calls] == [False]


def test_a_bad_trusted_proxy_is_refused() -> None:
    with pytest.raises(ValueError, match="MLC_TRUSTED_PROXIES"):
        Settings(trusted_proxies=("proxy.example",))


# What the refusals say ---------------------------------------------------------------------


def _pay(world: World, amount: str, key: str) -> httpx.Response:
    body = {"payer": "alice", "payee": "bakery", "amount": amount}
    headers = world.auth(Role.MEMBER) | {"Idempotency-Key": key}
    response: httpx.Response = world.client.post("/v1/transfers", headers=headers, json=body)
    return response


def test_an_idempotency_conflict_does_not_show_how_keys_are_stored(world: World) -> None:
    assert _pay(world, "1.00", "k2").status_code == 201
    body = refused(world.database, 409, "idempotency_conflict", lambda: _pay(world, "2.00", "k2"))
    assert "|" not in str(body["detail"])
    assert "user:" not in str(body["detail"])


@pytest.mark.parametrize("amount", [" 12.50", "12.50 ", "12.50\n", "\t1", "12.50\r\n"])
def test_an_amount_with_spaces_around_it_is_refused(world: World, amount: str) -> None:
    body = refused(world.database, 422, "validation_failed", lambda: _pay(world, amount, "k3"))
    assert "amount" in str(body["detail"])


def test_the_refused_amounts_fail_the_documented_pattern(world: World) -> None:
    import re

    document = world.client.get("/openapi.json").json()
    pattern = document["components"]["schemas"]["TransferIn"]["properties"]["amount"]["pattern"]
    # JSON Schema patterns are ECMA-262: there, "$" matches only at the very end.
    ecma = re.compile(pattern.replace("$", r"\Z"))
    assert ecma.search("12.50")
    for amount in (" 12.50", "12.50\n", "0", "0.00", "-1"):
        assert not ecma.search(amount), amount
    assert_problem(_pay(world, "0.00", "k4"), 422, "validation_failed")
