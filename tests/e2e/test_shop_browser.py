"""The merchant's space in a real browser, over the demonstration: a refund from the
payments list, a reconversion with its fee shown before confirming, the counter code's
printable sheet, and every page of the space checked for accessibility; the books are
read back through the API after each story."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import httpx
import pytest

from api import i18n
from tests.e2e.web_support import (
    SCREENS,
    Screen,
    api_balance,
    assert_accessible,
    demo_password,
    keep_screenshot,
    open_page,
    sign_in,
)

SHOP = "business:boulangerie"
ALICE = "member:alice"


def _token(api: httpx.Client, username: str) -> dict[str, str]:
    login = api.post(
        "/v1/auth/login", json={"username": username, "password": demo_password(username)}
    )
    login.raise_for_status()
    return {"Authorization": f"Bearer {login.json()['token']}"}


def alice_pays_the_shop(base: str, amount: str) -> int:
    """The shop issues a request through the API and alice pays it: the payment's id."""
    with httpx.Client(base_url=base, timeout=10) as api:
        issued = api.post(
            "/v1/checkout/requests",
            json={"account": SHOP, "amount": amount},
            headers={**_token(api, "boulangerie"), "Idempotency-Key": f"issue-{amount}"},
        )
        assert issued.status_code == 201, issued.text
        paid = api.post(
            "/v1/checkout/pay",
            json={"request": issued.json()["token"]},
            headers={**_token(api, "alice"), "Idempotency-Key": f"pay-{amount}"},
        )
        assert paid.status_code == 201, paid.text
    payment_id: int = paid.json()["payment_id"]
    return payment_id


def test_the_owner_refunds_part_of_a_payment_from_the_payments_list(
    chromium: Any, demo_site: str, screen: Screen
) -> None:
    payment = alice_pays_the_shop(demo_site, "12.50")
    alice_before = api_balance(demo_site, "alice", ALICE)
    page, outside = open_page(chromium, demo_site, screen)
    sign_in(page, demo_site, "boulangerie")
    assert page.url.endswith("/commerce")
    assert page.locator("main a[href='/checkout']").count() == 1
    assert_accessible(page)
    keep_screenshot(page, "shop-home", screen)
    page.click("main a[href='/commerce/paiements']")
    page.wait_for_load_state()
    field = page.locator(f"#amount-{payment}")
    # Full by default: the form offers what is left to refund.
    assert field.input_value() == ("12,50" if screen.lang == "fr" else "12.50")
    assert_accessible(page)
    keep_screenshot(page, "shop-payments", screen)
    field.fill("2,50" if screen.lang == "fr" else "2.50")
    page.click(f"#payment-{payment} button[type=submit]")
    page.wait_for_load_state()
    texts = i18n.texts(screen.lang)  # type: ignore[arg-type]
    assert page.locator("[role=status]").inner_text() == texts["shop_refunded"]
    assert page.locator(f"#amount-{payment}").input_value() in ("10,00", "10.00")
    assert_accessible(page)
    assert api_balance(demo_site, "boulangerie", SHOP) == Decimal("10.00")
    assert api_balance(demo_site, "alice", ALICE) == alice_before + Decimal("2.50")
    assert outside == []


def test_the_owner_asks_for_a_reconversion_after_seeing_its_fee(
    chromium: Any, demo_site: str, screen: Screen
) -> None:
    alice_pays_the_shop(demo_site, "40.00")
    page, outside = open_page(chromium, demo_site, screen)
    sign_in(page, demo_site, "boulangerie")
    page.goto(demo_site + "/commerce/reconversions")
    assert_accessible(page)
    page.fill("#amount", "30")
    page.fill("#creditor_name", "Boulangerie Etchegaray")
    page.fill("#iban", "FR76 3000 6000 0112 3456 7890 189")
    page.click("#reconversion button[type=submit]")
    page.wait_for_load_state()
    # The confirmation: the fee and the euros, before anything is held.
    fee = page.locator("#quote-fee").inner_text()
    payout = page.locator("#quote-payout").inner_text()
    assert fee and "€" in payout
    assert api_balance(demo_site, "boulangerie", SHOP) == Decimal("40.00")
    assert_accessible(page)
    keep_screenshot(page, "shop-reconversion-confirm", screen)
    page.click("#confirm button[type=submit]")
    page.wait_for_load_state()
    texts = i18n.texts(screen.lang)  # type: ignore[arg-type]
    assert page.locator("[role=status]").inner_text() == texts["shop_reconversion_requested"]
    row = page.locator("#requests tbody tr").first
    assert texts["shop_reconversion_status_requested"] in row.inner_text()
    assert payout.replace("\u00a0", " ") in row.inner_text().replace("\u00a0", " ")
    assert_accessible(page)
    keep_screenshot(page, "shop-reconversions", screen)
    # The units are held for the payout: what the shop may still spend is 10.
    with httpx.Client(base_url=demo_site) as api:
        account = api.get(f"/v1/accounts/{SHOP}", headers=_token(api, "boulangerie")).json()
    assert Decimal(account["holder_balance"]) == Decimal("40.00")
    assert Decimal(account["available"]) == Decimal("10.00")
    assert outside == []


