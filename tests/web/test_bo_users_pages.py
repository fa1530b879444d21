"""The back-office's users and API keys over the demonstration, on each engine: the list
shows what the books hold, each form changes a user or a key as its act would (read back
through the API, or by signing in), a drawn password or a key's secret is shown once, and
bad input or a form the role may not send changes nothing."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape

from api import i18n
from monnaie_locale.auth import Role
from tests.web.conftest import BASE, PASSWORDS, Site, csrf

FR = {key: str(escape(text)) for key, text in i18n.texts("fr").items()}
NEW_PASSWORD = "quincaillerie du coin 2026"


def api(site: Site, username: str = "admin", password: str | None = None) -> Any:
    """The API's client and headers for ``username``; None when they cannot sign in."""
    client = TestClient(site.app, base_url=BASE)
    login = client.post(
        "/v1/auth/login",
        json={"username": username, "password": password or PASSWORDS[username]},
    )
    if login.status_code != 200:
        return None
    return client, {"Authorization": f"Bearer {login.json()['token']}"}


def user(site: Site, username: str) -> dict[str, Any] | None:
    client, headers = api(site)
    answer = client.get(f"/v1/users/{username}", headers=headers)
    return answer.json() if answer.status_code == 200 else None


def _code(answer: Any) -> str | None:
    found = re.search(r'data-code="([a-z_]+)"', answer.text)
    return found.group(1) if found else None


def post(browser: TestClient, path: str, **fields: str) -> Any:
    return browser.post(path, data={"csrf": csrf(browser), **fields}, follow_redirects=False)


def users_state(site: Site) -> list[Any]:
    client, headers = api(site)
    answer = client.get("/v1/users", headers=headers)
    return sorted(
        (u["username"], u["role"], u["active"], tuple(sorted(u["accounts"])))
        for u in answer.json()["items"]
    )


def test_the_list_shows_each_user_s_role_state_and_accounts(site: Site) -> None:
    page = site.as_role(Role.ADMIN).get("/gestion/utilisateurs")

    assert page.status_code == 200, page.text
    row = re.search(r'<tr id="user-alice">(.*?)</tr>', page.text, re.S)
    assert row, page.text
    assert FR["role_member"] in row.group(1) and FR["bo_users_active"] in row.group(1)
    assert "member:alice" in row.group(1)
    assert all(f'id="user-{name}"' in page.text for name in PASSWORDS)


@pytest.mark.parametrize("role", [Role.ASSOCIATION_OPERATOR, Role.AUDITOR])
def test_only_the_administrator_opens_the_users(site: Site, role: Role) -> None:
    answer = site.as_role(role).get("/gestion/utilisateurs")

    assert (answer.status_code, _code(answer)) == (403, "role_forbidden")


def test_the_administrator_creates_a_user_with_a_password_and_an_account(site: Site) -> None:
    browser = site.as_role(Role.ADMIN)

    answer = post(
        browser,
        "/gestion/utilisateurs",
        username="claire",
        role="member",
        account="member:bob",
        password=NEW_PASSWORD,
    )

    assert answer.status_code == 303, answer.text
    claire = user(site, "claire")
    assert claire and (claire["role"], claire["active"], claire["accounts"]) == (
        "member",
        True,
        ["member:bob"],
    )
    assert api(site, "claire", NEW_PASSWORD) is not None
    assert 'id="user-claire"' in browser.get(answer.headers["location"]).text


def test_a_password_left_empty_is_drawn_and_shown_once(site: Site) -> None:
    browser = site.as_role(Role.ADMIN)

    answer = post(browser, "/gestion/utilisateurs", username="claire", role="auditor")

    assert answer.status_code == 200, answer.text
    secret = re.search(r'<code id="secret">([^<]+)</code>', answer.text)
    assert secret and len(secret.group(1)) >= 10
    assert api(site, "claire", secret.group(1)) is not None
    assert secret.group(1) not in browser.get("/gestion/utilisateurs").text


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"username": "alice", "role": "member", "password": NEW_PASSWORD}, "duplicate_user"),
        ({"username": "claire", "role": "king", "password": NEW_PASSWORD}, "invalid_request"),
        ({"username": "claire", "role": "member", "password": "short"}, None),
        (
            {
                "username": "claire",
                "role": "member",
                "account": "nowhere",
                "password": NEW_PASSWORD,
            },
            "unknown_account",
        ),
    ],
    ids=["duplicate", "role", "password", "account"],
)
def test_a_bad_user_is_refused_and_nobody_is_created(
    site: Site, fields: dict[str, str], code: str | None
) -> None:
    browser = site.as_role(Role.ADMIN)
    before = users_state(site)

    answer = post(browser, "/gestion/utilisateurs", **fields)

    assert answer.status_code in (404, 409, 422), answer.text
    if code is not None:
        assert _code(answer) == code
    assert users_state(site) == before


