"""What the web app's browser tests share: the demonstration served on a free port, a
browser at a phone's or a desktop's size in French or English, signing in, the
accessibility check, the gallery's screenshots, and the books read through the API.

Every test runs against the demonstration (:mod:`monnaie_locale.demo`), the deployment a
newcomer meets with ``make run``, over a SQLite file of its own. Outside requests are
aborted and recorded, so a page that needs another host shows up.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from api.app import create_app
from monnaie_locale.acts.demo import set_up_demo
from monnaie_locale.config import Settings
from monnaie_locale.demo import DEMO_USERS
from monnaie_locale.store import connect, migrate
from tests.e2e.support import live_server

__all__ = [
    "CHROMIUM",
    "GALLERY",
    "SCREENS",
    "STORY_SCREENS",
    "Screen",
    "add_virtual_authenticator",
    "api_balance",
    "assert_accessible",
    "demo_password",
    "keep_screenshot",
    "open_page",
    "serve_demo",
    "sign_in",
]

CHROMIUM = Path("/usr/bin/chromium")
GALLERY = Path(__file__).resolve().parents[2] / "docs" / "gallery"


@dataclass(frozen=True)
class Screen:
    """A device the pages are tried on: its size and its language."""

    width: int
    height: int
    lang: str

    @property
    def phone(self) -> bool:
        return self.width < 600

    def __str__(self) -> str:
        return f"{'phone' if self.phone else 'desktop'}-{self.lang}"


SCREENS = tuple(
    Screen(width, height, lang)
    for width, height in ((390, 844), (1280, 800))
    for lang in ("fr", "en")
)


# A phone in French and a desktop in English: each size and each language once, for the
# stories that run on more than one screen (the French phone's pictures are the gallery).
STORY_SCREENS = (SCREENS[0], SCREENS[3])


def demo_password(username: str) -> str:
    return next(user.password for user in DEMO_USERS if user.username == username)


def serve_demo(folder: Path) -> Iterator[str]:
    """The demonstration, served on a free loopback port; yields its base URL.

    The site is reached as ``http://localhost:<port>``, its public host: browsers allow
    passkeys there without TLS, and the QR codes carry that host.
    """
    url = f"sqlite:///{folder / 'demo.db'}"
    database = connect(url)
    migrate(database)
    settings = set_up_demo(
        database, Settings(database_url=url, webhook_poll_seconds=3600), key_folder=folder
    )
    app = create_app(settings, database=database)
    with live_server(app) as base:
        local = base.replace("127.0.0.1", "localhost")
        app.state.settings = settings.model_copy(
            update={"public_host": local.removeprefix("http://")}
        )
        yield local
    database.dispose()


def open_page(browser: Any, base: str, screen: Screen) -> tuple[Any, list[str]]:
    """A new page on its own device; the outside requests it tried (aborted) are listed."""
    context = browser.new_context(
        locale="fr-FR" if screen.lang == "fr" else "en-GB",
        viewport={"width": screen.width, "height": screen.height},
        service_workers="block",
    )
    outside: list[str] = []

    def route(request_route: Any) -> None:
        url = request_route.request.url
        if url.startswith(base) or url.startswith("data:"):
            request_route.continue_()
        else:
            outside.append(url)
            request_route.abort()

    context.route("**/*", route)
    return context.new_page(), outside


def sign_in(page: Any, base: str, username: str) -> None:
    """Sign in through the sign-in page, as a person would."""
    page.goto(base + "/connexion")
    page.fill("#username", username)
    page.fill("#password", demo_password(username))
    page.click("#sign-in button[type=submit]")
    page.wait_for_load_state()


def assert_accessible(page: Any) -> None:
    """axe-core finds no serious or critical violation on the page as it stands."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    grave = [
        (violation["id"], [node["target"] for node in violation["nodes"]][:3])
        for violation in results.response["violations"]
        if violation.get("impact") in ("serious", "critical")
    ]
    assert grave == [], f"{page.url}: {grave}"


def keep_screenshot(page: Any, name: str, screen: Screen) -> None:
    """The page's picture for the README's gallery, at phone width, when MLC_GALLERY is set."""
    if os.environ.get("MLC_GALLERY") and screen.phone:
        GALLERY.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(GALLERY / f"{name}-{screen.lang}.png"), full_page=True)


def api_balance(base: str, username: str, account: str) -> Decimal:
    """``account``'s balance as the API tells ``username``, its holder."""
    with httpx.Client(base_url=base) as client:
        token = client.post(
            "/v1/auth/login", json={"username": username, "password": demo_password(username)}
        ).json()["token"]
        answer = client.get(f"/v1/accounts/{account}", headers={"Authorization": f"Bearer {token}"})
        answer.raise_for_status()
        return Decimal(answer.json()["holder_balance"])


def add_virtual_authenticator(page: Any) -> None:
    """Chromium's virtual authenticator on ``page``: a platform passkey that always agrees."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
