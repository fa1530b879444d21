"""The association's dashboard over the demonstration, on each engine.

Its figures are checked against the API's reserve report (``/v1/reserve/report``), never
written here: the page must say what the books say. A conversion order placed through
the API appears in "needs a hand" until it is credited; the charts are SVG images with
their own policy; the period is chosen with a form; who is not the association's is
refused.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape

from api import i18n
from api.typography import money
from api.web.bo_dashboard import percent
from monnaie_locale.auth import Role
from monnaie_locale.clock import utc_now
from monnaie_locale.money import parse_amount
from monnaie_locale.transparency import alarms
from tests.engine import Engine
from tests.support import snapshot
from tests.web.conftest import BASE, PASSWORDS, Site

FR = {key: str(escape(text)) for key, text in i18n.texts("fr").items()}
SVG = "{http://www.w3.org/2000/svg}"
READERS = (Role.ASSOCIATION_OPERATOR, Role.AUDITOR, Role.ADMIN)
REFUSED = (Role.MEMBER, Role.OFFICE_OPERATOR, Role.MERCHANT_OWNER, Role.AUTHORITY_AGENT)


def _api(site: Site, username: str) -> tuple[TestClient, dict[str, str]]:
    client = TestClient(site.app, base_url=BASE)
    login = client.post(
        "/v1/auth/login", json={"username": username, "password": PASSWORDS[username]}
    )
    assert login.status_code == 200, login.text
    return client, {"Authorization": f"Bearer {login.json()['token']}"}


def _report(site: Site) -> dict[str, Any]:
    api, auditor = _api(site, "audit")
    answer = api.get("/v1/reserve/report", headers=auditor)
    assert answer.status_code == 200, answer.text
    report: dict[str, Any] = answer.json()
    return report


def _holders(site: Site) -> dict[str, tuple[int, int]]:
    """{kind: (open accounts, accounts with a posting)} of members and businesses, read
    through the API (the demo is minutes old: every posting is within 90 days)."""
    api, auditor = _api(site, "audit")
    listed = api.get("/v1/accounts", headers=auditor, params={"limit": 500}).json()["items"]
    found = {"member": [0, 0], "business": [0, 0]}
    for account in listed:
        if account["kind"] in found and account["status"] != "closed":
            found[account["kind"]][0] += 1
        if account["kind"] in found:
            lines = api.get(f"/v1/accounts/{account['code']}/statement", headers=auditor)
            found[account["kind"]][1] += bool(lines.json()["items"])
    return {kind: (opened, moved) for kind, (opened, moved) in found.items()}


def _unit(site: Site) -> str:
    symbol: str = site.app.state.settings.currency_symbol
    return symbol


def _text(page: str, element_id: str) -> str:
    found = re.search(rf'id="{element_id}"[^>]*>(.*?)</', page, re.S)
    assert found, element_id
    return found.group(1).strip()


def _needs(page: str) -> list[str]:
    return re.findall(r'data-need="([a-z_]+)"', page)


@pytest.mark.parametrize("role", READERS)
def test_the_association_sees_the_demo_s_coverage_as_the_report_gives_it(
    site: Site, role: Role
) -> None:
    report = _report(site)
    page = site.as_role(role).get("/gestion")

    assert page.status_code == 200
    assert page.headers["content-security-policy"].startswith("default-src 'none'")
    figure = percent(Decimal(report["coverage_percent"]), "fr")
    assert _text(page.text, "coverage-figure") == figure
    covered = Decimal(report["coverage_percent"]) >= 100
    assert ('class="coverage-figure covered"' in page.text) is covered
    assert _text(page.text, "coverage-verdict") == (FR["dash_covered"] if covered else "")
    assert _text(page.text, "reserve-total") == money(
        parse_amount(report["reserve_total"]), "fr", "€"
    )
    assert _text(page.text, "circulation-total") == money(
        parse_amount(report["circulation_total"]), "fr", _unit(site)
    )
    assert _text(page.text, "circulation-paper") == money(
        parse_amount(report["paper"]), "fr", _unit(site)
    )
    holders = _holders(site)
    assert _text(page.text, "open-members") == str(holders["member"][0])
    assert _text(page.text, "active-members") == str(holders["member"][1])
    assert _text(page.text, "open-businesses") == str(holders["business"][0])
    assert _text(page.text, "active-businesses") == str(holders["business"][1])
    assert _text(page.text, "nothing-waits") == FR["dash_nothing_waits"]


def test_a_conversion_order_waits_on_the_dashboard_until_it_is_credited(site: Site) -> None:
    api, alice = _api(site, "alice")
    ordered = api.post(
        "/v1/conversions/orders",
        json={"account": "member:alice", "amount": "25.00"},
        headers={**alice, "Idempotency-Key": "order-1"},
    )
    assert ordered.status_code == 201, ordered.text
    browser = site.as_role(Role.ASSOCIATION_OPERATOR)

    page = browser.get("/gestion").text
    assert _needs(page) == ["conversion_orders"]
    assert 'href="/gestion/conversions">' + FR["dash_need_conversion_orders"] in page
    assert money(2500, "fr", "€") in page
    # Ordered, not yet credited: the reserve and the circulation have not moved.
    assert _text(page, "reserve-total") == money(
        parse_amount(_report(site)["reserve_total"]), "fr", "€"
    )

    api, asso = _api(site, "asso")
    credited = api.post(
        f"/v1/conversions/orders/{ordered.json()['reference']}/credit",
        json={"amount": "25.00", "bank_reference": "VIR-1"},
        headers={**asso, "Idempotency-Key": "credit-1"},
    )
    assert credited.status_code == 200, credited.text
    page = browser.get("/gestion").text
    assert _needs(page) == []
    report = _report(site)
    assert _text(page, "circulation-total") == money(
        parse_amount(report["circulation_total"]), "fr", _unit(site)
    )
    assert _text(page, "coverage-figure") == percent(Decimal(report["coverage_percent"]), "fr")


@pytest.mark.parametrize("path", ["circulation.svg?periode=30", "conversions.svg"])
def test_the_charts_are_svg_images_with_a_policy_of_their_own(site: Site, path: str) -> None:
    answer = site.as_role(Role.AUDITOR).get(f"/gestion/graphique/{path}")

    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("image/svg+xml")
    policy = answer.headers["content-security-policy"]
    assert "style-src 'unsafe-inline'" in policy
    assert "script-src" not in policy and "default-src 'none'" in policy
    root = ET.fromstring(answer.text)
    assert root.tag == SVG + "svg"
    assert not list(root.iter(SVG + "script"))
    assert "http" not in answer.text.replace("http://www.w3.org/2000/svg", "")


def test_the_history_chart_draws_a_point_a_day_or_a_week(site: Site) -> None:
    browser = site.as_role(Role.ASSOCIATION_OPERATOR)
    texts = i18n.texts("en")
    for days, points in ((30, 31), (90, 91), (365, 53)):
        svg = browser.get(f"/gestion/graphique/circulation.svg?periode={days}&lang=en").text
        root = ET.fromstring(svg)
        legends = [text.text for text in root.iter(SVG + "text") if text.text in texts.values()]
        assert legends[:2] == [texts["dash_circulation"], texts["dash_reserve"]]
        page = browser.get(f"/gestion?periode={days}").text
        table = page[page.index('id="history-figures"') :]
        assert table[: table.index("</table>")].count('<th scope="row">') == points
        assert f'<option value="{days}" selected>' in page
        assert f"circulation.svg?periode={days}&amp;lang=fr" in page


def test_a_period_the_dashboard_does_not_draw_is_refused(site: Site) -> None:
    browser = site.as_role(Role.ASSOCIATION_OPERATOR)
    for path in ("/gestion?periode=45", "/gestion/graphique/circulation.svg?periode=45"):
        answer = browser.get(path)
        assert answer.status_code == 422, path
        assert 'data-code="invalid_request"' in answer.text
    assert browser.get("/gestion?periode=trente").status_code == 422


def test_the_flows_table_shows_the_month_s_conversions(site: Site) -> None:
    page = site.as_role(Role.ADMIN).get("/gestion").text
    table = page[page.index('id="flows-figures"') :]
    first_row = re.search(r"<tbody>\s*<tr>(.*?)</tr>", table, re.S)
    assert first_row
    cells = re.findall(r'<td class="amount">([^<]*)</td>', first_row.group(1))
    # The demo's card conversions, read through the API: all of them this month.
    api, auditor = _api(site, "audit")
    converted = []
    for conversion_id in range(1, 20):
        answer = api.get(f"/v1/conversions/{conversion_id}", headers=auditor)
        if answer.status_code == 404:
            break
        converted.append(parse_amount(answer.json()["amount"]))
    assert converted
    assert cells == [
        str(len(converted)),
        money(sum(converted), "fr", "€"),
        "0",
        money(0, "fr", _unit(site)),
    ]


@pytest.mark.parametrize("role", REFUSED)
def test_those_outside_the_association_are_refused_the_dashboard(site: Site, role: Role) -> None:
    browser = site.as_role(role)
    before = snapshot(site.database)
    for path in (
        "/gestion",
        "/gestion/graphique/circulation.svg",
        "/gestion/graphique/conversions.svg",
    ):
        answer = browser.get(path)
        assert answer.status_code == 403, path
        assert 'data-code="role_forbidden"' in answer.text
    assert snapshot(site.database) == before


def test_a_reserve_short_of_the_circulation_shows_red_with_its_shortfall(site: Site) -> None:
    # No act lets the reserve fall short (a bank fee is paid from the association's own
    # euros): euros gone from the reserve's bank account are booked straight in the ledger.
    Engine(site.database).transfer("external", "reserve:digital", 12_50, idempotency_key="gone")
    report = _report(site)
    shortfall = parse_amount(report["circulation_total"]) - parse_amount(report["reserve_total"])
    assert shortfall == 12_50

    page = site.as_role(Role.AUDITOR).get("/gestion").text
    assert 'class="coverage-figure short"' in page
    assert _text(page, "coverage-figure") == percent(Decimal(report["coverage_percent"]), "fr")
    assert _text(page, "coverage-verdict").startswith(FR["dash_short"])
    assert _text(page, "shortfall") == money(shortfall, "fr", "€")
    svg = site.as_role(Role.AUDITOR).get("/gestion/graphique/circulation.svg").text
    assert "#b3261e" in svg and "#1f6f43" not in svg


def test_a_transparency_alarm_waits_on_the_dashboard_until_it_is_acknowledged(
    site: Site,
) -> None:
    raised = site.database.write(
        lambda conn: alarms.raise_alarm(
            conn, "tree_refused", "journal entry 9 stays out of the tree", None, utc_now()
        )
    )
    browser = site.as_role(Role.ASSOCIATION_OPERATOR)

    page = browser.get("/gestion").text
    assert "transparency_alarm" in _needs(page)
    assert 'href="/audit/journal">' + FR["dash_need_transparency_alarm"] in page

    api, asso = _api(site, "asso")
    read = api.post(f"/v1/transparency/alarms/{raised.id}/acknowledge", headers=asso)
    assert read.status_code == 200, read.text
    assert "transparency_alarm" not in _needs(browser.get("/gestion").text)
