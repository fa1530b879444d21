"""A passkey on the pages, in a real browser with Chromium's virtual authenticator: a
member signs in with her password, adds a passkey on /cles, signs out, and signs back in
with the passkey alone, landing on her wallet; then she removes it."""

from __future__ import annotations

from typing import Any

from api import i18n
from tests.e2e.web_support import (
    Screen,
    add_virtual_authenticator,
    api_balance,
    assert_accessible,
    keep_screenshot,
    open_page,
    sign_in,
)


def test_a_member_signs_in_with_a_passkey_she_added(
    chromium: Any, demo_site: str, screen: Screen
) -> None:
    texts = i18n.texts(screen.lang)  # type: ignore[arg-type]
    page, outside = open_page(chromium, demo_site, screen)
    add_virtual_authenticator(page)
    sign_in(page, demo_site, "alice")
    page.goto(demo_site + "/cles")
    assert page.locator("#passkey-none").is_visible()
    assert_accessible(page)
    page.fill("#passkey-name", "Téléphone d'Alice")
    page.click("#add-passkey button[type=submit]")
    page.wait_for_selector("#passkey-list")
    assert "Téléphone d'Alice" in page.locator("#passkey-list").inner_text()
    keep_screenshot(page, "passkeys", screen)

    page.click("header form[action='/deconnexion'] button")
    page.wait_for_load_state()
    page.goto(demo_site + "/connexion")
    assert page.locator("#passkey-sign-in button").inner_text() == texts["passkey_sign_in"]
    page.click("#passkey-sign-in button")
    page.wait_for_url(demo_site + "/portefeuille**")
    # The session is real: the page of her passkeys opens, and shows the one used.
    page.goto(demo_site + "/cles")
    assert texts["passkeys_last_used"] in page.locator("#passkey-list").inner_text()

    page.click("#passkey-list form button")
    page.wait_for_selector("#passkey-none")
    page.click("header form[action='/deconnexion'] button")
    page.goto(demo_site + "/connexion")
    page.click("#passkey-sign-in button")
    page.wait_for_selector("#passkey-sign-in [role=alert]:not([hidden])")
    assert page.url.startswith(demo_site + "/connexion")
    # Signing in moved no money.
    assert api_balance(demo_site, "alice", "member:alice") == 100
    assert outside == []
