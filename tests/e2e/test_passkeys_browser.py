"""Passkeys in a real browser: Chromium's virtual authenticator registers one through
``/assets/checkout/passkeys.js`` and the JSON routes, then signs in with it, no name typed.

Debian's chromium runs headless against a uvicorn server on a free loopback port. The
page is reached as ``http://localhost:<port>``: browsers allow passkeys on localhost
without TLS, and the settings' public host is that host, so the origin the browser signs
is the one the service expects.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.app import create_app
from monnaie_locale.auth import Role, create_user
from monnaie_locale.clock import utc_now
from monnaie_locale.config import Settings
from monnaie_locale.store import connect, migrate
from tests.e2e.support import live_server
from tests.e2e.web_support import add_virtual_authenticator
from tests.support import standard_ledger

PASSWORD = "correct horse battery staple"
BASE = "/v1/auth/passkeys"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'passkeys.db'}"
    database = connect(url)
    migrate(database)
    standard_ledger(database, clock=utc_now)
    database.write(
        lambda conn: create_user(conn, "alice", password=PASSWORD, role=Role.MEMBER, now=utc_now())
    )
    settings = Settings(database_url=url, webhook_poll_seconds=3600)
    app = create_app(settings, database=database)
    with live_server(app) as base:
        # The port is known once the server listens: the public host follows it.
        local = base.replace("127.0.0.1", "localhost")
        host = local.removeprefix("http://")
        app.state.settings = settings.model_copy(update={"public_host": host})
        yield local
    database.dispose()


@pytest.fixture
def page(server: str, browser: Any) -> Iterator[Any]:
    context = browser.new_context()
    page = context.new_page()
    add_virtual_authenticator(page)
    page.goto(server + "/checkout")
    page.add_script_tag(url="/assets/checkout/passkeys.js")
    yield page
    context.close()


def _password_token(server: str) -> str:
    response = httpx.post(
        server + "/v1/auth/login", json={"username": "alice", "password": PASSWORD}
    )
    token: str = response.json()["token"]
    return token


def test_a_passkey_made_in_the_browser_signs_in_without_a_name(server: str, page: Any) -> None:
    token = _password_token(server)
    kept = page.evaluate(
        """([base, token]) => window.mlcPasskeys.register(
            base + "/register/options", base + "/register", "this laptop",
            {Authorization: "Bearer " + token})""",
        [BASE, token],
    )
    assert kept["name"] == "this laptop"

    signed_in = page.evaluate(
        """(base) => window.mlcPasskeys.signIn(base + "/sign-in/options", base + "/sign-in")""",
        BASE,
    )

    assert set(signed_in) == {"token", "token_type", "expires_at"}
    me = httpx.get(server + "/v1/me", headers={"Authorization": f"Bearer {signed_in['token']}"})
    assert me.json()["name"] == "alice"
    listed = httpx.get(server + BASE, headers={"Authorization": f"Bearer {token}"}).json()
    assert [(p["name"], p["last_used_at"] is not None) for p in listed] == [("this laptop", True)]


def test_a_revoked_passkey_is_refused_as_a_wrong_password(server: str, page: Any) -> None:
    token = _password_token(server)
    auth = {"Authorization": f"Bearer {token}"}
    kept = page.evaluate(
        """([base, headers]) => window.mlcPasskeys.register(
            base + "/register/options", base + "/register", "laptop", headers)""",
        [BASE, auth],
    )
    assert httpx.delete(f"{server}{BASE}/{kept['id']}", headers=auth).status_code == 204

    refusal = page.evaluate(
        """(base) => window.mlcPasskeys.signIn(base + "/sign-in/options", base + "/sign-in")
            .then(() => null, (error) => [error.name, error.code, error.status])""",
        BASE,
    )

    assert refusal == ["PasskeyError", "invalid_credentials", 401]
