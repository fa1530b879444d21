"""The QR flow in a real browser: a till shows a QR, a member's phone pays it, the till
turns to "Payé" without a reload; a payment of the printed counter code reaches the till
too, and the till says when the code it shows has expired.

Debian's chromium runs headless against a uvicorn server on a free loopback port, over a
SQLite database made for the test. Two browser contexts stand for two devices: they share
no storage, as a till and a phone would not.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Connection

from api import i18n
from api.app import create_app
from monnaie_locale.auth import Role, create_user, link_account
from monnaie_locale.clock import utc_now
from monnaie_locale.config import Settings
from monnaie_locale.ledger.accounts import open_account
from monnaie_locale.model import AccountKind
from monnaie_locale.store import connect, migrate
from tests.e2e.support import live_server
from tests.support import standard_ledger

PASSWORD = "correct horse battery staple"
NBSP = "\u00a0"
FRENCH = i18n.texts("fr")
BAKERY_NAME = "Boulangerie Etchegaray"


def _open_shop(conn: Connection, *, now: Any) -> None:
    open_account(conn, "alice", kind=AccountKind.MEMBER, currency="MLC", now=now)
    open_account(
        conn,
        "bakery",
        kind=AccountKind.BUSINESS,
        currency="MLC",
        now=now,
        display_name=BAKERY_NAME,
    )
    for name, role, account in (
        ("alice", Role.MEMBER, "alice"),
        ("till", Role.MERCHANT_CASHIER, "bakery"),
        ("baker", Role.MERCHANT_OWNER, "bakery"),
    ):
        user = create_user(conn, name, password=PASSWORD, role=role, now=now)
        link_account(conn, user.id, account_code=account)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    database = connect(f"sqlite:///{tmp_path / 'shop.db'}")
    migrate(database)
    ledger = standard_ledger(database, clock=utc_now)
    database.write(lambda conn: _open_shop(conn, now=utc_now()))
    ledger.transfer("issuance", "alice", 100_00, idempotency_key="fund-alice")
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'shop.db'}", webhook_poll_seconds=3600)
    with live_server(create_app(settings, database=database)) as base:
        yield base
    database.dispose()


def _sign_in(page: Any, username: str) -> None:
    page.fill("#login input[name=username]", username)
    page.fill("#login input[name=password]", PASSWORD)
    page.click("#login button[type=submit]")


def test_the_till_turns_to_paid_live_when_a_member_pays_its_qr(server: str, browser: Any) -> None:
    till = browser.new_context(locale="fr-FR").new_page()
    till.goto(server + "/checkout")
    _sign_in(till, "till")
    till.wait_for_selector(f"#live:text('{FRENCH['live_connected']}')")
    assert till.text_content("#account") == BAKERY_NAME
    till.fill("#sale-amount", "12,50")
    till.click("#sale button[type=submit]")
    till.wait_for_selector("#qr svg")
    qr_text = till.text_content("#qr-url") or ""
    assert qr_text.startswith("HTTPS://") and "/R/" in qr_text
    # A mark the page keeps only if it is never reloaded.
    till.evaluate("window.notReloaded = true")

    assert till.text_content("#sale-total") == f"12,50{NBSP}Ml"

    phone = browser.new_context(locale="fr-FR").new_page()
    phone.goto(server + "/R/" + qr_text.rsplit("/R/", 1)[1])
    assert phone.text_content("#merchant") == BAKERY_NAME
    assert phone.text_content("#amount") == f"12,50{NBSP}Ml"
    _sign_in(phone, "alice")
    phone.click("#confirm")
    phone.wait_for_selector("#done:visible")
    assert phone.text_content("#done") == f"{FRENCH['payment_done']}{NBSP}: 12,50{NBSP}Ml"

    till.wait_for_selector(f"#status:text('{FRENCH['paid']}')", timeout=10_000)
    assert till.evaluate("window.notReloaded") is True
    till.wait_for_selector("#receipt[data-verified]")
    assert till.get_attribute("#receipt", "data-verified") == "true"


def _counter_code(server: str) -> str:
    """A printed counter code of the bakery, issued by its owner through the API: its token."""
    with httpx.Client(base_url=server, timeout=10) as api:
        login = api.post("/v1/auth/login", json={"username": "baker", "password": PASSWORD})
        owner = {"Authorization": f"Bearer {login.json()['token']}"}
        code = api.post(
            "/v1/checkout/static-codes",
            json={"account": "bakery", "reference": "COMPTOIR"},
            headers={**owner, "Idempotency-Key": "counter"},
        )
    assert code.status_code == 201, code.text
    token: str = code.json()["token"]
    return token


def test_a_payment_of_the_printed_counter_code_reaches_the_till_live(
    server: str, browser: Any
) -> None:
    counter = _counter_code(server)
    till = browser.new_context(locale="fr-FR").new_page()
    till.goto(server + "/checkout")
    _sign_in(till, "till")
    till.wait_for_selector(f"#live:text('{FRENCH['live_connected']}')")

    phone = browser.new_context(locale="fr-FR").new_page()
    phone.goto(server + "/R/" + counter)
    _sign_in(phone, "alice")
    phone.fill("#amount-input", "3,20")
    phone.click("#confirm")
    phone.wait_for_selector("#done:visible")

    till.wait_for_selector("#payments li[data-verified]", timeout=10_000)
    assert till.text_content("#payments li") is not None
    assert f"3,20{NBSP}Ml" in (till.text_content("#payments li") or "")
    assert till.get_attribute("#payments li", "data-verified") == "true"
    assert till.is_visible("#received")


def test_the_till_says_when_the_code_it_shows_has_expired(server: str, browser: Any) -> None:
    till = browser.new_context(locale="fr-FR").new_page()
    till.clock.install()
    till.goto(server + "/checkout")
    _sign_in(till, "till")
    till.fill("#sale-amount", "4")
    till.click("#sale button[type=submit]")
    till.wait_for_selector(f"#status:text('{FRENCH['waiting']}')")

    till.clock.fast_forward("09:58")
    assert till.text_content("#status") == FRENCH["waiting"]
    till.clock.fast_forward("00:02")

    till.wait_for_selector(f"#status:text('{FRENCH['expired']}')")
    assert "is-expired" in (till.get_attribute("#display", "class") or "")


def test_a_member_opening_an_already_paid_qr_is_told_so_in_french(
    server: str, browser: Any
) -> None:
    till = browser.new_context(locale="fr-FR").new_page()
    till.goto(server + "/checkout")
    _sign_in(till, "till")
    till.fill("#sale-amount", "2")
    till.click("#sale button[type=submit]")
    till.wait_for_selector("#qr svg")
    token = (till.text_content("#qr-url") or "").rsplit("/R/", 1)[1]
    phone = browser.new_context(locale="fr-FR").new_page()
    phone.goto(server + "/R/" + token)
    _sign_in(phone, "alice")
    phone.click("#confirm")
    phone.wait_for_selector("#done:visible")

    again = browser.new_context(locale="fr-FR").new_page()
    again.goto(server + "/R/" + token)

    assert again.text_content("#refusal") == i18n.refusal("payment_request_already_paid", "fr")
    assert again.query_selector("#confirm") is None
