"""The exchange office's screen over the demonstration, on each engine: the volunteer of
office "centre" sells notes, converts euros, takes notes in, counts the till and prepares
the bank deposit through its pages, and the books say the same afterwards; bad input,
another office and the auditor are refused with nothing changed; a form sent twice moves
once."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from api import i18n
from monnaie_locale.acting import Context
from monnaie_locale.acts import accounts, books, counter, notes, offices
from monnaie_locale.acts.sessions import acting_as
from monnaie_locale.auth import Role
from monnaie_locale.deployment import (
    ASSOCIATION_LOSSES,
    ASSOCIATION_OPERATING,
    TRANSIT,
    office_till,
)
from monnaie_locale.money import format_amount
from tests.support import snapshot
from tests.web.conftest import Site, csrf

OFFICE = "centre"
TILL = office_till(OFFICE)
ALICE = "member:alice"
BOB = "member:bob"


def _ctx(site: Site, username: str) -> Context:
    return Context(
        database=site.database,
        actor=acting_as(site.database, username),
        deployment=site.app.state.deployment,
        clock=site.app.state.clock,
    )


def _balance(site: Site, code: str) -> int:
    return accounts.get_account(_ctx(site, "admin"), code).balance


def _cash(site: Site) -> int:
    return counter.office_desk(_ctx(site, "admin"), OFFICE).cash


def _stock(site: Site) -> dict[int, int]:
    return dict(counter.office_desk(_ctx(site, "admin"), OFFICE).notes)


def _stock_notes(site: Site, bundle: dict[int, int], office: str = OFFICE) -> None:
    """The association prints notes and delivers them to the office's stock."""
    ctx = _ctx(site, "asso")
    notes.print_notes(ctx, bundle, key=f"print-{office}-{sorted(bundle.items())}")
    notes.deliver_notes(ctx, office, bundle, key=f"deliver-{office}-{sorted(bundle.items())}")


def _fr(cents: int) -> str:
    """``cents`` as the French pages write an amount, its unit aside: ``"12,50"``."""
    return format_amount(cents, decimal_separator=",")


def _key(page: str) -> str:
    found = re.search(r'name="key" value="([^"]+)"', page)
    assert found, page
    return found.group(1)


def _code(answer: httpx.Response) -> str | None:
    found = re.search(r'data-code="([a-z_]+)"', answer.text)
    return found.group(1) if found else None


def _text(answer: httpx.Response) -> str:
    """The page's text with its no-break spaces as plain ones, to compare amounts."""
    return answer.text.replace("\u00a0", " ").replace("\u202f", " ")


def _post(
    browser: TestClient, path: str, fields: dict[str, str], *, page: str | None = None
) -> httpx.Response:
    """``fields`` posted with the key of the form at ``page`` (the act's own by default)."""
    shown = browser.get(page or path)
    assert shown.status_code == 200, shown.text
    form: dict[str, Any] = {"csrf": csrf(browser), "key": _key(shown.text), "office": OFFICE}
    return browser.post(path, data={**form, **fields}, follow_redirects=False)


@pytest.fixture
def desk(site: Site) -> TestClient:
    """The office's volunteer, signed in, the office's stock holding notes."""
    _stock_notes(site, {2000: 10, 1000: 10, 500: 10})
    return site.browser("comptoir")


def test_the_volunteer_lands_on_the_office_s_screen(site: Site) -> None:
    before = counter.office_desk(_ctx(site, "admin"), OFFICE)
    _stock_notes(site, {2000: 5})
    browser = site.browser()
    answer = browser.post(
        "/connexion",
        data={"username": "comptoir", "password": "comptoir-demo-2026", "csrf": csrf(browser)},
        follow_redirects=False,
    )
    assert answer.headers["location"] == "/guichet"
    screen = browser.get("/guichet")
    assert screen.status_code == 200
    text = _text(screen)
    assert "Comptoir du centre" in text
    assert re.search(rf'id="till-cash">{_fr(before.cash)} €<', text)
    assert re.search(rf'id="stock-value">{_fr(before.notes_value + 10_000)} \S+<', text)
    for act in ("vente", "especes", "carte", "depot", "comptage", "banque"):
        assert f'href="/guichet/{act}?bureau=centre"' in screen.text
        assert browser.get(f"/guichet/{act}").status_code == 200


