"""A day of the treasurer, in a real browser over the demonstration: the association's
operator imports the reserve's camt.053 statement (one transfer credits its order at
once), credits the two orders whose transfers carried no reference, matches their bank
lines by hand, approves the bakery's reconversion requests into a batch, downloads its
pain.001 file and marks it paid; then the dashboard shows the reserve covering the
circulation and nothing left waiting. Every page
is checked for accessibility, and the books are read back through the API."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from api import i18n
from api.web.bo_dashboard import percent
from tests.bank_files import DIGITAL_IBAN, Entry, camt053
from tests.e2e.web_support import (
    STORY_SCREENS,
    Screen,
    api_balance,
    assert_accessible,
    demo_password,
    keep_screenshot,
    open_page,
    sign_in,
)

SHOP = "business:boulangerie"
PAIN = "{urn:iso:std:iso:20022:tech:xsd:pain.001.001.03}"


class Api:
    """The API as one demonstration user: the story's setting and its books."""

    def __init__(self, base: str, username: str) -> None:
        self.client = httpx.Client(base_url=base, timeout=10)
        login = self.client.post(
            "/v1/auth/login", json={"username": username, "password": demo_password(username)}
        )
        login.raise_for_status()
        self.auth = {"Authorization": f"Bearer {login.json()['token']}"}

    def get(self, path: str) -> Any:
        answer = self.client.get(path, headers=self.auth)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def post(self, path: str, body: dict[str, str], key: str) -> Any:
        answer = self.client.post(path, json=body, headers={**self.auth, "Idempotency-Key": key})
        assert answer.status_code in (200, 201), answer.text
        return answer.json()


def _morning(base: str) -> dict[str, Any]:
    """What waits for the treasurer: three conversion orders whose transfers came in, and
    the bakery's two reconversion requests."""
    alice, bob, bakery = Api(base, "alice"), Api(base, "bob"), Api(base, "boulangerie")
    orders = {
        "alice": alice.post(
            "/v1/conversions/orders", {"account": "member:alice", "amount": "30.00"}, "o-1"
        ),
        "bob": bob.post(
            "/v1/conversions/orders", {"account": "member:bob", "amount": "20.00"}, "o-2"
        ),
        "alice-again": alice.post(
            "/v1/conversions/orders", {"account": "member:alice", "amount": "15.00"}, "o-3"
        ),
    }
    alice.post("/v1/transfers", {"payer": "member:alice", "payee": SHOP, "amount": "40.00"}, "shop")
    requests = [
        bakery.post(
            "/v1/reconversions",
            {
                "account": SHOP,
                "amount": amount,
                "creditor_name": "Boulangerie Etchegaray",
                "iban": "FR1420041010050500013M02606",
            },
            f"reconvert-{amount}",
        )
        for amount in ("10.00", "20.00")
    ]
    return {"orders": orders, "requests": requests}


def _statement(base: str, orders: dict[str, Any], folder: Path) -> Path:
    """The reserve's statement of today: alice's first transfer carries its order's
    reference, the two others only their senders' names."""
    today = datetime.now(UTC).date()
    reserve = api_balance(base, "asso", "reserve:digital")
    path = folder / "releve.xml"
    path.write_bytes(
        camt053(
            iban=DIGITAL_IBAN,
            statement_id=f"RELEVE-{today:%Y%m%d}",
            opening=int(reserve * 100),
            opened=today,
            closed=today,
            entries=(
                Entry(3000, f"VIR ALICE MARTIN {orders['alice']['reference']}", "L1", today),
                Entry(2000, "VIREMENT BOB DURAND", "L2", today),
                Entry(1500, "VIR ALICE MARTIN", "L3", today),
            ),
        )
    )
    return path


def _go(page: Any, url: str) -> None:
    page.goto(url)
    page.wait_for_load_state()


def _submit(page: Any, selector: str) -> None:
    page.click(selector)
    page.wait_for_load_state()


