"""The web app's front door in a real browser: the home page, signing in with a password,
and signing out everywhere, on a phone and a desktop, in French and in English."""

from __future__ import annotations

from typing import Any

from api import i18n
from tests.e2e.web_support import Screen, assert_accessible, keep_screenshot, open_page, sign_in


def test_the_home_page_links_the_wallet_the_shop_the_directory_and_the_docs(
    chromium: Any, demo_site: str, screen: Screen
) -> None:
    page, outside = open_page(chromium, demo_site, screen)
    page.goto(demo_site + "/")
    texts = i18n.texts(screen.lang)  # type: ignore[arg-type]
    assert page.locator("html").get_attribute("lang") == screen.lang
    for target, label in (
        ("/portefeuille", texts["nav_wallet"]),
        ("/commerce", texts["nav_shop"]),
        ("/annuaire", texts["nav_directory"]),
        ("/docs", texts["home_api"]),
    ):
        assert page.locator(f"main a[href='{target}']").inner_text().startswith(label)
    assert_accessible(page)
    keep_screenshot(page, "home", screen)
    page.goto(demo_site + "/connexion")
    assert_accessible(page)
    keep_screenshot(page, "sign-in", screen)
    assert outside == []


def test_signing_out_everywhere_ends_the_session_on_every_device(
    chromium: Any, demo_site: str, screen: Screen
) -> None:
    phone, _ = open_page(chromium, demo_site, screen)
    laptop, _ = open_page(chromium, demo_site, screen)
    for device in (phone, laptop):
        sign_in(device, demo_site, "bob")
        device.goto(demo_site + "/")
        assert "bob" in device.locator("main").inner_text()
    phone.goto(demo_site + "/")
    phone.click("#sign-out-everywhere button")
    phone.wait_for_load_state()
    laptop.goto(demo_site + "/")
    assert "bob" not in laptop.locator("main").inner_text()
    assert laptop.locator("header a[href='/connexion']").count() == 1


def test_a_wrong_password_is_refused_in_the_page_s_language(
    chromium: Any, demo_site: str, screen: Screen
) -> None:
    page, _ = open_page(chromium, demo_site, screen)
    page.goto(demo_site + "/connexion")
    page.fill("#username", "alice")
    page.fill("#password", "not her password")
    page.click("#sign-in button[type=submit]")
    page.wait_for_load_state()
    refusal = i18n.refusal("invalid_credentials", screen.lang)  # type: ignore[arg-type]
    assert page.locator("#notice").inner_text() == refusal
    assert_accessible(page)


def test_the_directory_finds_a_business_and_shows_the_offices(
    chromium: Any, demo_site: str, screen: Screen
) -> None:
    page, outside = open_page(chromium, demo_site, screen)
    page.goto(demo_site + "/annuaire")
    assert page.locator("#businesses li").count() == 2
    assert page.locator("#offices li").count() >= 1
    assert_accessible(page)
    keep_screenshot(page, "directory", screen)
    page.fill("#q", "epicerie")
    page.click("form[role=search] button")
    page.wait_for_load_state()
    assert page.locator("#businesses li").count() == 1
    assert "Épicerie" in page.locator("#businesses").inner_text()
    assert outside == []
