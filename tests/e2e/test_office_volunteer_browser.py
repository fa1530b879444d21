"""A day of an exchange office's volunteer, in a real browser over the demonstration: in
French on a phone, in English on a desktop. Comptoir signs in and lands on the office's
screen, sells notes, takes a cash conversion for alice (found by her name), counts the
till 2 € short (the page shows the shortfall booked), and prepares the bank deposit,
whose reference the receipt shows big. The books are then read through the API: the
till, alice's balance, the association's loss. Every screen is checked by axe."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import httpx
import pytest

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

TILL = "office:centre:till"
ALICE = "member:alice"
LOSSES = "association:losses"
# A phone in French, a desktop in English: the screen is made for a shop's tablet.


def _spaced(text: str | None) -> str:
    """A page's text with its no-break spaces as plain ones."""
    return (text or "").replace("\u00a0", " ").replace("\u202f", " ")


def _amount(screen: Screen, text: str) -> str:
    return text.replace(".", ",") if screen.lang == "fr" else text


def _the_association_stocks_the_office(base: str) -> None:
    """Through the API: notes printed and delivered to the office, and a donation that the
    association's own euros may replace missing cash with."""
    with httpx.Client(base_url=base, timeout=10) as api:
        login = api.post(
            "/v1/auth/login", json={"username": "asso", "password": demo_password("asso")}
        )
        headers = {"Authorization": f"Bearer {login.json()['token']}"}
        notes = [{"denomination": "20", "count": 10}, {"denomination": "10", "count": 10}]
        for path, body in (
            ("/v1/notes/print", {"notes": notes}),
            ("/v1/notes/deliver", {"office": "centre", "notes": notes}),
            ("/v1/books/donations", {"amount": "50.00", "memo": "Don"}),
        ):
            answer = api.post(path, json=body, headers={**headers, "Idempotency-Key": path})
            assert answer.status_code in (200, 201), answer.text


def _go(page: Any, selector: str) -> None:
    page.click(selector)
    page.wait_for_load_state()


@pytest.mark.parametrize("screen", STORY_SCREENS, ids=str)
def test_a_day_of_an_office_volunteer(chromium: Any, demo_site: str, screen: Screen) -> None:
    _the_association_stocks_the_office(demo_site)
    alice_before = api_balance(demo_site, "alice", ALICE)
    page, outside = open_page(chromium, demo_site, screen)
    sign_in(page, demo_site, "comptoir")
    assert page.url == demo_site + "/guichet"
    assert _spaced(page.text_content("#till-cash")) == "0" + _amount(screen, ".00 €")
    assert_accessible(page)
    keep_screenshot(page, "office-screen", screen)

    # Selling notes: two 20s and one 10, the total counted as the volunteer types.
    _go(page, "#act-vente")
    page.fill("#n2000", "2")
    page.fill("#n1000", "1")
    assert _spaced(page.text_content("#notes-total")).startswith(_amount(screen, "50.00"))
    assert_accessible(page)
    keep_screenshot(page, "office-sell", screen)
    _go(page, "#notes-form button[type=submit]")
    assert _spaced(page.text_content("#receipt-cash")) == _amount(screen, "50.00 €")
    assert page.locator("#print").is_visible()
    assert_accessible(page)
    keep_screenshot(page, "office-receipt", screen)
    # Printed, the receipt is all there is: no menu, no buttons.
    page.emulate_media(media="print")
    assert page.locator("#receipt").is_visible()
    for hidden in (".bar", "nav.sections", "#print", "#done"):
        assert page.locator(hidden).is_hidden(), hidden
    page.emulate_media(media="screen")

    # A cash conversion: alice is found by her name, then chosen.
    _go(page, "main .actions a[href^='/guichet?']")
    _go(page, "#act-especes")
    page.fill("#account", "alice")
    page.fill("#amount", _amount(screen, "20.00"))
    assert_accessible(page)
    _go(page, "#conversion-form button[type=submit]")
    assert page.locator("#found input[value='member:alice']").count() == 1
    assert_accessible(page)
    page.check("#found input[value='member:alice']")
    _go(page, "#account-choice button[type=submit]")
    assert _spaced(page.text_content("#receipt-euros")) == _amount(screen, "20.00 €")
    assert_accessible(page)

    # The till's count: 70 € expected, 68 € counted, the 2 € shortfall booked.
    _go(page, "main .actions a[href^='/guichet?']")
    assert _spaced(page.text_content("#till-cash")) == _amount(screen, "70.00 €")
    _go(page, "#act-comptage")
    page.fill("#counted", _amount(screen, "68"))
    assert_accessible(page)
    _go(page, "#count-form button[type=submit]")
    assert _spaced(page.text_content("#expected")) == _amount(screen, "70.00 €")
    assert _spaced(page.text_content("#difference")) == _amount(screen, "\u22122.00 €")
    assert_accessible(page)
    keep_screenshot(page, "office-count", screen)
    _go(page, "#count-confirm button[type=submit]")
    verdict = _spaced(page.text_content("#receipt-verdict"))
    assert verdict.endswith(_amount(screen, "\u22122.00 €")), verdict
    assert_accessible(page)
    assert api_balance(demo_site, "comptoir", TILL) == Decimal("68.00")

    # The bank deposit: the whole till by default; the slip's reference, big.
    _go(page, "main .actions a[href^='/guichet?']")
    _go(page, "#act-banque")
    assert page.input_value("#amount") == _amount(screen, "68.00")
    assert_accessible(page)
    _go(page, "#bank-form button[type=submit]")
    reference = page.text_content("#deposit-reference") or ""
    assert re.fullmatch(r"[A-Z]+-TD-\d+", reference), reference
    assert _spaced(page.text_content("#receipt-amount")) == _amount(screen, "68.00 €")
    assert_accessible(page)
    keep_screenshot(page, "office-bank", screen)

    # The books, through the API: the till emptied to the bank, alice credited, the loss.
    assert api_balance(demo_site, "comptoir", TILL) == Decimal("0.00")
    assert api_balance(demo_site, "alice", ALICE) == alice_before + Decimal("20.00")
    assert abs(api_balance(demo_site, "asso", LOSSES)) == Decimal("2.00")
    assert outside == []