@pytest.mark.parametrize("screen", STORY_SCREENS, ids=str)
def test_a_day_of_the_treasurer(
    chromium: Any, demo_site: str, screen: Screen, tmp_path: Path
) -> None:
    base = demo_site
    morning = _morning(base)
    orders, requests = morning["orders"], morning["requests"]
    statement = _statement(base, orders, tmp_path)
    texts = i18n.texts(screen.lang)  # type: ignore[arg-type]
    page, outside = open_page(chromium, base, screen)
    sign_in(page, base, "asso")

    # The statement: one line credits alice's first order, two are left to the treasurer.
    _go(page, base + "/gestion/banque")
    assert page.locator("#bank-accounts").inner_text().count(DIGITAL_IBAN) == 1
    assert_accessible(page)
    page.set_input_files("#file", str(statement))
    _submit(page, "#import button[type=submit]")
    assert page.locator(".matched-count").inner_text() == "1"
    assert page.locator(".unmatched-count").inner_text() == "2"
    assert_accessible(page)

    # The two orders whose transfers came without their reference, credited by hand.
    _go(page, base + "/gestion/conversions")
    assert page.locator(f"#order-{orders['alice']['id']}").count() == 0
    assert_accessible(page)
    for name, line in (("bob", "L2"), ("alice-again", "L3")):
        order = orders[name]["id"]
        page.fill(f"#bank-reference-{order}", line)
        _submit(page, f"#order-{order} .credit-form button[type=submit]")
        assert page.locator("[role=status]").inner_text() == texts["bo_conv_ok_credited"]
    assert page.locator("#no-orders").count() == 1

    # Their bank lines matched by hand: the list offers the credit of the same amount.
    _go(page, base + "/gestion/banque/rapprochement")
    assert page.locator("tr.unmatched").count() == 2
    assert_accessible(page)
    for remittance, amount in (("VIREMENT BOB DURAND", "20"), ("VIR ALICE MARTIN", "15")):
        row = f"#{page.locator('tr.unmatched').filter(has_text=remittance).get_attribute('id')}"
        offered = page.locator(f"{row} select option:checked").inner_text()
        assert f" {amount}" in offered and "€" in offered, offered
        _submit(page, f"{row} form.match button[type=submit]")
        assert page.locator("[role=status]").inner_text() == texts["bo_bank_done_matched"]
    assert page.locator("tr.unmatched").count() == 0
    assert page.locator("tr.matched").count() == 3
    assert page.locator(".difference .reconciled").count() == 1
    assert_accessible(page)
    keep_screenshot(page, "reconciliation", screen)

    # The bakery's reconversions: approved into a batch, its file downloaded, paid.
    _go(page, base + "/gestion/reconversions")
    assert_accessible(page)
    for item in requests:
        page.check(f"#pick-{item['id']}")
    _submit(page, "#approve button[type=submit]")
    batch_url = page.url.split("?")[0]
    assert page.locator("#batch-state").get_attribute("data-state") == "validated"
    assert_accessible(page)
    with page.expect_download() as download:
        page.click("#download button[type=submit]")
    root = ET.fromstring(Path(download.value.path()).read_bytes())
    assert root.findtext(f".//{PAIN}NbOfTxs") == "2"
    assert sorted(node.text or "" for node in root.iter(f"{PAIN}InstdAmt")) == sorted(
        item["payout"] for item in requests
    )
    _go(page, batch_url)
    assert page.locator("#batch-state").get_attribute("data-state") == "exported"
    page.fill("#bank_reference", "REMISE-77")
    _submit(page, "#pay button[type=submit]")
    assert page.locator("#batch-state").get_attribute("data-state") == "paid"
    assert_accessible(page)

    # The dashboard: the reserve covers the circulation, and nothing waits for anyone.
    _go(page, base + "/gestion")
    assert page.locator("#coverage-figure").inner_text() == percent(Decimal(100), screen.lang)  # type: ignore[arg-type]
    assert page.locator("#coverage-verdict").inner_text() == texts["dash_covered"]
    assert page.locator("#nothing-waits").inner_text() == texts["dash_nothing_waits"]
    assert page.locator("[data-need]").count() == 0
    assert_accessible(page)

    # The books, through the API: every order credited, every request paid, the lines
    # matched, the shop's units gone, the reserve covering what circulates.
    asso = Api(base, "asso")
    assert Decimal(asso.get("/v1/reserve/report")["coverage_percent"]) == Decimal(100)
    for order in orders.values():
        assert asso.get(f"/v1/conversions/{order['id']}")["status"] == "credited"
    for item in requests:
        found = asso.get(f"/v1/reconversions/{item['id']}")
        assert (found["status"], found["bank_reference"]) == ("paid", "REMISE-77")
    report = asso.get("/v1/bank/accounts/reserve/reconciliation")
    assert (report["matched_lines"], report["unmatched_bank"]) == (3, [])
    assert api_balance(base, "boulangerie", SHOP) == Decimal("10.00")
    bonus = sum(Decimal(asso.get(f"/v1/conversions/{o['id']}")["bonus"]) for o in orders.values())
    units = sum(Decimal(o["amount"]) for o in orders.values())
    assert units == Decimal("65.00")
    holders = api_balance(base, "alice", "member:alice") + api_balance(base, "bob", "member:bob")
    assert holders == Decimal("150.00") - Decimal("40.00") + units + bonus
    assert outside == []
