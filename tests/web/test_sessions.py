"""Signing in and out on the pages: the cookie's guards, the lock after failures, where a
sign-in leads, the language switch."""

from __future__ import annotations

import httpx
from fastapi.testclient import TestClient

from api.web.session import CSRF_COOKIE, SESSION_COOKIE, local_path
from monnaie_locale.auth import Role
from tests.web.conftest import PASSWORDS, USER_OF_ROLE, Site, csrf


def _sign_in(
    site: Site, browser: TestClient, username: str, password: str, **extra: str
) -> httpx.Response:
    return browser.post(
        "/connexion",
        data={"username": username, "password": password, "csrf": csrf(browser), **extra},
        follow_redirects=False,
    )


def test_the_session_cookie_is_out_of_scripts_reach_and_other_sites_posts(site: Site) -> None:
    browser = site.browser()
    answer = _sign_in(site, browser, "alice", PASSWORDS["alice"])
    cookie = next(
        value
        for name, value in answer.headers.multi_items()
        if name == "set-cookie" and value.startswith(SESSION_COOKIE + "=")
    )
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie  # development over plain HTTP; production sets it
    assert answer.headers["location"] == "/portefeuille"


def test_each_role_lands_on_its_own_space(site: Site) -> None:
    landing = {
        Role.MEMBER: "/portefeuille",
        Role.MERCHANT_OWNER: "/commerce",
        Role.MERCHANT_CASHIER: "/commerce",
        Role.ASSOCIATION_OPERATOR: "/gestion",
        Role.AUDITOR: "/gestion",
        Role.ADMIN: "/gestion",
    }
    for role, place in landing.items():
        username = USER_OF_ROLE[role]
        answer = _sign_in(site, site.browser(), username, PASSWORDS[username])
        assert answer.headers["location"] == place, role


def test_a_sign_in_goes_back_to_the_page_asked_for_but_never_to_another_site(site: Site) -> None:
    browser = site.browser()
    answer = _sign_in(site, browser, "alice", PASSWORDS["alice"], next="/annuaire")
    assert answer.headers["location"] == "/annuaire"
    for elsewhere in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        answer = _sign_in(site, site.browser(), "alice", PASSWORDS["alice"], next=elsewhere)
        assert answer.headers["location"] == "/portefeuille", elsewhere
    assert local_path("/commerce?x=1") == "/commerce?x=1"


def test_repeated_wrong_passwords_lock_the_user_as_the_api_does(site: Site) -> None:
    browser = site.browser()
    statuses = [_sign_in(site, browser, "bob", "wrong").status_code for _ in range(6)]
    assert statuses[0] == 401
    answer = _sign_in(site, browser, "bob", PASSWORDS["bob"])
    assert answer.status_code == 429  # the right password too, while the lock lasts
    assert SESSION_COOKIE not in browser.cookies
    assert 'role="alert"' in answer.text


def test_signing_out_revokes_the_token_so_a_copied_cookie_is_worthless(site: Site) -> None:
    browser = site.as_role(Role.MEMBER)
    stolen = browser.cookies.get(SESSION_COOKIE)
    assert (
        browser.post(
            "/deconnexion", data={"csrf": csrf(browser)}, follow_redirects=False
        ).status_code
        == 303
    )
    thief = site.browser()
    thief.cookies.set(SESSION_COOKIE, stolen)
    assert thief.post("/deconnexion", data={"csrf": csrf(thief)}).status_code == 401


def test_the_language_switch_is_kept_and_only_leads_home(site: Site) -> None:
    browser = site.browser()
    assert 'lang="fr"' in browser.get("/").text
    answer = browser.get(
        "/langue/en", params={"suite": "https://evil.example"}, follow_redirects=False
    )
    assert answer.headers["location"] == "/"
    assert 'lang="en"' in browser.get("/").text
    browser.get("/langue/xx")
    assert 'lang="en"' in browser.get("/").text
    assert 'lang="fr"' in browser.get("/?lang=fr").text


def test_the_csrf_cookie_is_made_once_and_kept(site: Site) -> None:
    browser = site.browser()
    first = browser.cookies.get(CSRF_COOKIE)
    browser.get("/")
    assert browser.cookies.get(CSRF_COOKIE) == first


def test_the_manifest_installs_the_wallet_in_the_visitor_s_language(site: Site) -> None:
    browser = site.browser()
    manifest = browser.get("/manifest.webmanifest", headers={"Accept-Language": "en"})
    assert manifest.headers["content-type"].startswith("application/manifest+json")
    body = manifest.json()
    assert (body["start_url"], body["lang"], body["short_name"]) == (
        "/portefeuille",
        "en",
        "Local currency",
    )
    assert browser.get(body["icons"][0]["src"]).status_code == 200
    assert browser.get("/sw.js").headers["content-type"].startswith("text/javascript")