def test_the_administrator_disables_and_enables_a_user(site: Site) -> None:
    browser = site.as_role(Role.ADMIN)
    alice = site.browser("alice")
    assert alice.get("/portefeuille").status_code == 200

    assert post(browser, "/gestion/utilisateurs/alice/desactiver").status_code == 303

    assert user(site, "alice")["active"] is False  # type: ignore[index]
    assert api(site, "alice") is None
    assert alice.get("/portefeuille").status_code == 401  # her session ended at once
    assert post(browser, "/gestion/utilisateurs/alice/reactiver").status_code == 303
    assert user(site, "alice")["active"] is True  # type: ignore[index]
    assert api(site, "alice") is not None


def test_the_administrator_resets_a_password_and_ends_the_sessions(site: Site) -> None:
    browser = site.as_role(Role.ADMIN)
    alice = site.browser("alice")

    answer = post(browser, "/gestion/utilisateurs/alice/mot-de-passe", password=NEW_PASSWORD)

    assert answer.status_code == 303, answer.text
    assert api(site, "alice") is None
    assert api(site, "alice", NEW_PASSWORD) is not None
    assert alice.get("/portefeuille").status_code == 401
    drawn = post(browser, "/gestion/utilisateurs/alice/mot-de-passe")
    secret = re.search(r'<code id="secret">([^<]+)</code>', drawn.text)
    assert secret and api(site, "alice", secret.group(1)) is not None


def test_the_administrator_signs_a_user_out_links_an_account_and_unlocks(site: Site) -> None:
    browser = site.as_role(Role.ADMIN)
    alice = site.browser("alice")

    assert post(browser, "/gestion/utilisateurs/alice/deconnecter").status_code == 303
    assert alice.get("/portefeuille").status_code == 401

    assert (
        post(browser, "/gestion/utilisateurs/alice/comptes", account="member:bob").status_code
        == 303
    )
    assert user(site, "alice")["accounts"] == ["member:alice", "member:bob"]  # type: ignore[index]

    client = TestClient(site.app, base_url=BASE)
    for _ in range(12):
        client.post("/v1/auth/login", json={"username": "bob", "password": "wrong password!"})
    assert user(site, "bob")["locked_until"] is not None  # type: ignore[index]
    page = browser.get("/gestion/utilisateurs")
    assert FR["bo_users_locked"] in page.text
    assert post(browser, "/gestion/utilisateurs/bob/deverrouiller").status_code == 303
    assert user(site, "bob")["locked_until"] is None  # type: ignore[index]


@pytest.mark.parametrize(
    ("path", "fields", "code"),
    [
        ("/gestion/utilisateurs/nobody/desactiver", {}, "unknown_user"),
        ("/gestion/utilisateurs/alice/comptes", {"account": "nowhere"}, "unknown_account"),
        ("/gestion/utilisateurs/alice/comptes", {}, "invalid_request"),
        ("/gestion/utilisateurs/admin/desactiver", {}, "invalid_request"),
        ("/gestion/utilisateurs/alice/mot-de-passe", {"password": "short"}, None),
    ],
    ids=["unknown", "account", "no-account", "self", "short"],
)
def test_a_bad_change_is_refused_and_changes_nothing(
    site: Site, path: str, fields: dict[str, str], code: str | None
) -> None:
    browser = site.as_role(Role.ADMIN)
    before = users_state(site)

    answer = post(browser, path, **fields)

    assert answer.status_code in (404, 422), answer.text
    if code is not None:
        assert _code(answer) == code
    assert users_state(site) == before
    assert api(site, "alice") is not None