@pytest.mark.parametrize("screen", [SCREENS[0]], ids=str)
def test_the_counter_sheet_is_a_qr_that_pays_the_shop(
    chromium: Any, demo_site: str, screen: Screen
) -> None:
    import zxingcpp
    from PIL import Image

    page, outside = open_page(chromium, demo_site, screen)
    sign_in(page, demo_site, "boulangerie")
    page.goto(demo_site + "/commerce/qr")
    assert page.locator("#sheet-name").inner_text() == "Boulangerie Etchegaray"
    picture = page.locator("#qr svg").screenshot()
    decoded = zxingcpp.read_barcode(Image.open(io.BytesIO(picture)).convert("L"))
    assert decoded is not None
    assert decoded.text == page.locator("#qr-url").inner_text()
    assert decoded.text.startswith("HTTPS://") and "/R/" in decoded.text
    # The code is the site's: its page names the shop, for the payer to type the amount.
    pay_page = page.context.new_page()
    pay_page.goto(demo_site + "/R/" + decoded.text.rsplit("/R/", 1)[1])
    assert "Boulangerie Etchegaray" in pay_page.locator("body").inner_text()
    assert_accessible(page)
    keep_screenshot(page, "shop-qr", screen)
    assert outside == []


@pytest.mark.parametrize("screen", [SCREENS[0]], ids=str)
def test_every_other_page_of_the_space_is_accessible(
    chromium: Any, demo_site: str, screen: Screen
) -> None:
    page, outside = open_page(chromium, demo_site, screen)
    sign_in(page, demo_site, "boulangerie")
    page.goto(demo_site + "/commerce/webhooks")
    assert_accessible(page)
    keep_screenshot(page, "shop-webhooks", screen)
    page.fill("#url", "https://93.184.215.14/hooks/mlc")
    page.click("#add-endpoint button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#secret").inner_text().startswith("whsec_")
    assert_accessible(page)
    page.goto(demo_site + "/commerce/webhooks")
    page.click("#endpoints a")
    page.wait_for_load_state()
    assert_accessible(page)
    page.goto(demo_site + "/commerce/releves")
    assert_accessible(page)
    keep_screenshot(page, "shop-statements", screen)
    with page.expect_download() as download:
        page.click("#csv")
    assert download.value.suggested_filename == "statement-business-boulangerie.csv"
    page.goto(demo_site + "/commerce/caissiers")
    assert page.locator("#cashier-caisse").count() == 1
    assert_accessible(page)
    keep_screenshot(page, "shop-cashiers", screen)
    page.goto(demo_site + "/commerce/profil")
    page.fill("#town", "Ustaritz")
    page.click("#profile button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#town").input_value() == "Ustaritz"
    assert page.locator("[role=status]").count() == 1
    assert_accessible(page)
    keep_screenshot(page, "shop-profile", screen)
    # The cashier's space: the same pages but the owner's.
    cashier, _ = open_page(chromium, demo_site, screen)
    sign_in(cashier, demo_site, "caisse")
    for path in ("/commerce", "/commerce/paiements", "/commerce/reconversions"):
        cashier.goto(demo_site + path)
        assert_accessible(cashier)
    assert cashier.locator("#reconversion").count() == 0
    cashier.goto(demo_site + "/commerce/webhooks")
    assert cashier.locator("[data-code=role_forbidden]").count() == 1
    assert_accessible(cashier)
    assert outside == []
