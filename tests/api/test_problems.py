"""Errors as RFC 9457 problems: the status mapping, the edges of HTTP, never a 500."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.problems import status_for
from monnaie_locale import errors
from monnaie_locale.auth import Role
from monnaie_locale.auth import errors as auth_errors
from monnaie_locale.config import Settings
from monnaie_locale.errors import InsufficientFunds
from monnaie_locale.i18n import Language, Messages
from monnaie_locale.signing_keys import SigningKeyUnavailable
from monnaie_locale.store import connect
from tests.api.conftest import ALICE_FUNDS, World
from tests.api.helpers import assert_problem, refused


def _all_error_classes() -> list[type[errors.MonnaieLocaleError]]:
    found: list[type[errors.MonnaieLocaleError]] = []
    pending = [errors.MonnaieLocaleError]
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return found


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (errors.InvalidAmount, 422),
        (errors.Unbalanced, 422),
        (errors.UnknownAccount, 404),
        (errors.UnknownHold, 404),
        (errors.InsufficientFunds, 409),
        (errors.IdempotencyConflict, 409),
        (errors.AccountNotActive, 409),
        (auth_errors.NotAuthenticated, 401),
        (auth_errors.InvalidCredentials, 401),
        (auth_errors.RoleForbidden, 403),
        (auth_errors.NotYourAccount, 403),
        (auth_errors.CredentialLocked, 429),
        (auth_errors.DuplicateUser, 409),
        (auth_errors.WeakPassword, 422),
        (errors.InvalidData, 422),
        (errors.DatabaseUnavailable, 503),
        (errors.SchemaMissing, 503),
    ],
)
def test_core_errors_map_to_their_http_status(
    error: type[errors.MonnaieLocaleError], status: int
) -> None:
    assert status_for(error) == status


def test_only_a_broken_journal_is_a_server_error() -> None:
    server_side = {cls for cls in _all_error_classes() if status_for(cls) == 500}
    # A signing key the operator configured wrongly stops the service at start-up; no
    # client request can raise it.
    operator_side = {SigningKeyUnavailable}
    assert server_side == {errors.JournalBroken, errors.MonnaieLocaleError, *operator_side}


def test_only_a_database_that_cannot_serve_is_unavailable() -> None:
    unavailable = {cls for cls in _all_error_classes() if status_for(cls) == 503}
    assert unavailable == {errors.DatabaseUnavailable, errors.SchemaMissing}


def test_every_error_code_of_the_ledger_and_auth_is_distinct() -> None:
    modules = {errors.__name__, auth_errors.__name__}
    codes = [cls.code for cls in _all_error_classes() if cls.__module__ in modules]
    assert len(codes) == len(set(codes))


def test_an_unknown_route_is_a_problem(world: World) -> None:
    response = world.client.get("/v1/nowhere")
    assert_problem(response, 404, "route_not_found")


def test_a_wrong_method_is_a_problem(world: World) -> None:
    response = world.client.delete("/v1/transfers", headers=world.auth(Role.ADMIN))
    assert_problem(response, 405, "method_not_allowed")


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("OPTIONS", "/v1/accounts", "GET, POST"),
        ("DELETE", "/v1/accounts/alice", "GET, PATCH"),
        # The GET of one conversion takes digits only: "card" is the POST route's.
        ("GET", "/v1/conversions/card", "POST"),
    ],
)
def test_a_wrong_method_names_every_method_the_path_answers(
    world: World, method: str, path: str, allowed: str
) -> None:
    response = world.client.request(method, path, headers=world.auth(Role.ADMIN))
    assert_problem(response, 405, "method_not_allowed")
    assert response.headers["Allow"] == allowed


def test_a_body_sent_in_chunks_is_cut_at_the_limit(world: World) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"payer": "alice", "payee": "bakery", "amount": "1.00", "memo": "'
        for _ in range(10):
            yield b"x" * 1000
        yield b'"}'

    headers = world.auth(Role.MEMBER) | {"Idempotency-Key": "k", "Content-Type": "application/json"}
    refused(
        world.database,
        413,
        "body_too_large",
        lambda: world.client.post("/v1/transfers", headers=headers, content=chunks()),
    )


def test_an_unexpected_failure_is_a_500_problem_that_reveals_nothing(world: World) -> None:
    app = world.client.app

    def boom() -> None:
        raise RuntimeError("secret internals")

    app.add_api_route("/boom", boom)  # type: ignore[attr-defined]

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom")
    body = assert_problem(response, 500, "internal_error")
    assert "secret" not in str(body)


def test_health_and_readiness_answer_on_a_migrated_database(world: World) -> None:
    assert world.client.get("/healthz").json() == {"status": "ok"}
    assert world.client.get("/readyz").json() == {"status": "ok"}


def test_readiness_fails_on_a_database_without_the_schema_and_says_to_migrate(
    tmp_path: Path,
) -> None:
    database = connect(f"sqlite:///{tmp_path / 'empty.db'}")
    with TestClient(create_app(Settings(), database=database)) as client:
        assert client.get("/healthz").status_code == 200
        body = assert_problem(client.get("/readyz"), 503, "schema_missing")
    database.dispose()
    assert "mlc db migrate" in str(body["detail"])


def test_an_unreachable_database_is_a_503_that_names_no_server() -> None:
    # Port 1 refuses at once: no server listens there.
    database = connect("postgresql://nobody:secret@127.0.0.1:1/none?connect_timeout=2")
    # Not started as a server (no `with`): the journal's sealer would stop with a last
    # pass against the absent database; only the answers to requests are under test.
    client = TestClient(create_app(Settings(), database=database))
    ready = assert_problem(client.get("/readyz"), 503, "database_unavailable")
    # Through the coroutine path too: the credential is looked up before anything else.
    signed_in = {"Authorization": "Bearer mlc_some-token"}
    listed = assert_problem(
        client.get("/v1/accounts", headers=signed_in), 503, "database_unavailable"
    )
    client.close()
    database.dispose()
    for body in (ready, listed):
        assert "try again later" in str(body["detail"])
        assert "127.0.0.1" not in str(body) and "secret" not in str(body)


def test_the_app_creates_the_folder_of_its_sqlite_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'var' / 'ledger.db'}"
    with TestClient(create_app(Settings(database_url=url))) as client:
        assert client.get("/healthz").status_code == 200
    assert (tmp_path / "var").is_dir()


def _overdraw(world: World, headers: dict[str, str]) -> httpx.Response:
    response: httpx.Response = world.client.post(
        "/v1/transfers",
        json={"payer": "alice", "payee": "bakery", "amount": "100.01"},
        headers={**world.auth(Role.MEMBER), "Idempotency-Key": "overdraw", **headers},
    )
    return response


@pytest.mark.parametrize(("accept", "language"), [("fr-FR,fr;q=0.9,en;q=0.5", "fr"), ("en", "en")])
def test_a_refusal_is_detailed_in_the_language_the_request_prefers(
    world: World, accept: str, language: Language
) -> None:
    response = _overdraw(world, {"Accept-Language": accept})

    body = assert_problem(response, 409, "insufficient_funds")
    separator = Messages(language).decimal_separator
    needed, available = (
        f"{units // 100}{separator}{units % 100:02d}" for units in (10_001, ALICE_FUNDS)
    )
    assert body["detail"] == Messages(language)(
        "error.insufficient_funds", account="alice", needed=needed, available=available
    )
    assert response.headers["content-language"] == language


def test_without_accept_language_the_detail_is_the_error_s_own_message(world: World) -> None:
    response = _overdraw(world, {})

    body = assert_problem(response, 409, "insufficient_funds")
    assert body["detail"] == str(InsufficientFunds("alice", needed=10_001, available=ALICE_FUNDS))
    assert "100.01" in body["detail"]  # as the request wrote it, not in minor units
    assert "minor" not in body["detail"]
    assert response.headers["content-language"] == "en"


def test_the_api_words_an_error_without_the_command_line_s_advice(world: World) -> None:
    response = world.client.get(
        "/v1/accounts/nobody", headers={**world.auth(Role.ADMIN), "Accept-Language": "fr"}
    )

    body = assert_problem(response, 404, "unknown_account")
    assert body["detail"] == Messages("fr")("api.error.unknown_account", account="nobody")
    assert "mlc" not in str(body["detail"])