def test_selling_notes_puts_their_euros_in_the_till_once(site: Site, desk: TestClient) -> None:
    cash, stock = _cash(site), _stock(site)
    shown = desk.get("/guichet/vente")
    fields = {"csrf": csrf(desk), "key": _key(shown.text), "office": OFFICE}
    counts = {"n2000": "3", "n500": "2", "n100": ""}
    receipt = desk.post("/guichet/vente", data={**fields, **counts})
    assert receipt.status_code == 200, receipt.text
    assert re.search(r'id="receipt-total">70,00 \S+<', _text(receipt))
    assert re.search(r'id="receipt-cash">70,00 €<', _text(receipt))
    assert 'id="print"' in receipt.text
    assert _cash(site) == cash + 7000
    assert _stock(site)[2000] == stock[2000] - 3 and _stock(site)[500] == stock[500] - 2
    # The same form again (a double tap, a reload): the same receipt, nothing moved.
    again = desk.post("/guichet/vente", data={**fields, **counts})
    assert again.status_code == 200
    assert _cash(site) == cash + 7000 and _stock(site)[2000] == stock[2000] - 3


@pytest.mark.parametrize(
    ("counts", "code"),
    [
        # One note more than the office's stock holds when the test reads it.
        (lambda site: {"n2000": str(_stock(site)[2000] + 1)}, "notes_unavailable"),
        ({"n2000": "deux"}, "invalid_notes"),
        ({"n2000": "-1"}, "invalid_notes"),
        ({}, "invalid_notes"),
        ({"n2000": "1234567"}, "invalid_form"),
    ],
)
def test_a_sale_the_stock_or_the_form_does_not_allow_changes_nothing(
    site: Site,
    desk: TestClient,
    counts: dict[str, str] | Callable[[Site], dict[str, str]],
    code: str,
) -> None:
    fields = counts(site) if callable(counts) else counts
    before = snapshot(site.database)
    answer = _post(desk, "/guichet/vente", fields)
    assert answer.status_code in (400, 409, 422), answer.text
    assert _code(answer) == code
    assert snapshot(site.database) == before


def test_a_cash_conversion_credits_the_account_and_fills_the_till(
    site: Site, desk: TestClient
) -> None:
    alice = _balance(site, ALICE)
    receipt = _post(desk, "/guichet/especes", {"account": ALICE, "amount": "12,50"})
    assert receipt.status_code == 200, receipt.text
    assert re.search(r'id="receipt-euros">12,50 €<', _text(receipt))
    assert re.search(r'id="receipt-total">12,50 \S+<', _text(receipt))
    assert _balance(site, ALICE) == alice + 1250
    assert _cash(site) == 1250
    # Sent again with its key (a reload of the receipt): the same receipt, nothing moved.
    key = re.search(r'name="key" value="([^"]+)"', desk.get("/guichet/especes").text)
    assert key
    fields = {"csrf": csrf(desk), "office": OFFICE, "account": ALICE, "amount": "1"}
    first = desk.post("/guichet/especes", data={**fields, "key": key.group(1)})
    again = desk.post("/guichet/especes", data={**fields, "key": key.group(1)})
    assert first.status_code == again.status_code == 200
    assert _balance(site, ALICE) == alice + 1350
    assert _cash(site) == 1350


def test_the_account_is_found_by_words_of_its_name_then_chosen(
    site: Site, desk: TestClient
) -> None:
    alice = _balance(site, ALICE)
    before = snapshot(site.database)
    choice = _post(desk, "/guichet/especes", {"account": "ALIC", "amount": "5"})
    assert choice.status_code == 200
    assert 'value="member:alice"' in choice.text and 'value="member:bob"' not in choice.text
    # Nothing moved yet: the volunteer picks the account, the form's fields carried along.
    assert snapshot(site.database) == before
    carried = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', choice.text))
    assert carried["amount"] == "5" and carried["office"] == OFFICE
    done = desk.post("/guichet/especes", data={**carried, "account": ALICE})
    assert done.status_code == 200, done.text
    assert _balance(site, ALICE) == alice + 500
    # Several match "member": each is listed, none chosen for the volunteer.
    several = _post(desk, "/guichet/especes", {"account": "member", "amount": "5"})
    assert 'value="member:alice"' in several.text and 'value="member:bob"' in several.text


