"""The back-office's paper notes in a real browser, over the demonstration: the
association's operator prints notes and delivers some to the office, each time reading
the entries before confirming; the auditor reads the stock. Every page is checked for
accessibility, and the books are read back through the API."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import pytest

from api import i18n
from monnaie_locale.demo import DEMO_OFFICE
from tests.e2e.web_support import (
    SCREENS,
    STORY_SCREENS,
    Screen,
    assert_accessible,
    demo_password,
    keep_screenshot,
    open_page,
    sign_in,
)


def _balance(base: str, account: str) -> Decimal:
    """``account``'s balance as the API tells the auditor."""
    with httpx.Client(base_url=base, timeout=10) as api:
        token = api.post(
            "/v1/auth/login", json={"username": "audit", "password": demo_password("audit")}
        ).json()["token"]
        answer = api.get(f"/v1/accounts/{account}", headers={"Authorization": f"Bearer {token}"})
        answer.raise_for_status()
        return Decimal(answer.json()["balance"])


def _cell(page: Any, place: str, column: int) -> int:
    """The count in ``column`` of the stock table's row of ``place`` (4: the 20s, 6: every
    note), as the page shows it."""
    return int(page.locator(f"#place-{place} td").nth(column).inner_text())


def _move(page: Any, movement: str, counts: dict[int, str], place: str | None = None) -> None:
    """Open the movement's card, fill it and ask for its entries."""
    card = page.locator(f"#move-{movement}")
    if card.get_attribute("open") is None:
        card.locator("summary").click()
    if place is not None:
        page.select_option(f"#{movement}-place", place)
    for denomination, count in counts.items():
        page.fill(f"#{movement}-{denomination}", count)
    card.locator("button[type=submit]").click()
    page.wait_for_load_state()


@pytest.mark.parametrize("screen", STORY_SCREENS, ids=str)
def test_the_association_prints_and_delivers_notes_seeing_the_entries_first(
    chromium: Any, demo_site: str, screen: Screen
) -> None:
    texts = i18n.texts(screen.lang)  # type: ignore[arg-type]
    page, outside = open_page(chromium, demo_site, screen)
    sign_in(page, demo_site, "asso")
    page.goto(demo_site + "/gestion/billets")
    assert_accessible(page)
    keep_screenshot(page, "bo-notes", screen)
    # What the demonstration holds already: each movement is read against it.
    office = f"office-{DEMO_OFFICE}"
    in_vault, at_office = _cell(page, "vault", 6), _cell(page, office, 4)
    vault, office_notes = (
        _balance(demo_site, "notes:vault"),
        _balance(demo_site, f"notes:office:{DEMO_OFFICE}"),
    )

    _move(page, "print", {2000: "10", 500: "4"})
    assert page.locator("#entries tr.entry").count() == 2
    assert page.locator("#entries [data-account='notes:vault']").count() == 1
    assert_accessible(page)
    keep_screenshot(page, "bo-notes-preview", screen)
    assert _balance(demo_site, "notes:vault") == vault  # nothing kept before the confirmation
    page.click("#confirm button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("[role=status]").inner_text() == texts["bo_notes_ok_print"]
    assert _cell(page, "vault", 6) == in_vault + 14

    _move(page, "deliver", {2000: "3"}, place=DEMO_OFFICE)
    assert page.locator(f"#entries [data-account='notes:office:{DEMO_OFFICE}']").count() == 1
    page.click("#confirm button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("[role=status]").inner_text() == texts["bo_notes_ok_deliver"]
    assert _cell(page, office, 4) == at_office + 3
    assert _balance(demo_site, "notes:vault") == vault + Decimal("160.00")
    assert _balance(demo_site, f"notes:office:{DEMO_OFFICE}") == office_notes + Decimal("60.00")

    # One 20 more than the office holds now.
    _move(page, "return", {2000: str(_cell(page, office, 4) + 1)}, place=DEMO_OFFICE)
    assert page.locator(".refusal").count() == 1
    assert_accessible(page)
    assert outside == []


@pytest.mark.parametrize("screen", [SCREENS[3]], ids=str)
def test_the_auditor_reads_the_stock_without_a_form(
    chromium: Any, demo_site: str, screen: Screen
) -> None:
    page, outside = open_page(chromium, demo_site, screen)
    sign_in(page, demo_site, "audit")
    page.goto(demo_site + "/gestion/billets")
    assert page.locator("#stock").count() == 1
    assert page.locator("form[action='/gestion/billets/apercu']").count() == 0
    assert_accessible(page)
    assert outside == []
