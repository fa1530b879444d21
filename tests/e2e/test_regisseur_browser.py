"""A morning at the town pool's counter, in a real browser over the demonstration and the
test town: in French on a phone, in English on the counter's tablet. The régisseur signs
in and lands on their régies, taps the full-price tariff, and the QR appears; alice pays
it from her wallet in a browser of her own, and the counter turns to "Payé" by itself
and shows the quittance, which prints alone. The régisseur then prepares the versement
and downloads its état. The pool's account is read through the API. Every screen is
checked by axe."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.app import create_app
from monnaie_locale.acts.demo import set_up_demo
from monnaie_locale.config import Settings
from monnaie_locale.store import connect, migrate
from tests.authorities.town import POOL, POOL_ACCOUNT, TOWN_PASSWORD, set_up_town
from tests.e2e.support import live_server
from tests.e2e.web_support import (
    Screen,
    api_balance,
    assert_accessible,
    demo_password,
    keep_screenshot,
    open_page,
    sign_in,
)

FULL_PRICE = "Entrée piscine, plein tarif"
# A phone in French, the counter's tablet in English.
SCREENS = (Screen(390, 844, "fr"), Screen(820, 1180, "en"))
PAID = {"fr": "Payé", "en": "Paid"}


@pytest.fixture
def town_site(tmp_path: Path) -> Iterator[str]:
    """The demonstration with the test town's régie and people, served; its base URL."""
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    database = connect(url)
    migrate(database)
    settings = set_up_demo(
        database, Settings(database_url=url, webhook_poll_seconds=3600), key_folder=tmp_path
    )
    app = create_app(settings, database=database)
    set_up_town(database, app.state.clock)
    with live_server(app) as base:
        local = base.replace("127.0.0.1", "localhost")
        app.state.settings = settings.model_copy(
            update={"public_host": local.removeprefix("http://")}
        )
        yield local
    database.dispose()


def _town_sign_in(page: Any, base: str, username: str) -> None:
    page.goto(base + "/connexion")
    page.fill("#username", username)
    page.fill("#password", TOWN_PASSWORD)
    page.click("#sign-in button[type=submit]")
    page.wait_for_load_state()


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
    chromium: Any, town_site: str, screen: Screen
) -> None:
    counter, outside = open_page(chromium, town_site, screen)
    _town_sign_in(counter, town_site, "regisseur")
    assert counter.url == town_site + "/regie"
    assert counter.locator(f"#regie-{POOL}").is_visible()
    assert_accessible(counter)
    keep_screenshot(counter, "regie-home", screen)

    # The counter: one tap on the tariff shows the QR, which waits for the wallet.
    _go(counter, f"#regie-{POOL} h2 a")
    assert counter.url == f"{town_site}/regie/{POOL}/guichet"
    assert_accessible(counter)
    keep_screenshot(counter, "regie-counter", screen)
    _go(counter, f"button.tariff:has-text('{FULL_PRICE}')")
    assert counter.locator("#qr svg").is_visible()
    token = (counter.text_content("#qr-url") or "").rsplit("/R/", 1)[1]
    assert_accessible(counter)
    keep_screenshot(counter, "regie-qr", screen)

    # alice pays from her wallet, in a browser of her own.
    phone, phone_outside = open_page(chromium, town_site, screen)
    sign_in(phone, town_site, "alice")
    phone.goto(f"{town_site}/R/{token}")
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
    assert api_balance(town_site, "asso", POOL_ACCOUNT) == Decimal("4.50")

    # The versement: prepared by the régisseur, its état downloaded.
    counter.goto(f"{town_site}/regie/{POOL}/versement")
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
    assert _held(town_site, POOL_ACCOUNT) == Decimal("4.50")
    assert outside == [] and phone_outside == []
