"""The back-office's bank pages over the demonstration, on each engine: the operator
imports a camt.053 statement whose line settles a conversion order, sees each line beside
what it matched, matches a line by hand and undoes it; a malformed file and a file seen
before book nothing; the auditor reads every page and is refused every form. The books
are read through the API afterwards."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import httpx
from fastapi.testclient import TestClient
from markupsafe import escape

from api import i18n
from monnaie_locale.auth import Role
from monnaie_locale.store.tables_operations import bank_lines, bank_statements
from tests.bank_files import DIGITAL_IBAN, Entry, camt053, csv_export
from tests.support import count_rows, snapshot
from tests.web.conftest import BASE, PASSWORDS, Site, csrf

FR = {key: str(escape(text)) for key, text in i18n.texts("fr").items()}
OPERATOR = "asso"


class Api:
    """The API as ``username`` sees it: the books the pages are checked against."""

    def __init__(self, site: Site, username: str) -> None:
        self.client = TestClient(site.app, base_url=BASE)
        login = self.client.post(
            "/v1/auth/login", json={"username": username, "password": PASSWORDS[username]}
        )
        assert login.status_code == 200, login.text
        self.headers = {"Authorization": f"Bearer {login.json()['token']}"}

    def get(self, path: str) -> Any:
        answer = self.client.get(path, headers=self.headers)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def post(self, path: str, body: dict[str, str], key: str) -> Any:
        answer = self.client.post(path, json=body, headers={**self.headers, "Idempotency-Key": key})
        assert answer.status_code in (200, 201), answer.text
        return answer.json()


def _today(site: Site) -> date:
    now: datetime = site.app.state.clock()
    return now.astimezone(UTC).date()


def _order(api: Api, amount: str) -> dict[str, Any]:
    """A conversion order for alice, waiting for its transfer."""
    found: dict[str, Any] = api.post(
        "/v1/conversions/orders", {"account": "member:alice", "amount": amount}, f"order-{amount}"
    )
    assert found["status"] == "pending"
    return found


def _key(page: str) -> str:
    found = re.search(r'name="key" value="([^"]+)"', page)
    assert found, page
    return found.group(1)


def _code(answer: httpx.Response) -> str | None:
    found = re.search(r'data-code="([a-z_]+)"', answer.text)
    return found.group(1) if found else None


def _import(
    browser: TestClient,
    content: bytes,
    *,
    name: str = "releve.xml",
    fields: dict[str, str] | None = None,
) -> httpx.Response:
    """The import form sent as a person sends it, with the key of a page just opened."""
    page = browser.get("/gestion/banque")
    assert page.status_code == 200, page.text
    return browser.post(
        "/gestion/banque/releves",
        files={"file": (name, content, "application/octet-stream")},
        data={"csrf": csrf(browser), "key": _key(page.text), **(fields or {})},
        follow_redirects=False,
    )


def _row(page: str, line: int) -> str:
    found = re.search(rf'<tr id="ligne-{line}" class="(\w+)">(.*?)</tr>', page, re.S)
    assert found, page
    return f"{found.group(1)} {found.group(2)}"


def _reserve_before(api: Api, since: str) -> int:
    """The digital reserve's euros in cents before the last ``since`` came in: the bank's
    opening balance, so that the statement and the books agree once all is matched."""
    held = Decimal(api.get("/v1/accounts/reserve:digital")["holder_balance"])
    return int((held - Decimal(since)) * 100)


def _line_showing(page: str, text: str) -> int:
    """The number of the bank line whose row shows ``text``."""
    rows = re.findall(r'<tr id="ligne-(\d+)"(.*?)</tr>', page, re.S)
    [line] = [int(number) for number, row in rows if text in row]
    return line


def _reconciliation(api: Api, account: str = "reserve") -> dict[str, Any]:
    found: dict[str, Any] = api.get(f"/v1/bank/accounts/{account}/reconciliation")
    return found


def test_an_imported_statement_credits_the_order_and_shows_each_line(site: Site) -> None:
    api = Api(site, OPERATOR)
    order = _order(api, "25.00")
    alice_before = api.get("/v1/accounts/member:alice")["holder_balance"]
    today = _today(site)
    statement = camt053(
        iban=DIGITAL_IBAN,
        statement_id="S-1",
        opening=0,
        opened=today,
        closed=today,
        entries=(
            Entry(2500, f"VIR ALICE {order['reference']}", "B1", today),
            Entry(1234, "VIR INCONNU", "B2", today),
        ),
    )
    browser = site.as_role(Role.ASSOCIATION_OPERATOR)

    answer = _import(browser, statement)

    assert answer.status_code == 200, answer.text
    assert FR["bo_bank_imported_lead"] in answer.text
    assert re.search(r'class="matched-count">1<', answer.text)
    assert re.search(r'class="unmatched-count">1<', answer.text)
    assert f"VIR ALICE {order['reference']}" in answer.text and "25,00\u00a0€" in answer.text
    assert FR["bo_bank_no_reference"] in answer.text  # why the other line is left
    # The books: the order is credited, alice holds its units.
    credited = api.get(f"/v1/conversions/{order['id']}")
    assert credited["status"] == "credited"
    alice = Decimal(api.get("/v1/accounts/member:alice")["holder_balance"])
    assert alice == Decimal(alice_before) + Decimal(credited["amount"]) + Decimal(credited["bonus"])
    # The reconciliation shows each line and what it matched.
    report = _reconciliation(api)
    [unmatched] = report["unmatched_bank"]
    assert (report["matched_lines"], unmatched["remittance"]) == (1, "VIR INCONNU")
    page = browser.get("/gestion/banque/rapprochement")
    assert page.status_code == 200, page.text
    shown = _row(page.text, _line_showing(page.text, order["reference"]))
    assert shown.startswith("matched") and f"{FR['bo_bank_kind_conversion']} {order['id']}" in shown
    assert FR["bo_bank_unmatch"] in shown
    other = _row(page.text, unmatched["id"])
    assert other.startswith("unmatched") and FR["bo_bank_unmatched"] in other
    assert f'action="/gestion/banque/lignes/{unmatched["id"]}/rapprocher"' in other
    # One account's page, by its name, shows the same statement.
    one = browser.get("/gestion/banque/rapprochement?compte=reserve&releve=S-1")
    assert one.status_code == 200 and 'id="ligne-' in one.text


def test_a_line_is_matched_by_hand_through_the_page_and_undone(site: Site) -> None:
    api = Api(site, OPERATOR)
    api.post(
        "/v1/conversions/card",
        {"account": "member:bob", "amount": "12.34", "payment_reference": "CB-1"},
        "card-1",
    )
    today = _today(site)
    statement = camt053(
        iban=DIGITAL_IBAN,
        statement_id="S-2",
        opening=_reserve_before(api, "12.34"),
        opened=today,
        closed=today,
        entries=(Entry(1234, "REMISE CB", "C1", today),),
    )
    browser = site.as_role(Role.ASSOCIATION_OPERATOR)
    assert _import(browser, statement).status_code == 200
    report = _reconciliation(api)
    [line] = report["unmatched_bank"]
    [card] = [book for book in report["unmatched_books"] if book["amount"] == "12.34"]
    assert report["matched_lines"] == 0
    page = browser.get("/gestion/banque/rapprochement").text
    # The transaction of the same amount is offered first.
    assert re.search(rf'<option value="{card["transaction_id"]}" selected>', page)
    before = snapshot(site.database)
    url = f"/gestion/banque/lignes/{line['id']}"

    # No such transaction, or no number: refused, and nothing changes.
    for wrong in ("999999", "abc", "0", ""):
        refused = browser.post(f"{url}/rapprocher", data={"csrf": csrf(browser), "number": wrong})
        assert refused.status_code in (400, 404, 409, 422), (wrong, refused.text)
        assert _code(refused) is not None
    assert _reconciliation(api)["unmatched_bank"] == [line]

    matched = browser.post(
        f"{url}/rapprocher",
        data={"csrf": csrf(browser), "transaction": str(card["transaction_id"]), "number": ""},
        follow_redirects=False,
    )

    assert matched.status_code == 303, matched.text
    assert matched.headers["location"].endswith(f"ok=matched#ligne-{line['id']}")
    page = browser.get(matched.headers["location"]).text
    assert FR["bo_bank_done_matched"] in page
    shown = _row(page, line["id"])
    assert shown.startswith("matched")
    assert f"{FR['bo_bank_kind_transaction']} {card['transaction_id']}" in shown
    seen = api.get(f"/v1/bank/lines/{line['id']}")
    assert (seen["matched_kind"], seen["matched_id"]) == ("transaction", card["transaction_id"])
    report = _reconciliation(api)
    assert (report["matched_lines"], report["unmatched_bank"], report["difference"]) == (
        1,
        [],
        "0.00",
    )
    assert card not in report["unmatched_books"]
    assert snapshot(site.database) == before  # matching books nothing

    undone = browser.post(f"{url}/defaire", data={"csrf": csrf(browser)}, follow_redirects=False)

    assert undone.status_code == 303, undone.text
    page = browser.get(undone.headers["location"]).text
    assert FR["bo_bank_done_unmatched"] in page
    assert _row(page, line["id"]).startswith("unmatched")
    changes = api.get(f"/v1/bank/lines/{line['id']}")["changes"]
    assert [change["action"] for change in changes] == ["match", "unmatch"]
    assert snapshot(site.database) == before


def test_a_malformed_file_is_refused_and_nothing_is_written(site: Site) -> None:
    browser = site.as_role(Role.ASSOCIATION_OPERATOR)
    before = snapshot(site.database), count_rows(site.database, bank_statements)
    for content, fields in (
        (b"<Document><BkToCstmrStmt><Stmt>", {}),
        (b"Date;Montant\r\nhier;beaucoup\r\n", {"format": "csv"}),
        (b"", {}),
        (b"<x/>", {"format": "pdf"}),
    ):
        answer = _import(browser, content, fields=fields)
        assert 400 <= answer.status_code < 500 and _code(answer), (content, answer.text)
    assert (snapshot(site.database), count_rows(site.database, bank_statements)) == before


def test_the_same_file_twice_books_nothing_more(site: Site) -> None:
    api = Api(site, OPERATOR)
    order = _order(api, "40.00")
    today = _today(site)
    statement = camt053(
        iban=DIGITAL_IBAN,
        statement_id="S-3",
        opening=0,
        opened=today,
        closed=today,
        entries=(Entry(4000, order["reference"], "D1", today),),
    )
    browser = site.as_role(Role.ASSOCIATION_OPERATOR)
    assert _import(browser, statement).status_code == 200
    books = snapshot(site.database)
    lines = count_rows(site.database, bank_lines)

    again = _import(browser, statement)

    assert again.status_code == 200, again.text
    assert FR["bo_bank_already_imported"] in again.text
    after = snapshot(site.database)
    assert (after.accounts, after.postings, after.transactions) == (
        books.accounts,
        books.postings,
        books.transactions,
    )
    assert count_rows(site.database, bank_lines) == lines
    assert api.get(f"/v1/conversions/{order['id']}")["status"] == "credited"
    # The same form (its key) sent again with another file is refused before anything moves.
    page = browser.get("/gestion/banque").text
    form = {"csrf": csrf(browser), "key": _key(page)}
    first = browser.post(
        "/gestion/banque/releves", files={"file": ("a.xml", statement, "text/xml")}, data=form
    )
    assert first.status_code == 200 and FR["bo_bank_already_imported"] in first.text
    before = snapshot(site.database), count_rows(site.database, bank_statements)
    other = camt053(
        iban=DIGITAL_IBAN,
        statement_id="S-3b",
        opening=0,
        opened=today,
        closed=today,
        entries=(Entry(100, "AUTRE", "D2", today),),
    )
    reused = browser.post(
        "/gestion/banque/releves", files={"file": ("b.xml", other, "text/xml")}, data=form
    )
    assert (reused.status_code, _code(reused)) == (409, "idempotency_conflict"), reused.text
    assert (snapshot(site.database), count_rows(site.database, bank_statements)) == before


def test_a_csv_export_is_imported_for_the_account_chosen(site: Site) -> None:
    api = Api(site, OPERATOR)
    api.post(
        "/v1/bank/accounts",
        {"name": "fonds-numerique", "role": "reserve_digital", "iban": DIGITAL_IBAN},
        "account",
    )
    order = _order(api, "15.00")
    browser = site.as_role(Role.ASSOCIATION_OPERATOR)
    page = browser.get("/gestion/banque").text
    assert 'id="account-fonds-numerique"' in page and '<option value="fonds-numerique">' in page
    # No statement yet: the account's reconciliation says so; a statement it lacks is 404.
    for path in ("", "?compte=fonds-numerique"):
        empty = browser.get(f"/gestion/banque/rapprochement{path}")
        assert empty.status_code == 200 and FR["bo_bank_no_statement"] in empty.text, path
    missing = browser.get("/gestion/banque/rapprochement?compte=fonds-numerique&releve=X")
    assert (missing.status_code, _code(missing)) == (404, "unknown_record")
    unknown = browser.get("/gestion/banque/rapprochement?compte=nulle-part")
    assert (unknown.status_code, _code(unknown)) == (404, "unknown_bank_account")
    export = csv_export(Entry(1500, f"VIR {order['reference']}", "E1", _today(site)))

    answer = _import(
        browser, export, name="export.csv", fields={"format": "auto", "account": "fonds-numerique"}
    )

    assert answer.status_code == 200, answer.text
    assert api.get(f"/v1/conversions/{order['id']}")["status"] == "credited"
    assert _reconciliation(api, "fonds-numerique")["matched_lines"] == 1


def test_the_auditor_reads_every_page_and_is_refused_every_form(site: Site) -> None:
    api = Api(site, OPERATOR)
    today = _today(site)
    statement = camt053(
        iban=DIGITAL_IBAN,
        statement_id="S-4",
        opening=0,
        opened=today,
        closed=today,
        entries=(Entry(700, "INCONNU", "F1", today),),
    )
    assert _import(site.as_role(Role.ASSOCIATION_OPERATOR), statement).status_code == 200
    [line] = _reconciliation(api)["unmatched_bank"]
    auditor = site.as_role(Role.AUDITOR)
    home = auditor.get("/gestion/banque")
    assert home.status_code == 200 and DIGITAL_IBAN in home.text
    assert 'id="import"' not in home.text  # the auditor reads: no form drawn
    page = auditor.get("/gestion/banque/rapprochement")
    assert page.status_code == 200 and _row(page.text, line["id"]).startswith("unmatched")
    assert "/rapprocher" not in page.text
    before = snapshot(site.database), count_rows(site.database, bank_statements)
    token = csrf(auditor)
    for path, files in (
        ("/gestion/banque/releves", {"file": ("releve.xml", statement, "text/xml")}),
        (f"/gestion/banque/lignes/{line['id']}/rapprocher", None),
        (f"/gestion/banque/lignes/{line['id']}/defaire", None),
    ):
        answer = auditor.post(path, data={"csrf": token, "key": "k", "number": "1"}, files=files)
        assert (answer.status_code, _code(answer)) == (403, "role_forbidden"), path
    assert (snapshot(site.database), count_rows(site.database, bank_statements)) == before


def test_a_member_opens_no_bank_page(site: Site) -> None:
    browser = site.as_role(Role.MEMBER)
    for path in ("/gestion/banque", "/gestion/banque/rapprochement"):
        answer = browser.get(path)
        assert (answer.status_code, _code(answer)) == (403, "role_forbidden"), path
        assert FR["bo_bank_title"] not in answer.text
