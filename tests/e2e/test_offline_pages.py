"""Every page the deployment serves works with no host but its own: the API documentation,
the till and the payer's page, opened in a real browser that may reach the test server
and nothing else.

Each page is opened under :func:`tests.e2e.support.block_outside`, which stops and records
any request to another host; a page is complete when it shows what it is for, every
request it made to the server succeeded, and the browser reports no error (a script that
failed, or a Content-Security-Policy that refused something the page needs).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Connection

from api.app import create_app
from monnaie_locale.auth import Role, create_user, link_account
from monnaie_locale.clock import utc_now
from monnaie_locale.config import Settings
from monnaie_locale.ledger.accounts import open_account
from monnaie_locale.model import AccountKind
from monnaie_locale.store import connect, migrate
from tests.e2e.support import block_outside, issue, live_server
from tests.support import standard_ledger

PASSWORD = "correct horse battery staple"
BAKERY_NAME = "Boulangerie Etchegaray"

sync_api = pytest.importorskip("playwright.sync_api")


def _open_shop(conn: Connection, *, now: Any) -> None:
    open_account(
        conn, "bakery", kind=AccountKind.BUSINESS, currency="MLC", now=now, display_name=BAKERY_NAME
    )
    user = create_user(conn, "baker", password=PASSWORD, role=Role.MERCHANT_OWNER, now=now)
    link_account(conn, user.id, account_code="bakery")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    database = connect(url)
    migrate(database)
    standard_ledger(database, clock=utc_now)  # the deployment's currencies and system accounts
    database.write(lambda conn: _open_shop(conn, now=utc_now()))
    settings = Settings(database_url=url, webhook_poll_seconds=3600)
    with live_server(create_app(settings, database=database)) as base:
        yield base
    database.dispose()


@dataclass
class Visit:
    """A page opened under the guard, and what went wrong while it loaded."""

    page: Any
    outside: list[str]
    failed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _visit(browser: Any, server: str, path: str) -> Visit:
    page = browser.new_context(locale="fr-FR").new_page()
    visit = Visit(page, block_outside(page, server))
    page.on(
        "response",
        lambda response: (
            visit.failed.append(f"{response.status} {response.url}")
            if response.status >= 400
            else None
        ),
    )
    page.on(
        "requestfailed",
        lambda request: (
            visit.failed.append(f"{request.failure} {request.url}")
            if request.url.startswith(server)
            else None
        ),
    )
    page.on("console", lambda m: visit.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: visit.errors.append(str(error)))
    page.goto(server + path)
    page.wait_for_load_state("networkidle")
    return visit


def _assert_complete(visit: Visit) -> None:
    assert visit.outside == []
    assert visit.failed == []
    assert visit.errors == []
    # The style sheet arrived and applies: the page is not drawn as bare HTML.
    assert visit.page.evaluate("document.styleSheets.length") >= 1
    assert visit.page.evaluate("document.styleSheets[0].cssRules.length") > 0


def test_the_api_documentation_renders_from_the_server_alone(server: str, browser: Any) -> None:
    visit = _visit(browser, server, "/docs")
    page = visit.page
    try:
        page.wait_for_selector(".opblock-summary-path[data-path='/v1/auth/login']")
    except sync_api.TimeoutError:
        pytest.fail(f"Swagger UI did not render: {visit}")

    assert page.title() == "monnaie-locale API - Swagger UI"
    assert "monnaie-locale API" in page.locator(".info .title").first.inner_text()
    # The API's operations are listed, and one opens on its schema.
    assert page.locator(".opblock").count() > 50
    page.click(".opblock-summary-path[data-path='/v1/auth/login']")
    page.wait_for_selector(".opblock-body .model-example")
    assert page.locator(".swagger-ui .errors-wrapper").count() == 0
    _assert_complete(visit)
    # What the page itself says it loaded: all of it from the server.
    loaded = page.evaluate("performance.getEntriesByType('resource').map(e => e.name)")
    assert {"/assets/swagger/swagger-ui-bundle.js", "/openapi.json"} <= {
        url.removeprefix(server) for url in loaded
    }
    assert [url for url in loaded if not url.startswith(server + "/")] == []


def test_the_till_page_loads_whole_from_the_server(server: str, browser: Any) -> None:
    visit = _visit(browser, server, "/checkout")

    assert visit.page.is_visible("#login")
    # Its scripts ran: the sign-in form is wired to the API.
    assert visit.page.evaluate("typeof ML") == "object"
    _assert_complete(visit)


def test_the_pay_page_loads_whole_from_the_server(server: str, browser: Any) -> None:
    with httpx.Client(base_url=server, timeout=10) as api:
        login = api.post("/v1/auth/login", json={"username": "baker", "password": PASSWORD})
        owner = {"Authorization": f"Bearer {login.json()['token']}"}
        token = issue(api, owner, amount="4.20")["token"]

    visit = _visit(browser, server, f"/R/{token}")

    assert visit.page.text_content("#merchant") == BAKERY_NAME
    assert visit.page.evaluate("typeof ML") == "object"
    assert visit.page.is_visible("#login")
    _assert_complete(visit)


def test_the_guard_stops_and_reports_a_request_to_another_host(server: str, browser: Any) -> None:
    page = browser.new_page()
    outside = block_outside(page, server)

    # A page that would load a script from a CDN (and has no policy of its own that would
    # refuse it first): the request is stopped, and named.
    page.set_content('<script src="https://cdn.example.org/lib.js"></script><p>x</p>')

    assert outside == ["https://cdn.example.org/lib.js"]
    assert page.evaluate("typeof window.lib") == "undefined"
