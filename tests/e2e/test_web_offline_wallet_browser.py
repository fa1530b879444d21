"""The installable wallet offline: once seen online, the balance and history read without
a network, marked as a copy; nothing can be sent from it, and signing out forgets it."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Error as PlaywrightError

from tests.e2e.web_support import SCREENS, api_balance, demo_password

PHONE = SCREENS[0]


def test_the_wallet_shows_its_last_balance_offline_and_sends_nothing(
    chromium: Any, demo_site: str
) -> None:
    context = chromium.new_context(
        locale="fr-FR",
        viewport={"width": PHONE.width, "height": PHONE.height},
        service_workers="allow",
    )
    page = context.new_page()
    page.goto(demo_site + "/connexion")
    page.fill("#username", "alice")
    page.fill("#password", demo_password("alice"))
    page.click("#sign-in button[type=submit]")
    page.wait_for_url(demo_site + "/portefeuille")
    page.wait_for_function("navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # now under the worker, which keeps the page it fetches
    page.wait_for_function("caches.match('/portefeuille').then((hit) => Boolean(hit))")
    online = page.locator("main").inner_text()
    assert not page.locator("#offline").is_visible()

    context.set_offline(True)
    page.reload()
    assert page.locator("#offline").is_visible()
    offline = page.locator("main").inner_text().replace(page.locator("#offline").inner_text(), "")
    assert offline.split() == online.split()

    # Offline, the kept page's forms go nowhere, and nothing is kept to be sent later.
    balance = api_balance(demo_site, "alice", "member:alice")
    with pytest.raises(PlaywrightError, match=r"ERR_INTERNET_DISCONNECTED|ERR_FAILED"):
        page.goto(demo_site + "/portefeuille/envoyer")
    context.set_offline(False)
    assert api_balance(demo_site, "alice", "member:alice") == balance

    # Signing out forgets the kept copy: the next person on this phone sees nothing.
    page.goto(demo_site + "/portefeuille")
    page.click("header form[action='/deconnexion'] button")
    page.wait_for_url(demo_site + "/")
    page.wait_for_function("caches.match('/portefeuille').then((hit) => !hit)")
    context.close()
