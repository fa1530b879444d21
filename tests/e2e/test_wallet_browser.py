"""The member's wallet in a real browser: alice sees her balance, sends 12,50 to bob after
a confirmation, and downloads the statement that lists it; she pays a till's QR with her
signed-in session, and the till turns to "Payé" live. Balances are checked through the
API after each story; every page is checked by axe."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from api import i18n
from tests.e2e.web_support import (
    SCREENS,
    Screen,
    api_balance,
    assert_accessible,
    keep_screenshot,
    open_page,
    sign_in,
)


def _texts(screen: Screen) -> dict[str, str]:
    return i18n.texts(screen.lang)  # type: ignore[arg-type]


def _digits(text: str) -> str:
    """An amount as shown, without its spaces, symbol and separators: "87,50 EK" -> 8750."""
    return re.sub(r"\D", "", text)


def test_alice_sends_units_to_bob_and_downloads_the_statement(
    chromium: Any, demo_site: str, screen: Screen, tmp_path: Path
) -> None:
    page, outside = open_page(chromium, demo_site, screen)
    sign_in(page, demo_site, "alice")
    assert page.url == demo_site + "/portefeuille"
    assert _digits(page.text_content("#balance") or "") == "10000"
    assert page.locator("#offline").is_hidden()
    # The scan button shows only where the browser reads QR codes; the hint, always.
    assert page.locator("#scan").is_visible() is page.evaluate("'BarcodeDetector' in window")
    assert page.locator("#scan-hint").is_visible()
    assert_accessible(page)
    keep_screenshot(page, "wallet", screen)

    page.click("a[href='/portefeuille/envoyer']")
    page.fill("#code", "member:bob")
    page.fill("#amount", "12,50" if screen.lang == "fr" else "12.50")
    page.fill("#memo", "cinéma")
    assert_accessible(page)
    keep_screenshot(page, "wallet-send", screen)
    page.click("#send button[type=submit]")
    page.wait_for_selector("#confirm")
    # Bob's account has no display name: its code is what payers are shown.
    assert page.text_content("#confirm-name") == "member:bob"
    assert _digits(page.text_content("#confirm-amount") or "") == "1250"
    assert_accessible(page)
    keep_screenshot(page, "wallet-confirm", screen)
    page.click("#confirm button[type=submit]")
    page.wait_for_selector("#done")
    assert _digits(page.text_content("#balance") or "") == "8750"
    assert "cinéma" in page.inner_text("main")
    assert_accessible(page)

    assert api_balance(demo_site, "alice", "member:alice") == Decimal("87.50")
    assert api_balance(demo_site, "bob", "member:bob") == Decimal("62.50")

    page.click("a[href='/portefeuille/historique']")
    page.wait_for_selector("#filters")
    assert_accessible(page)
    keep_screenshot(page, "wallet-history", screen)
    with page.expect_download() as downloading:
        page.click("#csv")
    saved = tmp_path / "statement.csv"
    downloading.value.save_as(saved)
    statement = saved.read_text(encoding="utf-8")
    written = "12,50" if screen.lang == "fr" else "12.50"
    assert "cinéma" in statement and written in statement and "member:bob" in statement
    assert outside == []


@pytest.mark.parametrize("screen", [SCREENS[0]], ids=str)
def test_the_other_wallet_pages_read_well(chromium: Any, demo_site: str, screen: Screen) -> None:
    page, outside = open_page(chromium, demo_site, screen)
    sign_in(page, demo_site, "alice")
    for path, name in (
        ("/portefeuille/recharger", "wallet-top-up"),
        ("/portefeuille/adhesion", "wallet-membership"),
        ("/portefeuille/profil", "wallet-profile"),
    ):
        page.goto(demo_site + path)
        assert page.locator("h1").count() == 1
        assert_accessible(page)
        keep_screenshot(page, name, screen)
    page.goto(demo_site + "/portefeuille/recharger")
    page.fill("#amount", "20")
    page.click("#order button[type=submit]")
    page.wait_for_selector("#ordered-reference")
    assert page.text_content("#iban") == "FR7630006000011234567890189"
    assert_accessible(page)
    # Nothing is issued before the euros arrive.
    assert api_balance(demo_site, "alice", "member:alice") == Decimal("100.00")
    page.goto(demo_site + "/portefeuille/envoyer")
    page.fill("#recherche", "bayonne")
    page.click("#directory-search button[type=submit]")
    page.wait_for_selector("#found")
    assert_accessible(page)
    keep_screenshot(page, "wallet-send-directory", screen)
    page.click("#found a")
    page.wait_for_load_state()
    assert page.input_value("#code") == "business:boulangerie"
    page.fill("#code", "member:bob")
    page.fill("#amount", "12,5x")
    page.click("#send button[type=submit]")
    page.wait_for_selector("#error")
    assert page.input_value("#amount") == "12,5x"
    assert_accessible(page)
    assert outside == []


@pytest.mark.parametrize("screen", [SCREENS[0]], ids=str)
def test_alice_pays_the_till_s_qr_with_her_session_and_the_till_turns_to_paid(
    chromium: Any, demo_site: str, screen: Screen
) -> None:
    texts = _texts(screen)
    till, till_outside = open_page(chromium, demo_site, screen)
    till.goto(demo_site + "/checkout")
    till.fill("#login input[name=username]", "caisse")
    till.fill("#login input[name=password]", "caisse-demo-2026")
    till.click("#login button[type=submit]")
    till.wait_for_selector(f"#live:text('{texts['live_connected']}')")
    till.fill("#sale-amount", "7,30")
    till.click("#sale button[type=submit]")
    till.wait_for_selector("#qr svg")
    qr_text = till.text_content("#qr-url") or ""
    assert "/R/" in qr_text
    till.evaluate("window.notReloaded = true")

    phone, outside = open_page(chromium, demo_site, screen)
    sign_in(phone, demo_site, "alice")
    phone.goto(demo_site + "/R/" + qr_text.rsplit("/R/", 1)[1])
    assert phone.text_content("#merchant") == "Boulangerie Etchegaray"
    assert phone.text_content("#payer") == "alice"
    assert_accessible(phone)
    keep_screenshot(phone, "pay-with-session", screen)
    phone.click("#pay-session")
    phone.wait_for_load_state()
    assert phone.locator("#done").count() == 1, phone.inner_text("main")
    assert (phone.text_content("#done") or "").startswith(texts["pay_paid"])
    assert _digits(phone.text_content("#done") or "") == "730"
    assert_accessible(phone)
    keep_screenshot(phone, "pay-paid", screen)

    till.wait_for_selector(f"#status:text('{texts['paid']}')", timeout=10_000)
    assert till.evaluate("window.notReloaded") is True
    assert api_balance(demo_site, "alice", "member:alice") == Decimal("92.70")
    assert api_balance(demo_site, "boulangerie", "business:boulangerie") == Decimal("7.30")
    assert outside == [] and till_outside == []


# A phone that reads QR codes, played by the page itself: the camera is a canvas's stream
# and the detector "sees" the text the test puts in window.scanned.
_FAKE_CAMERA = """
window.scanned = null;
window.BarcodeDetector = class {
  constructor(options) { this.options = options; }
  async detect() { return window.scanned ? [{ rawValue: window.scanned }] : []; }
};
navigator.mediaDevices.getUserMedia = async () => {
  const canvas = document.createElement("canvas");
  canvas.getContext("2d").fillRect(0, 0, 10, 10);
  return canvas.captureStream(5);
};
"""


def _till_url(base: str, amount: str) -> str:
    with httpx.Client(base_url=base) as api:
        login = api.post(
            "/v1/auth/login", json={"username": "caisse", "password": "caisse-demo-2026"}
        )
        issued = api.post(
            "/v1/checkout/requests",
            json={"account": "business:boulangerie", "amount": amount},
            headers={"Authorization": f"Bearer {login.json()['token']}", "Idempotency-Key": amount},
        )
    issued.raise_for_status()
    url: str = issued.json()["url"]
    return url


@pytest.mark.parametrize("screen", [SCREENS[0]], ids=str)
def test_the_scan_button_opens_a_till_s_code_of_this_site_only(
    chromium: Any, demo_site: str, screen: Screen
) -> None:
    page, outside = open_page(chromium, demo_site, screen)
    page.add_init_script(_FAKE_CAMERA)
    sign_in(page, demo_site, "alice")
    assert page.locator("#scan").is_visible()
    page.click("#scan")
    page.wait_for_selector("#scanner:visible")
    assert_accessible(page)
    page.evaluate("window.scanned = 'https://elsewhere.example/R/ABC'")
    page.wait_for_function(
        "text => document.getElementById('scan-status').textContent === text",
        arg=_texts(screen)["wallet_scan_foreign"],
    )
    assert page.url == demo_site + "/portefeuille"
    # The till's code, as its QR writes it (HTTPS, uppercase), on the host the phone
    # reaches the site by (the test's server listens on a port of its own): opened here.
    token = _till_url(demo_site, "2.00").rsplit("/R/", 1)[1]
    qr = "HTTPS://" + demo_site.split("://", 1)[1].upper() + "/R/" + token
    page.evaluate(f"window.scanned = {qr!r}")
    page.wait_for_url(re.compile(r".*/R/[A-Z0-9]+$"))
    assert page.locator("#pay-form").count() == 1
    assert outside == []
