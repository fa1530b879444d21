"""The web app over the demonstration, on each engine, with a signed-in browser per role.

A :class:`Site` is the app with the demonstration set up on the test's database (SQLite
or PostgreSQL) and a test client per browser; :meth:`Site.browser` signs one in through
the sign-in page, as a person does, so its session and CSRF cookies are the real ones.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from monnaie_locale.acts.demo import set_up_demo
from monnaie_locale.auth import Role
from monnaie_locale.config import Settings
from monnaie_locale.demo import DEMO_USERS
from monnaie_locale.store.database import Database

# One demonstration user per role.
USER_OF_ROLE = {user.role: user.username for user in DEMO_USERS}
PASSWORDS = {user.username: user.password for user in DEMO_USERS}
BASE = "http://testserver"


@dataclass
class Site:
    app: Any
    database: Database

    def browser(self, username: str | None = None) -> TestClient:
        """A browser with its CSRF cookie; signed in as ``username`` when given."""
        client = TestClient(self.app, base_url=BASE)
        client.get("/connexion")
        if username is not None:
            answer = client.post(
                "/connexion",
                data={"username": username, "password": PASSWORDS[username], "csrf": csrf(client)},
                follow_redirects=False,
            )
            assert answer.status_code == 303, answer.text
        return client

    def as_role(self, role: Role) -> TestClient:
        return self.browser(USER_OF_ROLE[role])


def csrf(client: TestClient) -> str:
    token = client.cookies.get("mlc_csrf")
    assert token
    return token


@pytest.fixture
def site(database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    settings = set_up_demo(
        database,
        Settings(
            database_url=str(database.engine.url),
            webhook_poll_seconds=3600,
            jobs_enabled=False,
            login_attempts_per_minute=1000,
        ),
        key_folder=tmp_path,
    )
    yield Site(create_app(settings, database=database), database)
