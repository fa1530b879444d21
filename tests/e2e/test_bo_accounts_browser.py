"""The back-office's accounts in a real browser, over the demonstration: an operator
imports a file with one bad line, reads the dry run, sends the file fixed, confirms, and
freezes one of the accounts opened; every page on the way is checked for accessibility,
and the books are read back through the API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from tests.e2e.web_support import (
    Screen,
    assert_accessible,
    demo_password,
    keep_screenshot,
    open_page,
    sign_in,
)

# One screen: the back-office is worked at a desk, here in French.
DESK = Screen(1280, 800, "fr")
HEADER = "code;kind;currency;owner;lower_limit;upper_limit;display_name\n"
FIXED = (
    HEADER + "claire;member;MLC;M-0042;0;;Claire Dupuis\n"
    "epicerie;business;MLC;P-0107;0;;Épicerie du marché\n"
)
# The third line names a kind that does not exist.
BROKEN = FIXED + "dave;adherent;MLC;M-0043;0;;\n"


def account(base: str, code: str) -> dict[str, Any] | None:
    """The account as the API shows the association's operator; None if there is none."""
    with httpx.Client(base_url=base, timeout=10) as api:
        login = api.post(
            "/v1/auth/login", json={"username": "asso", "password": demo_password("asso")}
        )
        headers = {"Authorization": f"Bearer {login.json()['token']}"}
        answer = api.get(f"/v1/accounts/{code}", headers=headers)
        return answer.json() if answer.status_code == 200 else None  # type: ignore[no-any-return]


def test_an_operator_imports_a_file_after_fixing_it_then_freezes_an_account(
    chromium: Any, demo_site: str, tmp_path: Path
) -> None:
    page, outside = open_page(chromium, demo_site, DESK)
    sign_in(page, demo_site, "asso")
    page.goto(demo_site + "/gestion/comptes")
    assert_accessible(page)
    page.click("a[href='/gestion/comptes/import']")
    page.wait_for_load_state()
    assert_accessible(page)

    broken = tmp_path / "membres.csv"
    broken.write_text(BROKEN, encoding="utf-8")
    page.set_input_files("#file", str(broken))
    page.click("#upload button[type=submit]")
    page.wait_for_load_state()
    # The dry run: each line's fate, the bad one refused with its reason, nothing written.
    assert page.locator("#line-2.opened").count() == 1
    assert page.locator("#line-3.opened").count() == 1
    assert "type inconnu" in page.locator("#line-4.refused").inner_text()
    assert page.locator("#confirm-import").count() == 0
    assert account(demo_site, "claire") is None
    assert_accessible(page)
    keep_screenshot(page, "bo-accounts-dry-run", DESK)

    fixed = tmp_path / "membres-corrige.csv"
    fixed.write_text(FIXED, encoding="utf-8")
    page.set_input_files("#file", str(fixed))
    page.click("#upload button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#fates tr.refused").count() == 0
    assert page.locator("#ready").is_visible()
    assert account(demo_site, "claire") is None
    assert_accessible(page)
    page.click("#confirm-import button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#imported").is_visible()
    claire = account(demo_site, "claire")
    assert claire and (claire["kind"], claire["status"]) == ("member", "active")
    epicerie = account(demo_site, "epicerie")
    assert epicerie and epicerie["display_name"] == "Épicerie du marché"

    page.goto(demo_site + "/gestion/comptes")
    page.fill("#q", "épicerie")
    page.click("#search button[type=submit]")
    page.wait_for_load_state()
    page.click("#accounts a[href='/gestion/comptes/epicerie']")
    page.wait_for_load_state()
    assert_accessible(page)
    page.click("#freeze")
    page.wait_for_load_state()
    assert page.locator("[role=status]").is_visible()
    assert page.locator("#unfreeze").count() == 1
    assert account(demo_site, "epicerie")["status"] == "frozen"  # type: ignore[index]
    assert_accessible(page)
    assert outside == []