@pytest.mark.parametrize("role", [Role.ASSOCIATION_OPERATOR, Role.AUDITOR])
def test_every_user_form_is_refused_to_others_than_the_administrator(
    site: Site, role: Role
) -> None:
    browser = site.as_role(role)
    before = users_state(site)

    for path, fields in (
        ("/gestion/utilisateurs", {"username": "claire", "role": "admin"}),
        ("/gestion/utilisateurs/alice/desactiver", {}),
        ("/gestion/utilisateurs/alice/reactiver", {}),
        ("/gestion/utilisateurs/alice/deverrouiller", {}),
        ("/gestion/utilisateurs/alice/mot-de-passe", {"password": NEW_PASSWORD}),
        ("/gestion/utilisateurs/alice/comptes", {"account": "member:bob"}),
        ("/gestion/utilisateurs/alice/deconnecter", {}),
    ):
        answer = post(browser, path, **fields)
        assert (answer.status_code, _code(answer)) == (403, "role_forbidden"), path

    assert users_state(site) == before
    assert api(site, "alice") is not None


def test_the_association_creates_lists_and_revokes_an_api_key(site: Site) -> None:
    browser = site.as_role(Role.ASSOCIATION_OPERATOR)

    created = post(
        browser,
        "/gestion/utilisateurs/cles-api",
        account="business:boulangerie",
        label="Caisse 2",
    )

    assert created.status_code == 200, created.text
    secret = re.search(r'<code id="secret">([^<]+)</code>', created.text)
    assert secret and secret.group(1).startswith("mlk_")
    terminal = TestClient(site.app, base_url=BASE)
    bearer = {"Authorization": f"Bearer {secret.group(1)}"}
    assert terminal.get("/v1/accounts/business:boulangerie", headers=bearer).status_code == 200
    page = browser.get("/gestion/utilisateurs/cles-api")
    row = re.search(r'<tr id="key-(\d+)">(.*?)</tr>', page.text, re.S)
    assert row and "Caisse 2" in row.group(2) and secret.group(1)[:12] in row.group(2)
    assert secret.group(1) not in page.text

    revoked = post(browser, f"/gestion/utilisateurs/cles-api/{row.group(1)}/revoquer")

    assert revoked.status_code == 303, revoked.text
    assert terminal.get("/v1/accounts/business:boulangerie", headers=bearer).status_code == 401
    assert FR["bo_keys_revoked"] in browser.get("/gestion/utilisateurs/cles-api").text


def test_the_auditor_reads_the_keys_but_creates_and_revokes_none(site: Site) -> None:
    operator = site.as_role(Role.ASSOCIATION_OPERATOR)
    created = post(operator, "/gestion/utilisateurs/cles-api", account="business:boulangerie")
    secret = re.search(r'<code id="secret">([^<]+)</code>', created.text)
    assert secret
    auditor = site.as_role(Role.AUDITOR)

    page = auditor.get("/gestion/utilisateurs/cles-api")
    assert page.status_code == 200
    key_id = re.search(r'<tr id="key-(\d+)">', page.text)
    assert key_id and 'id="create-key"' not in page.text

    for path, fields in (
        ("/gestion/utilisateurs/cles-api", {"account": "business:boulangerie"}),
        (f"/gestion/utilisateurs/cles-api/{key_id.group(1)}/revoquer", {}),
    ):
        answer = post(auditor, path, **fields)
        assert (answer.status_code, _code(answer)) == (403, "role_forbidden"), path
    terminal = TestClient(site.app, base_url=BASE)
    bearer = {"Authorization": f"Bearer {secret.group(1)}"}
    assert terminal.get("/v1/accounts/business:boulangerie", headers=bearer).status_code == 200
    assert len(re.findall(r'<tr id="key-', auditor.get("/gestion/utilisateurs/cles-api").text)) == (
        len(re.findall(r'<tr id="key-', page.text))
    )


@pytest.mark.parametrize(
    ("fields", "status", "code"),
    [
        ({"account": "nowhere"}, 404, "unknown_account"),
        ({}, 422, "invalid_request"),
    ],
    ids=["unknown", "empty"],
)
def test_a_key_for_a_bad_account_is_refused_and_none_is_made(
    site: Site, fields: dict[str, str], status: int, code: str
) -> None:
    browser = site.as_role(Role.ADMIN)
    before = browser.get("/gestion/utilisateurs/cles-api").text.count('<tr id="key-')

    answer = post(browser, "/gestion/utilisateurs/cles-api", **fields)

    assert (answer.status_code, _code(answer)) == (status, code)
    assert browser.get("/gestion/utilisateurs/cles-api").text.count('<tr id="key-') == before
    unknown = post(browser, "/gestion/utilisateurs/cles-api/999999/revoquer")
    assert (unknown.status_code, _code(unknown)) == (404, "unknown_api_key")
