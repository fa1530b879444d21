""" "Mon solde est-il compté ?" in a real browser, over the demonstration with a checkpoint
signed by its key: alice's own browser recomputes her proof up to the signed root and
checks the checkpoint's Ed25519 signature, and says her balance is counted. Served a
proof with one amount lowered, or a checkpoint with its circulation changed, the same
page says it is NOT verified; where the browser lacks Ed25519 it says so and offers the
files for the offline verifier. Every screen is checked by axe."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from api import i18n
from api.app import create_app
from monnaie_locale.acts.demo import set_up_demo
from monnaie_locale.config import Settings
from monnaie_locale.store import Database, connect, migrate
from monnaie_locale.transparency import checkpoints, tree
from tests.e2e.support import live_server
from tests.e2e.web_support import Screen, assert_accessible, keep_screenshot, open_page, sign_in

PAGE = "/portefeuille/verification"


@dataclass
class Served:
    base: str
    app: Any
    database: Database


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    """The demonstration, served, with one checkpoint signed by the service's own key."""
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    database = connect(url)
    migrate(database)
    settings = set_up_demo(
        database, Settings(database_url=url, webhook_poll_seconds=3600), key_folder=tmp_path
    )
    app = create_app(settings, database=database)
    with live_server(app) as base:
        local = base.replace("127.0.0.1", "localhost")
        app.state.settings = settings.model_copy(
            update={"public_host": local.removeprefix("http://")}
        )
        state = app.state
        tree.extend_all(database.write, now=state.clock())
        origin = checkpoints.origin_of(state.settings.public_host, settings.deployment_name)
        database.write(
            lambda conn: checkpoints.make_checkpoint(
                conn,
                state.deployment,
                key=state.checkout.keyring.active,
                origin=origin,
                now=state.clock(),
            )
        )
        yield Served(local, app, database)
    database.dispose()


def _texts(screen: Screen) -> dict[str, str]:
    return i18n.texts(screen.lang)  # type: ignore[arg-type]


def _checked(page: Any) -> str:
    """Load the page again (routes and scripts set since apply) and wait for its script's
    verdict: "counted" or "not-counted"."""
    page.reload()
    page.wait_for_selector("#counted[data-done]", state="attached", timeout=15_000)
    return str(page.get_attribute("#counted", "data-done"))


def _open(chromium: Any, served: Served, screen: Screen) -> tuple[Any, list[str]]:
    page, outside = open_page(chromium, served.base, screen)
    sign_in(page, served.base, "alice")
    page.goto(served.base + PAGE)
    return page, outside


def test_alice_s_browser_finds_her_balance_counted_and_the_checkpoint_signed(
    chromium: Any, served: Served, screen: Screen
) -> None:
    page, outside = _open(chromium, served, screen)
    texts = _texts(screen)

    assert _checked(page) == "counted"
    assert page.locator("#counted-yes").is_visible()
    assert page.locator("#counted-no").is_hidden()
    assert page.locator("#counted-checking").is_hidden()
    said = page.inner_text("#counted-yes")
    assert texts["counted_yes"] in said
    if screen.lang == "fr":
        assert "Votre solde est compté." in said
    # Chromium has Ed25519 in WebCrypto: the signature is checked here, not deferred.
    assert page.locator("#signature-yes").is_visible()
    assert page.locator("#signature-unavailable").is_hidden()
    assert page.inner_text("h1") == texts["counted_title"]
    assert page.locator("#download-proof").is_visible()
    assert page.locator("#download-checkpoint").is_visible()
    assert_accessible(page)
    keep_screenshot(page, "wallet-counted", screen)
    assert outside == []


def test_a_proof_with_a_lowered_amount_is_not_verified(
    chromium: Any, served: Served, screen: Screen
) -> None:
    page, outside = _open(chromium, served, screen)

    def lowered(route: Any) -> None:
        proof = json.loads(route.fetch().text())
        one = max(proof["leaves"], key=lambda leaf: leaf["amount"])
        one["amount"] -= 1
        route.fulfill(status=200, content_type="application/json", body=json.dumps(proof))

    page.route("**/portefeuille/verification/preuve.json*", lowered)

    assert _checked(page) == "not-counted"
    assert page.locator("#counted-no").is_visible()
    assert page.locator("#counted-yes").is_hidden()
    said = page.inner_text("#counted-no")
    assert _texts(screen)["counted_no"] in said
    if screen.lang == "fr":
        assert "n'est PAS vérifié" in said
    assert page.locator('[data-reason="not_counted"]').is_visible()
    # The checkpoint itself was not touched: its signature still holds.
    assert page.locator("#signature-yes").is_visible()
    assert_accessible(page)
    assert outside == []


def test_a_checkpoint_changed_on_the_way_fails_its_signature(
    chromium: Any, served: Served, screen: Screen
) -> None:
    page, _ = _open(chromium, served, screen)

    def inflated(route: Any) -> None:
        note = route.fetch().text()
        lines = note.split("\n")
        at = next(i for i, line in enumerate(lines) if line.startswith("circulation digital "))
        lines[at] = f"circulation digital {int(lines[at].split()[2]) + 100}"
        route.fulfill(status=200, content_type="text/plain", body="\n".join(lines))

    page.route("**/portefeuille/verification/checkpoint.note*", inflated)

    assert _checked(page) == "not-counted"
    assert page.locator('[data-reason="sum"]').is_visible()
    assert page.locator("#signature-no").is_visible()
    assert page.locator("#signature-yes").is_hidden()


def test_without_ed25519_the_page_says_so_and_offers_the_files(
    chromium: Any, served: Served, screen: Screen
) -> None:
    page, _ = _open(chromium, served, screen)
    # A browser whose WebCrypto lacks Ed25519, as some still do.
    page.add_init_script(
        """
        const importKey = crypto.subtle.importKey.bind(crypto.subtle);
        crypto.subtle.importKey = (format, key, algorithm, ...rest) =>
          algorithm && algorithm.name === "Ed25519"
            ? Promise.reject(new DOMException("no Ed25519", "NotSupportedError"))
            : importKey(format, key, algorithm, ...rest);
        """
    )

    assert _checked(page) == "counted"
    assert page.locator("#signature-unavailable").is_visible()
    assert page.locator("#signature-yes").is_hidden()
    assert _texts(screen)["counted_signature_unavailable"] in page.inner_text("#counted")
    with page.expect_download() as download:
        page.click("#download-checkpoint")
    assert Path(download.value.path()).read_text(encoding="utf-8").startswith("localhost")