@pytest.mark.parametrize(
    ("fields", "status", "code"),
    [
        ({"account": "member:nobody", "amount": "5"}, 404, "unknown_account"),
        ({"account": "", "amount": "5"}, 422, "office_no_account"),
        ({"account": ALICE, "amount": "12,505"}, 422, "invalid_amount"),
        ({"account": ALICE, "amount": "douze"}, 422, "invalid_amount"),
        ({"account": ALICE, "amount": "0"}, 422, "invalid_amount"),
        ({"account": "system:issuance", "amount": "5"}, 404, "unknown_account"),
    ],
)
def test_a_conversion_the_books_refuse_changes_nothing(
    site: Site, desk: TestClient, fields: dict[str, str], status: int, code: str
) -> None:
    before = snapshot(site.database)
    answer = _post(desk, "/guichet/especes", fields)
    assert (answer.status_code, _code(answer)) == (status, code), answer.text
    assert snapshot(site.database) == before


def test_a_card_conversion_credits_the_account_and_leaves_the_till(
    site: Site, desk: TestClient
) -> None:
    bob = _balance(site, BOB)
    fields = {"account": BOB, "amount": "30", "payment_reference": "TPE-0042"}
    receipt = _post(desk, "/guichet/carte", fields)
    assert receipt.status_code == 200, receipt.text
    assert "TPE-0042" in receipt.text
    assert _balance(site, BOB) == bob + 3000
    assert _cash(site) == 0
    # The same ticket again, on a new form: that payment is converted already.
    before = snapshot(site.database)
    again = _post(desk, "/guichet/carte", fields)
    assert again.status_code == 409, again.text
    assert snapshot(site.database) == before
    missing = _post(desk, "/guichet/carte", {"account": BOB, "amount": "30"})
    assert (missing.status_code, _code(missing)) == (422, "office_no_card_ticket")
    assert "ticket du terminal" in missing.text
    assert snapshot(site.database) == before


def test_notes_handed_in_are_credited_and_go_back_to_the_stock(
    site: Site, desk: TestClient
) -> None:
    stock = _stock(site)
    _post(desk, "/guichet/vente", {"n1000": "2"})
    # A deposit moves the notes' euros to the digital reserve: they must have reached the
    # bank first (the till banked, the bank's receipt recorded).
    refused = _post(desk, "/guichet/depot", {"account": BOB, "n1000": "2"})
    assert (refused.status_code, _code(refused)) == (409, "limit_exceeded")
    banked = _post(desk, "/guichet/banque", {"amount": ""})
    reference = re.search(r'id="deposit-reference">[A-Z]+-TD-(\d+)<', banked.text)
    assert reference, banked.text
    offices.receive_till_deposit(_ctx(site, "asso"), int(reference.group(1)), "BANK-1")
    bob = _balance(site, BOB)
    receipt = _post(desk, "/guichet/depot", {"account": BOB, "n1000": "2"})
    assert receipt.status_code == 200, receipt.text
    assert re.search(r'id="receipt-total">20,00 \S+<', _text(receipt))
    assert f'id="receipt-account">{BOB}<' in receipt.text
    assert _balance(site, BOB) == bob + 2000
    assert _stock(site)[1000] == stock[1000]
    # The deposit pays no euros out of the till.
    assert _cash(site) == 0
    # More notes than ever left the office's stock: none are in circulation to take in.
    before = snapshot(site.database)
    answer = _post(desk, "/guichet/depot", {"account": BOB, "n5000": "1"})
    assert answer.status_code == 409, answer.text
    assert snapshot(site.database) == before


