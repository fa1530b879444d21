"""A morning at the town pool's counter, in a real browser over the demonstration's town
of Bayonne: in French on a phone, in English on the counter's tablet. The régisseur signs
in and lands on their régies, taps the full-price tariff, and the QR appears; alice pays
it from her wallet in a browser of her own, and the counter turns to "Payé" by itself
and shows the quittance, which prints alone. The régisseur then prepares the versement
and downloads its état. The pool's account is read through the API. Every screen is
checked by axe."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.web_support import (
    Screen,
    api_balance,
    assert_accessible,
    demo_password,
    keep_screenshot,
    open_page,
    sign_in,
)

POOL = "bayonne-piscine"
POOL_ACCOUNT = "authority:regie-piscine"
FULL_PRICE = "Entrée piscine, plein tarif"
# A phone in French, the counter's tablet in English.
SCREENS = (Screen(390, 844, "fr"), Screen(820, 1180, "en"))
PAID = {"fr": "Payé", "en": "Paid"}


def _held(base: str, account: str) -> Decimal:
    """What ``account`` holds back for a payment to come, as the API tells the association."""
    with httpx.Client(base_url=base) as client:
        token = client.post(
            "/v1/auth/login", json={"username": "asso", "password": demo_password("asso")}
        ).json()["token"]
        answer = client.get(f"/v1/accounts/{account}", headers={"Authorization": f"Bearer {token}"})
        answer.raise_for_status()
        return Decimal(answer.json()["held"])


def _go(page: Any, selector: str) -> None:
    page.click(selector)
    page.wait_for_load_state()


@pytest.mark.parametrize("screen", SCREENS, ids=str)
def test_a_sale_at_the_pool_paid_from_the_wallet_then_the_versement(
    chromium: Any, demo_site: str, screen: Screen
) -> None:
    counter, outside = open_page(chromium, demo_site, screen)
    sign_in(counter, demo_site, "regisseur")
    assert counter.url == demo_site + "/regie"
    assert counter.locator(f"#regie-{POOL}").is_visible()
    assert_accessible(counter)
    keep_screenshot(counter, "regie-home", screen)

    # The counter: one tap on the tariff shows the QR, which waits for the wallet.
    _go(counter, f"#regie-{POOL} h2 a")
    assert counter.url == f"{demo_site}/regie/{POOL}/guichet"
    assert_accessible(counter)
    keep_screenshot(counter, "regie-counter", screen)
    _go(counter, f"button.tariff:has-text('{FULL_PRICE}')")
    assert counter.locator("#qr svg").is_visible()
    token = (counter.text_content("#qr-url") or "").rsplit("/R/", 1)[1]
    assert_accessible(counter)
    keep_screenshot(counter, "regie-qr", screen)

    # alice pays from her wallet, in a browser of her own.
    phone, phone_outside = open_page(chromium, demo_site, screen)
    sign_in(phone, demo_site, "alice")
    phone.goto(f"{demo_site}/R/{token}")
    _go(phone, "#pay-session")
    assert phone.locator("#done").count() == 1, phone.inner_text("main")

    # The counter turns to "Payé" by itself, and shows the quittance.
    counter.wait_for_selector("#quittance", timeout=15_000)
    assert (counter.text_content("#status") or "").strip() == PAID[screen.lang]
    assert (counter.text_content("#quittance-object") or "") == FULL_PRICE
    number = counter.text_content("#quittance-number") or ""
    assert number.endswith("-000001"), number
    assert_accessible(counter)
    keep_screenshot(counter, "regie-quittance", screen)
    counter.emulate_media(media="print")
    assert counter.locator("#quittance").is_visible()
    for hidden in (".bar", "nav.sections", "#print", "#new-sale", "#status"):
        assert counter.locator(hidden).is_hidden(), hidden
    counter.emulate_media(media="screen")
    assert api_balance(demo_site, "asso", POOL_ACCOUNT) == Decimal("4.50")

    # The versement: prepared by the régisseur, its état downloaded.
    counter.goto(f"{demo_site}/regie/{POOL}/versement")
    assert_accessible(counter)
    _go(counter, "#versement-form button[type=submit]")
    assert counter.locator("#done").is_visible()
    assert_accessible(counter)
    keep_screenshot(counter, "regie-versement", screen)
    with counter.expect_download() as download:
        counter.click("a.etat-csv")
    etat = Path(download.value.path()).read_text(encoding="utf-8")
    assert FULL_PRICE in etat
    # The versement holds what was collected until the association pays the Trésor.
    assert _held(demo_site, POOL_ACCOUNT) == Decimal("4.50")
    assert outside == [] and phone_outside == []
