"""The back-office's money pages over the demonstration, on each engine: conversion orders
credited, reconversions approved into a batch whose pain.001 file is downloaded and which
is marked paid, membership fees recorded, the currency's rules changed from a day on.
Each story checks what the page shows and what the books hold afterwards (through the
API); every refusal (bad input, an auditor's form) leaves the books as they were."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape

from api import i18n
from monnaie_locale.auth import Role
from tests.support import snapshot
from tests.web.conftest import BASE, PASSWORDS, Site, csrf

FR = {key: str(escape(text)) for key, text in i18n.texts("fr").items()}
SHOP = "business:boulangerie"
PAIN = "{urn:iso:std:iso:20022:tech:xsd:pain.001.001.03}"


def _api(site: Site, username: str) -> tuple[TestClient, dict[str, str]]:
    client = TestClient(site.app, base_url=BASE)
    login = client.post(
        "/v1/auth/login", json={"username": username, "password": PASSWORDS[username]}
    )
    assert login.status_code == 200, login.text
    return client, {"Authorization": f"Bearer {login.json()['token']}"}


def _call(site: Site, username: str, method: str, path: str, **kwargs: Any) -> Any:
    client, headers = _api(site, username)
    extra = kwargs.pop("headers", {})
    answer = client.request(method, path, headers={**headers, **extra}, **kwargs)
    assert answer.status_code < 300, answer.text
    return answer.json()


def _balance(site: Site, username: str, account: str, field: str = "holder_balance") -> str:
    found: str = _call(site, username, "GET", f"/v1/accounts/{account}")[field]
    return found


def _key(page: str, name: str = "key") -> str:
    found = re.search(rf'name="{name}" value="([^"]+)"', page)
    assert found, page
    return found.group(1)


def _refusal(answer: Any) -> str | None:
    found = re.search(r'data-code="([a-z_]+)"', answer.text)
    return found.group(1) if found else None


def _order(site: Site, amount: str, *, key: str = "order-1") -> dict[str, Any]:
    """Alice orders a conversion by bank transfer through the API."""
    order: dict[str, Any] = _call(
        site,
        "alice",
        "POST",
        "/v1/conversions/orders",
        json={"account": "member:alice", "amount": amount},
        headers={"Idempotency-Key": key},
    )
    return order


# Conversion orders -----------------------------------------------------------------------


def test_an_order_is_shown_then_credited_once_and_the_member_s_balance_follows(
    site: Site,
) -> None:
    order = _order(site, "25.00")
    asso = site.as_role(Role.ASSOCIATION_OPERATOR)
    page = asso.get("/gestion/conversions")
    assert page.status_code == 200, page.text
    card = page.text.split(f'id="order-{order["id"]}"')[1].split("</li>")[0]
    assert order["reference"] in card and "member:alice" in card and "25,00" in card
    form = {
        "csrf": csrf(asso),
        "key": _key(page.text),
        "bank_reference": "VIR-2026-0042",
        "amount": "25,00",
        "on": "",
    }
    url = f"/gestion/conversions/{order['id']}/crediter"
    answer = asso.post(url, data=form, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == "/gestion/conversions?ok=credited"
    assert _balance(site, "alice", "member:alice") == "125.00"
    shown = _call(site, "alice", "GET", f"/v1/conversions/{order['id']}")
    assert (shown["status"], shown["bank_reference"]) == ("credited", "VIR-2026-0042")
    after = asso.get("/gestion/conversions").text
    assert FR["bo_conv_ok_credited"] in asso.get(answer.headers["location"]).text
    assert f'id="order-{order["id"]}"' not in after and 'id="no-orders"' in after
    # The same form again (a double click): the same credit, nothing more issued.
    again = asso.post(url, data=form, follow_redirects=False)
    assert again.status_code == 303
    assert _balance(site, "alice", "member:alice") == "125.00"


def test_a_credit_s_bad_input_is_refused_and_changes_nothing(site: Site) -> None:
    order = _order(site, "25.00")
    other = _order(site, "10.00", key="order-2")
    asso = site.as_role(Role.ASSOCIATION_OPERATOR)
    key = _key(asso.get("/gestion/conversions").text)
    good = {"csrf": csrf(asso), "key": key, "bank_reference": "VIR-1", "amount": "25,00"}
    before = snapshot(site.database)
    for order_id, changes, status, code in (
        (order["id"], {"amount": "25,0O"}, 422, "invalid_amount"),
        (order["id"], {"amount": "-25"}, 422, "invalid_amount"),
        (order["id"], {"amount": "24,99"}, 409, "amount_mismatch"),
        (order["id"], {"bank_reference": ""}, 422, "invalid_request"),
        (order["id"], {"bank_reference": "x" * 141}, 422, "invalid_form"),
        (order["id"], {"on": "31/12/2026"}, 422, "invalid_request"),
        (order["id"], {"on": "2999-01-01"}, 422, "operation_date_in_future"),
        (order["id"], {"key": ""}, 422, "invalid_request"),
        (999_999, {}, 404, "unknown_record"),
    ):
        answer = asso.post(
            f"/gestion/conversions/{order_id}/crediter",
            data={**good, **changes},
            follow_redirects=False,
        )
        assert (answer.status_code, _refusal(answer)) == (status, code), changes
        assert snapshot(site.database) == before, changes
    # A card conversion of the demo is no order: refused as unknown.
    assert asso.post("/gestion/conversions/1/crediter", data=good).status_code == 404
    # One key, one credit: the same key for another order is refused, nothing moves.
    done = asso.post(f"/gestion/conversions/{order['id']}/crediter", data=good)
    assert done.status_code == 200
    moved = snapshot(site.database)
    reused = asso.post(
        f"/gestion/conversions/{other['id']}/crediter",
        data={**good, "amount": "10,00", "bank_reference": "VIR-2"},
        follow_redirects=False,
    )
    assert (reused.status_code, _refusal(reused)) == (409, "idempotency_conflict")
    assert snapshot(site.database) == moved
    assert _balance(site, "alice", "member:alice") == "125.00"


def test_an_order_whose_transfer_never_came_is_cancelled(site: Site) -> None:
    order = _order(site, "40.00")
    asso = site.as_role(Role.ADMIN)
    answer = asso.post(
        f"/gestion/conversions/{order['id']}/annuler",
        data={"csrf": csrf(asso)},
        follow_redirects=False,
    )
    assert answer.headers["location"] == "/gestion/conversions?ok=cancelled"
    assert _call(site, "alice", "GET", f"/v1/conversions/{order['id']}")["status"] == "cancelled"
    assert _balance(site, "alice", "member:alice") == "100.00"
    # Cancelled, it can no longer be credited.
    late = asso.post(
        f"/gestion/conversions/{order['id']}/crediter",
        data={"csrf": csrf(asso), "key": "late", "bank_reference": "VIR-9", "amount": "40"},
    )
    assert late.status_code == 409


# Reconversions --------------------------------------------------------------------------


def _shop_earns(site: Site, amount: str) -> None:
    """Alice pays the bakery ``amount`` through the API."""
    _call(
        site,
        "alice",
        "POST",
        "/v1/transfers",
        json={"payer": "member:alice", "payee": SHOP, "amount": amount},
        headers={"Idempotency-Key": f"pay-{amount}"},
    )


def _reconversion(site: Site, amount: str) -> dict[str, Any]:
    request: dict[str, Any] = _call(
        site,
        "boulangerie",
        "POST",
        "/v1/reconversions",
        json={
            "account": SHOP,
            "amount": amount,
            "creditor_name": "Boulangerie Etchegaray",
            "iban": "FR1420041010050500013M02606",
        },
        headers={"Idempotency-Key": f"reconvert-{amount}"},
    )
    return request


def test_two_requests_batched_exported_and_paid_leave_the_books_right(site: Site) -> None:
    _shop_earns(site, "40.00")
    first, second = _reconversion(site, "10.00"), _reconversion(site, "20.00")
    reserve_before = _call(site, "audit", "GET", "/v1/reserve/report")["reserve"]
    asso = site.as_role(Role.ASSOCIATION_OPERATOR)
    page = asso.get("/gestion/reconversions")
    assert page.status_code == 200, page.text
    for item in (first, second):
        assert f'id="request-{item["id"]}"' in page.text
    answer = asso.post(
        "/gestion/reconversions/lots",
        data={
            "csrf": csrf(asso),
            "key": _key(page.text),
            "request": [str(first["id"]), str(second["id"])],
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    batch_url = answer.headers["location"].split("?")[0]
    assert re.fullmatch(r"/gestion/reconversions/lots/\d+", batch_url)
    batch_page = asso.get(answer.headers["location"]).text
    assert 'data-state="validated"' in batch_page
    assert f'id="line-{first["id"]}"' in batch_page and f'id="line-{second["id"]}"' in batch_page
    listed = asso.get("/gestion/reconversions").text
    assert f'href="{batch_url}"' in listed and 'id="no-requests"' in listed
    # The file: one transaction per request, the control sum their payouts' euros.
    download = asso.get(f"{batch_url}/pain001.xml?execution=2026-12-10")
    assert download.status_code == 200, download.text
    assert download.headers["content-type"].startswith("application/xml")
    assert download.headers["content-disposition"].startswith("attachment;")
    root = ET.fromstring(download.content)
    header = root.find(f"{PAIN}CstmrCdtTrfInitn/{PAIN}GrpHdr")
    assert header is not None
    payouts = [first["payout"], second["payout"]]
    assert header.findtext(f"{PAIN}NbOfTxs") == "2"
    assert header.findtext(f"{PAIN}CtrlSum") == f"{sum(map(float, payouts)):.2f}"
    amounts = sorted(node.text or "" for node in root.iter(f"{PAIN}InstdAmt"))
    assert amounts == sorted(payouts)
    assert root.findtext(f".//{PAIN}ReqdExctnDt") == "2026-12-10"
    # Downloading again is the same file.
    assert asso.get(f"{batch_url}/pain001.xml?execution=2026-12-10").content == download.content
    exported = asso.get(batch_url).text
    assert 'data-state="exported"' in exported and 'id="pay"' in exported
    paid = asso.post(
        f"{batch_url}/payer",
        data={"csrf": csrf(asso), "key": _key(exported), "bank_reference": "REMISE-77"},
        follow_redirects=False,
    )
    assert paid.status_code == 303 and paid.headers["location"].endswith("?ok=paid")
    assert 'data-state="paid"' in asso.get(batch_url).text
    # The books: both requests paid, the shop's units gone, the euros out of the reserve.
    for item in (first, second):
        found = _call(site, "boulangerie", "GET", f"/v1/reconversions/{item['id']}")
        assert (found["status"], found["bank_reference"]) == ("paid", "REMISE-77")
    assert _balance(site, "boulangerie", SHOP) == "10.00"
    reserve_after = _call(site, "audit", "GET", "/v1/reserve/report")["reserve"]
    total = round(sum(map(float, payouts)) * 100)
    digital = [name for name in reserve_after if "digital" in name]
    assert digital, reserve_after
    moved = [
        round(float(reserve_before[name]) * 100) - round(float(reserve_after[name]) * 100)
        for name in digital
    ]
    assert moved == [total]


def test_a_batch_s_bad_input_is_refused_and_changes_nothing(site: Site) -> None:
    _shop_earns(site, "40.00")
    item = _reconversion(site, "10.00")
    asso = site.as_role(Role.ASSOCIATION_OPERATOR)
    key = _key(asso.get("/gestion/reconversions").text)
    before = snapshot(site.database)
    for picked, status in (
        ([], 422),
        (["x1"], 422),
        (["0"], 422),
        (["999999"], 404),
    ):
        answer = asso.post(
            "/gestion/reconversions/lots",
            data={"csrf": csrf(asso), "key": key, "request": picked},
        )
        assert answer.status_code == status, (picked, answer.text)
        assert snapshot(site.database) == before, picked
    for path in (
        "/gestion/reconversions/lots/999999",
        "/gestion/reconversions/lots/999999/pain001.xml",
    ):
        assert asso.get(path).status_code == 404, path
    unpaid = asso.post(
        "/gestion/reconversions/lots/999999/payer",
        data={"csrf": csrf(asso), "key": "k", "bank_reference": "R"},
    )
    assert unpaid.status_code == 404
    assert snapshot(site.database) == before
    # Batched, then the same key for another set of requests is refused.
    made = asso.post(
        "/gestion/reconversions/lots",
        data={"csrf": csrf(asso), "key": key, "request": str(item["id"])},
        follow_redirects=False,
    )
    assert made.status_code == 303
    batch_url = made.headers["location"].split("?")[0]
    # A batch not exported yet cannot be marked paid; a malformed execution date is refused.
    early = asso.post(
        f"{batch_url}/payer", data={"csrf": csrf(asso), "key": "pay-1", "bank_reference": "R"}
    )
    assert early.status_code == 409
    assert asso.get(f"{batch_url}/pain001.xml?execution=10/12/2026").status_code == 422
    # Another site's link does not export the batch in the operator's name.
    forged = asso.get(f"{batch_url}/pain001.xml", headers={"Sec-Fetch-Site": "cross-site"})
    assert (forged.status_code, _refusal(forged)) == (403, "csrf_refused")
    assert 'data-state="validated"' in asso.get(batch_url).text


def test_a_request_not_yet_batched_is_cancelled_and_its_units_released(site: Site) -> None:
    _shop_earns(site, "40.00")
    item = _reconversion(site, "10.00")
    assert _balance(site, "boulangerie", SHOP, "available") == "30.00"
    asso = site.as_role(Role.ASSOCIATION_OPERATOR)
    answer = asso.post(
        f"/gestion/reconversions/{item['id']}/annuler",
        data={"csrf": csrf(asso)},
        follow_redirects=False,
    )
    assert answer.headers["location"] == "/gestion/reconversions?ok=cancelled"
    assert _balance(site, "boulangerie", SHOP, "available") == "40.00"


# The auditor ---------------------------------------------------------------------------


def test_the_auditor_reads_every_page_and_is_refused_every_form(site: Site) -> None:
    _shop_earns(site, "40.00")
    order = _order(site, "25.00")
    item = _reconversion(site, "10.00")
    asso = site.as_role(Role.ASSOCIATION_OPERATOR)
    made = asso.post(
        "/gestion/reconversions/lots",
        data={"csrf": csrf(asso), "key": "b1", "request": str(item["id"])},
        follow_redirects=False,
    )
    batch_url = made.headers["location"].split("?")[0]
    second = _reconversion(site, "5.00")
    auditor = site.as_role(Role.AUDITOR)
    for path in ("/gestion/conversions", "/gestion/reconversions", batch_url):
        page = auditor.get(path)
        assert page.status_code == 200, (path, page.text)
        # The auditor is shown no form that writes.
        assert 'method="post"' not in page.text.split('class="work"')[1], path
    assert order["reference"] in auditor.get("/gestion/conversions").text
    before = snapshot(site.database)
    token = csrf(auditor)
    for path, form in (
        (f"/gestion/conversions/{order['id']}/crediter", {"bank_reference": "V", "amount": "25"}),
        (f"/gestion/conversions/{order['id']}/annuler", {}),
        ("/gestion/reconversions/lots", {"request": str(second["id"])}),
        (f"/gestion/reconversions/{second['id']}/annuler", {}),
        (f"{batch_url}/payer", {"bank_reference": "R"}),
    ):
        answer = auditor.post(path, data={"csrf": token, "key": "audit-try", **form})
        assert (answer.status_code, _refusal(answer)) == (403, "role_forbidden"), path
    # The file's download marks the batch exported: a write, refused to the auditor.
    download = auditor.get(f"{batch_url}/pain001.xml")
    assert (download.status_code, _refusal(download)) == (403, "role_forbidden")
    assert snapshot(site.database) == before


@pytest.mark.parametrize("role", [Role.MEMBER, Role.OFFICE_OPERATOR, Role.MERCHANT_OWNER])
def test_people_outside_the_association_are_refused_the_pages(site: Site, role: Role) -> None:
    browser = site.as_role(role)
    for path in ("/gestion/conversions", "/gestion/reconversions"):
        answer = browser.get(path)
        assert (answer.status_code, _refusal(answer)) == (403, "role_forbidden"), path


def _tomorrow() -> str:
    return (date.today() + timedelta(days=1)).isoformat()
