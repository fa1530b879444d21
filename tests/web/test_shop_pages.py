"""The merchant's space over the demonstration, on each engine: the shop's owner and its
cashier open its pages, refund from the payments list within what the core allows, print
the counter code, register webhooks and ask for reconversions; every refusal leaves the
books as they were."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape

from api import i18n
from monnaie_locale.auth import Role, create_user, link_account
from monnaie_locale.ledger.accounts import open_account
from monnaie_locale.model import AccountKind
from tests.support import snapshot
from tests.web.conftest import BASE, PASSWORDS, Site, csrf

SHOP = "business:boulangerie"
SHOP_PAGES = ("/commerce", "/commerce/paiements", "/commerce/reconversions", "/commerce/releves")
OWNER_PAGES = ("/commerce/qr", "/commerce/webhooks", "/commerce/caissiers", "/commerce/profil")
FR = {key: str(escape(text)) for key, text in i18n.texts("fr").items()}


def _api(
    site: Site, username: str, password: str | None = None
) -> tuple[TestClient, dict[str, str]]:
    client = TestClient(site.app, base_url=BASE)
    password = password or PASSWORDS.get(username, "quincaillerie du coin 2026")
    login = client.post("/v1/auth/login", json={"username": username, "password": password})
    assert login.status_code == 200, login.text
    return client, {"Authorization": f"Bearer {login.json()['token']}"}


def pay_shop(site: Site, amount: str, *, shop: str = SHOP, owner: str = "boulangerie") -> int:
    """Alice pays the shop ``amount`` through the API: the shop issues, alice pays; its id."""
    api, merchant = _api(site, owner)
    issued = api.post(
        "/v1/checkout/requests",
        json={"account": shop, "amount": amount},
        headers={**merchant, "Idempotency-Key": f"issue-{shop}-{amount}"},
    )
    assert issued.status_code == 201, issued.text
    api, alice = _api(site, "alice")
    paid = api.post(
        "/v1/checkout/pay",
        json={"request": issued.json()["token"]},
        headers={**alice, "Idempotency-Key": f"pay-{shop}-{amount}"},
    )
    assert paid.status_code == 201, paid.text
    payment_id: int = paid.json()["payment_id"]
    return payment_id


def balance(site: Site, username: str, account: str) -> str:
    api, headers = _api(site, username)
    answer = api.get(f"/v1/accounts/{account}", headers=headers)
    assert answer.status_code == 200, answer.text
    value: str = answer.json()["holder_balance"]
    return value


def _refusal(answer: Any) -> str | None:
    found = re.search(r'data-code="([a-z_]+)"', answer.text)
    return found.group(1) if found else None


def _key(page: str, name: str = "key") -> str:
    found = re.search(rf'name="{name}" value="([^"]+)"', page)
    assert found, page
    return found.group(1)


@pytest.mark.parametrize("username", ["boulangerie", "caisse"])
def test_the_owner_and_the_cashier_open_the_shop_s_pages(site: Site, username: str) -> None:
    pay_shop(site, "4.20")
    browser = site.browser(username)
    for path in SHOP_PAGES:
        answer = browser.get(path)
        assert answer.status_code == 200, (path, answer.text)
        assert "<h1>" in answer.text
    home = browser.get("/commerce").text
    assert 'href="/checkout"' in home
    # The takings act's sums: today's and this month's, the one payment.
    assert re.search(r'id="takings-day">4,20\xa0', home)
    assert re.search(r'id="takings-month">4,20\xa0', home)
    assert ("/commerce/webhooks" in home) is (username == "boulangerie")
    listed = browser.get("/commerce/paiements").text
    assert "member:alice" in listed and "4,20" in listed
    for path in OWNER_PAGES:
        answer = browser.get(path)
        if username == "boulangerie":
            assert answer.status_code == 200, (path, answer.text)
        else:
            assert (answer.status_code, _refusal(answer)) == (403, "role_forbidden")


def test_a_member_is_refused_every_page_of_the_space(site: Site) -> None:
    browser = site.browser("alice")
    for path in (*SHOP_PAGES, *OWNER_PAGES, "/commerce/releves.csv"):
        answer = browser.get(path)
        assert (answer.status_code, _refusal(answer)) == (403, "role_forbidden"), path
        assert FR["shop_title"] not in answer.text


def test_the_owner_refunds_in_full_by_default_and_the_balances_follow(site: Site) -> None:
    payment = pay_shop(site, "12.50")
    browser = site.browser("boulangerie")
    page = browser.get("/commerce/paiements").text
    assert f'id="amount-{payment}"' in page and 'value="12,50"' in page
    form = {"csrf": csrf(browser), "key": _key(page), "amount": "12,50"}
    url = f"/commerce/paiements/{payment}/rembourser"
    answer = browser.post(url, data=form, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].endswith("ok=refunded")
    assert balance(site, "boulangerie", SHOP) == "0.00"
    assert balance(site, "alice", "member:alice") == "100.00"
    # The same form sent again is the same refund: nothing more moves.
    before = snapshot(site.database)
    again = browser.post(url, data=form, follow_redirects=False)
    assert again.status_code == 303
    assert snapshot(site.database) == before
    assert FR["shop_fully_refunded"] in browser.get("/commerce/paiements").text


def test_a_refund_above_the_cashier_s_limit_is_refused_and_nothing_moves(site: Site) -> None:
    payment = pay_shop(site, "60.00")
    browser = site.browser("caisse")
    page = browser.get("/commerce/paiements").text
    before = snapshot(site.database)
    answer = browser.post(
        f"/commerce/paiements/{payment}/rembourser",
        data={"csrf": csrf(browser), "key": _key(page), "amount": "60,00"},
    )
    assert (answer.status_code, _refusal(answer)) == (409, "refund_limit_exceeded")
    assert "50,00" in answer.text  # the limit, said in French
    assert snapshot(site.database) == before
    assert balance(site, "boulangerie", SHOP) == "60.00"
    # Within the limit, the cashier refunds alone.
    answer = browser.post(
        f"/commerce/paiements/{payment}/rembourser",
        data={"csrf": csrf(browser), "key": _key(page) + "-b", "amount": "10"},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert balance(site, "boulangerie", SHOP) == "50.00"


def test_a_payment_of_another_shop_is_unknown_to_the_shop_and_nothing_moves(site: Site) -> None:
    def open_grocery(conn: Any) -> None:
        now = site.app.state.clock()
        open_account(
            conn, "business:quincaillerie", kind=AccountKind.BUSINESS, currency="MLC", now=now
        )
        user = create_user(
            conn,
            "quincaillier",
            password="quincaillerie du coin 2026",
            role=Role.MERCHANT_OWNER,
            now=now,
        )
        link_account(conn, user.id, account_code="business:quincaillerie")

    site.database.write(open_grocery)
    theirs = pay_shop(site, "5.00", shop="business:quincaillerie", owner="quincaillier")
    for username in ("boulangerie", "caisse"):
        browser = site.browser(username)
        before = snapshot(site.database)
        answer = browser.post(
            f"/commerce/paiements/{theirs}/rembourser",
            data={"csrf": csrf(browser), "key": "forged-1", "amount": "5"},
        )
        assert (answer.status_code, _refusal(answer)) == (404, "unknown_payment")
        assert snapshot(site.database) == before
        assert "member:alice" not in browser.get("/commerce/paiements").text
    assert balance(site, "quincaillier", "business:quincaillerie") == "5.00"


def test_a_refund_with_a_bad_amount_is_refused_and_nothing_moves(site: Site) -> None:
    payment = pay_shop(site, "8.00")
    browser = site.browser("boulangerie")
    page = browser.get("/commerce/paiements").text
    before = snapshot(site.database)
    for amount in ("", "-1", "1e3", "8,001", "9,00"):
        answer = browser.post(
            f"/commerce/paiements/{payment}/rembourser",
            data={"csrf": csrf(browser), "key": _key(page), "amount": amount},
        )
        assert answer.status_code in (409, 422), (amount, answer.status_code)
        assert _refusal(answer) is not None
    assert snapshot(site.database) == before


def test_the_counter_sheet_shows_the_shop_its_currency_and_the_same_code_each_time(
    site: Site,
) -> None:
    browser = site.browser("boulangerie")
    first = browser.get("/commerce/qr").text
    assert "Boulangerie Etchegaray" in first
    assert f"{FR['shop_pay_in']} {site.app.state.settings.currency_name}" in first
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in first and "<path" in first
    url = re.search(r'id="qr-url">([^<]+)<', first)
    assert url and url.group(1).startswith("HTTPS://") and "/R/" in url.group(1)
    assert url.group(1) in browser.get("/commerce/qr").text


def test_the_owner_registers_lists_and_disables_a_webhook(site: Site) -> None:
    browser = site.browser("boulangerie")
    answer = browser.post(
        "/commerce/webhooks",
        data={"csrf": csrf(browser), "url": "https://93.184.215.14/hooks/mlc"},
    )
    assert answer.status_code == 200, answer.text
    assert re.search(r'id="secret"[^>]*>whsec_', answer.text)
    listed = browser.get("/commerce/webhooks").text
    endpoint = re.search(r'href="/commerce/webhooks/(\d+)"', listed)
    assert endpoint and "https://93.184.215.14/hooks/mlc" in listed
    assert "whsec_" not in listed  # the secret is shown once
    log = browser.get(f"/commerce/webhooks/{endpoint.group(1)}")
    assert log.status_code == 200 and FR["shop_no_deliveries"] in log.text
    pay_shop(site, "2.00")
    log = browser.get(f"/commerce/webhooks/{endpoint.group(1)}")
    assert "checkout.payment" in log.text
    answer = browser.post(
        f"/commerce/webhooks/{endpoint.group(1)}/desactiver",
        data={"csrf": csrf(browser)},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert FR["shop_endpoint_disabled"] in browser.get("/commerce/webhooks").text


@pytest.mark.parametrize("url", ["ftp://shop.example/hook", "hooks.example.org", "https://"])
def test_a_webhook_address_that_is_not_https_is_refused_with_what_to_do(
    site: Site, url: str
) -> None:
    browser = site.browser("boulangerie")
    before = snapshot(site.database)
    answer = browser.post("/commerce/webhooks", data={"csrf": csrf(browser), "url": url})
    assert (answer.status_code, _refusal(answer)) == (422, "invalid_webhook_url")
    assert str(escape(i18n.refusal("invalid_webhook_url", "fr"))) in answer.text
    assert "https://" in i18n.refusal("invalid_webhook_url", "fr")
    assert snapshot(site.database) == before
    assert FR["shop_no_endpoints"] in browser.get("/commerce/webhooks").text


def test_another_shop_s_webhook_is_unknown(site: Site) -> None:
    browser = site.browser("boulangerie")
    before = snapshot(site.database)
    for method, path in (
        ("GET", "/commerce/webhooks/999"),
        ("POST", "/commerce/webhooks/999/desactiver"),
    ):
        answer = browser.request(method, path, data={"csrf": csrf(browser)})
        assert (answer.status_code, _refusal(answer)) == (404, "unknown_webhook_endpoint")
    assert snapshot(site.database) == before


def _payout(browser: TestClient, amount: str) -> dict[str, str]:
    return {
        "csrf": csrf(browser),
        "amount": amount,
        "creditor_name": "Boulangerie Etchegaray",
        "iban": "FR76 3000 6000 0112 3456 7890 189",
        "bic": "",
    }


def test_a_reconversion_over_the_balance_is_refused_and_nothing_moves(site: Site) -> None:
    pay_shop(site, "20.00")
    browser = site.browser("boulangerie")
    before = snapshot(site.database)
    answer = browser.post(
        "/commerce/reconversions", data={**_payout(browser, "25,00"), "key": "too-much"}
    )
    assert (answer.status_code, _refusal(answer)) == (409, "insufficient_funds")
    assert snapshot(site.database) == before
    assert balance(site, "boulangerie", SHOP) == "20.00"
    assert FR["shop_no_reconversions"] in browser.get("/commerce/reconversions").text


def test_the_owner_asks_for_a_reconversion_and_cancels_it(site: Site) -> None:
    pay_shop(site, "20.00")
    browser = site.browser("boulangerie")
    answer = browser.post(
        "/commerce/reconversions",
        data={**_payout(browser, "15,00"), "key": "reconvert-1"},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    listed = browser.get("/commerce/reconversions?ok=requested").text
    assert FR["shop_reconversion_requested"] in listed
    assert FR["shop_reconversion_status_requested"] in listed and "15,00" in listed
    request_id = re.search(r'action="/commerce/reconversions/(\d+)/annuler"', listed)
    assert request_id
    # The cashier sees the request, but may neither ask nor cancel.
    cashier = site.browser("caisse")
    assert FR["shop_reconversion_status_requested"] in cashier.get("/commerce/reconversions").text
    before = snapshot(site.database)
    for path in (
        "/commerce/reconversions",
        f"/commerce/reconversions/{request_id.group(1)}/annuler",
    ):
        refused = cashier.post(path, data={**_payout(cashier, "1"), "key": "cashier-1"})
        assert (refused.status_code, _refusal(refused)) == (403, "role_forbidden")
    assert snapshot(site.database) == before
    answer = browser.post(
        f"/commerce/reconversions/{request_id.group(1)}/annuler",
        data={"csrf": csrf(browser)},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert FR["shop_reconversion_status_cancelled"] in browser.get("/commerce/reconversions").text


@pytest.mark.parametrize("username", ["boulangerie", "caisse"])
def test_the_statements_download_as_csv_and_pdf(site: Site, username: str) -> None:
    pay_shop(site, "3.10")
    browser = site.browser(username)
    answer = browser.get("/commerce/releves.csv")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert "3,10" in answer.text and ";" in answer.text
    assert 'filename="statement-business-boulangerie.csv"' in answer.headers["content-disposition"]
    answer = browser.get("/commerce/releves.pdf?du=2000-01-01&au=2999-12-31")
    assert answer.status_code == 200 and answer.content.startswith(b"%PDF")
    assert "from-2000-01-01-to-2999-12-31.pdf" in answer.headers["content-disposition"]
    for query in ("du=2026-13-01", "du=2026-12-31&au=2026-01-01", "du=demain"):
        refused = browser.get(f"/commerce/releves.csv?{query}")
        assert (refused.status_code, _refusal(refused)) == (422, "invalid_request"), query


def test_the_reconversion_s_fee_is_shown_before_anything_is_held(site: Site) -> None:
    pay_shop(site, "20.00")
    browser = site.browser("boulangerie")
    before = snapshot(site.database)
    page = browser.post("/commerce/reconversions/apercu", data=_payout(browser, "15,00"))
    assert page.status_code == 200, page.text
    fee = re.search(r'id="quote-fee">([^<]+)<', page.text)
    payout = re.search(r'id="quote-payout">([^<]+)<', page.text)
    assert fee and payout and payout.group(1).endswith("€")
    assert 'name="amount" value="15.00"' in page.text
    assert snapshot(site.database) == before  # a quote holds nothing
    answer = browser.post(
        "/commerce/reconversions",
        data={**_payout(browser, "15.00"), "key": _key(page.text)},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    listed = browser.get("/commerce/reconversions").text
    assert payout.group(1) in listed and fee.group(1) in listed
    # Over the balance, the quote is given (it holds nothing) but the request is refused.
    before = snapshot(site.database)
    refused = browser.post(
        "/commerce/reconversions", data={**_payout(browser, "10,00"), "key": "over"}
    )
    assert (refused.status_code, _refusal(refused)) == (409, "insufficient_funds")
    assert snapshot(site.database) == before
    for amount in ("0", "abc", ""):
        refused = browser.post("/commerce/reconversions/apercu", data=_payout(browser, amount))
        assert refused.status_code == 422 and _refusal(refused), amount


def test_the_owner_adds_disables_and_resets_a_cashier(site: Site) -> None:
    owner = site.browser("boulangerie")
    listed = owner.get("/commerce/caissiers")
    assert listed.status_code == 200 and 'id="cashier-caisse"' in listed.text
    answer = owner.post(
        "/commerce/caissiers",
        data={"csrf": csrf(owner), "username": "caisse2", "password": "une caisse bien gardée"},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    assert _api(site, "caisse2", "une caisse bien gardée")[1]
    new_till = TestClient(site.app, base_url=BASE)
    new_till.get("/connexion")
    signed = new_till.post(
        "/connexion",
        data={"username": "caisse2", "password": "une caisse bien gardée", "csrf": csrf(new_till)},
        follow_redirects=False,
    )
    assert signed.status_code == 303 and signed.headers["location"] == "/commerce"
    assert new_till.get("/commerce/paiements").status_code == 200
    answer = owner.post(
        "/commerce/caissiers/caisse2/desactiver", data={"csrf": csrf(owner)}, follow_redirects=False
    )
    assert answer.status_code == 303
    # Disabled: the open session ends at once.
    assert new_till.get("/commerce/paiements").status_code == 401
    assert FR["shop_cashier_inactive"] in owner.get("/commerce/caissiers").text
    answer = owner.post(
        "/commerce/caissiers/caisse/mot-de-passe",
        data={"csrf": csrf(owner), "password": "un tout nouveau secret"},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert _api(site, "caisse", "un tout nouveau secret")[1]


def test_a_cashier_manages_no_cashier_and_another_shop_s_cashier_is_unknown(site: Site) -> None:
    cashier = site.browser("caisse")
    before = snapshot(site.database)
    for method, path in (
        ("GET", "/commerce/caissiers"),
        ("POST", "/commerce/caissiers"),
        ("POST", "/commerce/caissiers/caisse/desactiver"),
    ):
        answer = cashier.request(method, path, data={"csrf": csrf(cashier), "username": "x"})
        assert (answer.status_code, _refusal(answer)) == (403, "role_forbidden"), path
    owner = site.browser("boulangerie")
    for username in ("alice", "nobody"):
        answer = owner.post(
            f"/commerce/caissiers/{username}/desactiver", data={"csrf": csrf(owner)}
        )
        assert answer.status_code == 404, answer.text
    answer = owner.post(
        "/commerce/caissiers", data={"csrf": csrf(owner), "username": "caisse3", "password": "x"}
    )
    assert answer.status_code == 422 and _refusal(answer)
    assert snapshot(site.database) == before


def test_the_owner_writes_the_shop_s_directory_profile(site: Site) -> None:
    owner = site.browser("boulangerie")
    page = owner.get("/commerce/profil")
    assert page.status_code == 200 and "Boulangerie Etchegaray" in page.text
    answer = owner.post(
        "/commerce/profil",
        data={
            "csrf": csrf(owner),
            "category": "Boulangerie",
            "town": "Ustaritz",
            "address": "3 rue Port-Neuf",
            "description": "Pain au levain, gâteau basque.",
            "listed": "on",
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    page = owner.get("/commerce/profil?ok=saved").text
    assert FR["shop_profile_saved"] in page and 'value="3 rue Port-Neuf"' in page
    found = TestClient(site.app, base_url=BASE).get("/v1/directory?q=ustaritz")
    assert found.status_code == 200 and "Boulangerie Etchegaray" in found.text
    before = snapshot(site.database)
    answer = owner.post("/commerce/profil", data={"csrf": csrf(owner), "category": "", "town": ""})
    assert answer.status_code == 422 and _refusal(answer)
    assert snapshot(site.database) == before
    for username in ("caisse", "alice"):
        browser = site.browser(username)
        answer = browser.get("/commerce/profil")
        assert (answer.status_code, _refusal(answer)) == (403, "role_forbidden")


def test_a_field_longer_than_it_may_be_is_refused_not_cut(site: Site) -> None:
    owner = site.as_role(Role.MERCHANT_OWNER)
    before = snapshot(site.database)
    answer = owner.post(
        "/commerce/reconversions/apercu",
        data={"csrf": csrf(owner), "amount": "1" + "0" * 60, "key": "k"},
    )
    assert (answer.status_code, 'data-code="invalid_form"' in answer.text) == (422, True)
    assert snapshot(site.database) == before
