"""The QR flow in a real browser: a till shows a QR, a member's phone pays it, the till
turns to "Payé" without a reload.

Debian's chromium runs headless against a uvicorn server on a free loopback port, over a
SQLite database made for the test. Two browser contexts stand for two devices: they share
no storage, as a till and a phone would not.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Connection

from api import i18n
from api.app import create_app
from monnaie_locale.auth import Role, create_user, link_account, passwords
from monnaie_locale.clock import utc_now
from monnaie_locale.config import Settings
from monnaie_locale.ledger.accounts import open_account
from monnaie_locale.model import AccountKind
from monnaie_locale.store import connect, migrate
from tests.e2e.support import live_server
from tests.support import standard_ledger

CHROMIUM = Path("/usr/bin/chromium")
PASSWORD = "correct horse battery staple"
FRENCH = i18n.texts("fr")
BAKERY_NAME = "Boulangerie Etchegaray"

if not CHROMIUM.exists() and not os.environ.get("CI"):
    pytest.skip(
        f"no browser at {CHROMIUM} (install Debian's chromium); CI always runs this test",
        allow_module_level=True,
    )

sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(
        passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )
    passwords._dummy_hash.cache_clear()
    yield
    passwords._dummy_hash.cache_clear()


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


@pytest.fixture
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


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

    phone = browser.new_context(locale="fr-FR").new_page()
    phone.goto(server + "/R/" + qr_text.rsplit("/R/", 1)[1])
    assert phone.text_content("#merchant") == BAKERY_NAME
    assert "12.50" in (phone.text_content("#amount") or "")
    _sign_in(phone, "alice")
    phone.click("#confirm")
    phone.wait_for_selector("#done:visible")
    assert FRENCH["payment_done"] in (phone.text_content("#done") or "")

    till.wait_for_selector(f"#status:text('{FRENCH['paid']}')", timeout=10_000)
    assert till.evaluate("window.notReloaded") is True
    till.wait_for_selector("#receipt[data-verified]")
    assert till.get_attribute("#receipt", "data-verified") == "true"


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