def test_counting_the_till_shows_the_difference_then_books_it(site: Site, desk: TestClient) -> None:
    # The association's own euros replace what is missing: it has received a donation.
    books.receive_gift(_ctx(site, "asso"), "donation", 5000, key="donation", memo="")
    _post(desk, "/guichet/vente", {"n2000": "3", "n500": "2"})
    losses = _balance(site, ASSOCIATION_LOSSES)
    before = snapshot(site.database)
    check = _post(desk, "/guichet/comptage", {"counted": "68"})
    assert check.status_code == 200, check.text
    text = _text(check)
    assert re.search(r'id="expected">70,00 €<', text)
    assert re.search(r'id="counted">68,00 €<', text)
    assert re.search(r'id="difference">\u22122,00 €<', text)
    # Seen, not booked: the volunteer confirms (or counts again) first.
    assert snapshot(site.database) == before
    form = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', check.text))
    receipt = desk.post("/guichet/comptage/confirmer", data=form)
    assert receipt.status_code == 200, receipt.text
    assert re.search(r'id="receipt-difference">\u22122,00 €<', _text(receipt))
    assert "\u22122,00 €" in _text(receipt).split('id="receipt-verdict">')[1]
    assert _cash(site) == 6800
    # The shortfall is the association's loss: 2 € debited to its losses account.
    assert _balance(site, ASSOCIATION_LOSSES) == losses - 200
    again = desk.post("/guichet/comptage/confirmer", data=form)
    assert again.status_code == 200 and _cash(site) == 6800
    assert _balance(site, ASSOCIATION_LOSSES) == losses - 200


def test_a_shortfall_the_association_cannot_replace_yet_is_refused_and_said(
    site: Site, desk: TestClient
) -> None:
    # The association's own euros spent (on the bank's fees): none is left to replace
    # what is missing until more come in.
    funds = -_balance(site, ASSOCIATION_OPERATING)
    if funds:
        books.bank_fee(_ctx(site, "asso"), ASSOCIATION_OPERATING, funds, fee="bank", key="fees")
    assert _balance(site, ASSOCIATION_OPERATING) == 0
    cash = _cash(site)
    _post(desk, "/guichet/vente", {"n2000": "1"})
    check = _post(desk, "/guichet/comptage", {"counted": _fr(cash + 1800)})
    form = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', check.text))
    before = snapshot(site.database)
    refused = desk.post("/guichet/comptage/confirmer", data=form)
    assert (refused.status_code, _code(refused)) == (409, "office_shortfall_unfunded")
    assert "Prévenez l’association" in refused.text.replace("&#39;", "’")
    assert snapshot(site.database) == before
    assert _cash(site) == cash + 2000


def test_a_count_of_the_books_exactly_books_nothing(site: Site, desk: TestClient) -> None:
    check = _post(desk, "/guichet/comptage", {"counted": "0"})
    assert check.status_code == 200 and 'id="difference">0,00' in check.text
    form = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', check.text))
    receipt = desk.post("/guichet/comptage/confirmer", data=form)
    assert receipt.status_code == 200 and 'id="receipt-verdict">' in receipt.text
    assert _cash(site) == 0
    before = snapshot(site.database)
    bad = _post(desk, "/guichet/comptage", {"counted": "beaucoup"}, page="/guichet/comptage")
    assert (bad.status_code, _code(bad)) == (422, "invalid_amount")
    assert snapshot(site.database) == before


def test_the_bank_deposit_takes_the_whole_till_and_gives_the_slip_s_reference(
    site: Site, desk: TestClient
) -> None:
    _post(desk, "/guichet/vente", {"n2000": "3", "n500": "2"})
    form = desk.get("/guichet/banque")
    assert 'name="amount"' in form.text and 'value="70,00"' in form.text
    transit = _balance(site, TRANSIT)
    receipt = _post(desk, "/guichet/banque", {"amount": ""})
    assert receipt.status_code == 200, receipt.text
    reference = re.search(r'id="deposit-reference">([^<]+)<', receipt.text)
    assert reference and re.fullmatch(r"[A-Z]+-TD-\d+", reference.group(1))
    assert re.search(r'id="receipt-amount">70,00 €<', _text(receipt))
    assert _cash(site) == 0
    # (A euro asset reads minus what it holds.)
    assert _balance(site, TRANSIT) == transit - 7000
    # Nothing left to take: refused, nothing moved.
    before = snapshot(site.database)
    empty = _post(desk, "/guichet/banque", {"amount": ""})
    assert empty.status_code == 422, empty.text
    too_much = _post(desk, "/guichet/banque", {"amount": "10"})
    assert too_much.status_code in (409, 422), too_much.text
    assert snapshot(site.database) == before


def test_part_of_the_till_may_go_to_the_bank(site: Site, desk: TestClient) -> None:
    _post(desk, "/guichet/vente", {"n2000": "3"})
    receipt = _post(desk, "/guichet/banque", {"amount": "40,00"})
    assert receipt.status_code == 200, receipt.text
    assert _cash(site) == 2000


def test_another_office_is_not_the_volunteer_s(site: Site, desk: TestClient) -> None:
    offices.add_office(_ctx(site, "admin"), "gare")
    _stock_notes(site, {2000: 5}, office="gare")
    assert desk.get("/guichet?bureau=gare").status_code == 403
    assert desk.get("/guichet/vente?bureau=gare").status_code == 403
    before = snapshot(site.database)
    for path, fields in (
        ("/guichet/vente", {"n2000": "1"}),
        ("/guichet/especes", {"account": ALICE, "amount": "5"}),
        ("/guichet/carte", {"account": ALICE, "amount": "5", "payment_reference": "T-1"}),
        ("/guichet/depot", {"account": ALICE, "n2000": "1"}),
        ("/guichet/comptage/confirmer", {"counted": "0"}),
        ("/guichet/banque", {"amount": "1"}),
    ):
        answer = _post(desk, path, {**fields, "office": "gare"}, page="/guichet/vente")
        assert (answer.status_code, _code(answer)) == (403, "not_your_account"), path
    assert snapshot(site.database) == before
    # The association's operator works at both: the screen asks which.
    operator = site.as_role(Role.ASSOCIATION_OPERATOR)
    chooser = operator.get("/guichet")
    assert 'href="/guichet?bureau=centre"' in chooser.text
    assert 'href="/guichet?bureau=gare"' in chooser.text
    assert operator.get("/guichet/vente").headers.get("location") is None
    gare = operator.get("/guichet?bureau=gare")
    assert gare.status_code == 200 and 'id="stock-value">100,00' in gare.text
    sold = _post(
        operator,
        "/guichet/vente",
        {"n2000": "1", "office": "gare"},
        page="/guichet/vente?bureau=gare",
    )
    assert sold.status_code == 200, sold.text
    assert counter.office_desk(_ctx(site, "admin"), "gare").cash == 2000


def test_the_auditor_reads_the_screen_and_is_refused_every_form(
    site: Site, desk: TestClient
) -> None:
    auditor = site.as_role(Role.AUDITOR)
    for page in ("/guichet", "/guichet/vente", "/guichet/comptage", "/guichet/banque"):
        answer = auditor.get(page)
        assert answer.status_code == 200 and 'id="reads-only"' in answer.text, page
    assert 'id="reads-only"' not in desk.get("/guichet").text
    before = snapshot(site.database)
    for path, fields in (
        ("/guichet/vente", {"n2000": "1"}),
        ("/guichet/especes", {"account": ALICE, "amount": "5"}),
        ("/guichet/carte", {"account": ALICE, "amount": "5", "payment_reference": "T-1"}),
        ("/guichet/depot", {"account": ALICE, "n2000": "1"}),
        ("/guichet/comptage", {"counted": "0"}),
        ("/guichet/comptage/confirmer", {"counted": "0"}),
        ("/guichet/banque", {"amount": ""}),
    ):
        answer = _post(auditor, path, fields, page="/guichet/vente")
        assert (answer.status_code, _code(answer)) == (403, "role_forbidden"), path
    assert snapshot(site.database) == before


def test_an_expired_form_moves_nothing(site: Site, desk: TestClient) -> None:
    before = snapshot(site.database)
    answer = desk.post("/guichet/vente", data={"csrf": csrf(desk), "office": OFFICE, "n2000": "1"})
    assert answer.status_code == 422 and _code(answer) == "invalid_request"
    assert snapshot(site.database) == before


def test_every_text_of_the_office_s_pages_is_in_both_catalogues() -> None:
    templates = Path(__file__).resolve().parents[2] / "api" / "pages" / "templates" / "web"
    used = {
        key
        for template in templates.glob("bo_office_*.html")
        for key in re.findall(r"\bt\.(\w+)", template.read_text(encoding="utf-8"))
    }
    assert used
    for language in ("fr", "en"):
        assert used - i18n.texts(language).keys() == set(), language
