"""The member's wallet pages over the demonstration, on each engine: what alice sees, what
she sends, what is refused (and that nothing moved then), and her statements."""

from __future__ import annotations

import csv
import io
import re

import httpx
import pytest
from fastapi.testclient import TestClient

from monnaie_locale.acting import Context
from monnaie_locale.acts import accounts, exports
from monnaie_locale.acts.sessions import acting_as
from monnaie_locale.auth.errors import NotYourAccount
from tests.support import snapshot
from tests.web.conftest import Site, csrf


def _ctx(site: Site, username: str) -> Context:
    return Context(
        database=site.database,
        actor=acting_as(site.database, username),
        deployment=site.app.state.deployment,
        clock=site.app.state.clock,
    )


def _balance(site: Site, username: str, code: str) -> int:
    return accounts.get_account(_ctx(site, username), code).balance


def _key(page: str) -> str:
    found = re.search(r'name="key" value="([^"]+)"', page)
    assert found, page
    return found.group(1)


def _send(
    browser: TestClient, code: str, amount: str, *, memo: str = "", key: str | None = None
) -> tuple[httpx.Response, httpx.Response]:
    """The form, its confirmation, and the confirmed send (not followed)."""
    form_key = key or _key(browser.get("/portefeuille/envoyer").text)
    fields = {"csrf": csrf(browser), "key": form_key, "code": code, "amount": amount, "memo": memo}
    confirm = browser.post("/portefeuille/envoyer", data={**fields, "step": "confirmer"})
    sent = browser.post(
        "/portefeuille/envoyer", data={**fields, "step": "envoyer"}, follow_redirects=False
    )
    return confirm, sent


def test_each_wallet_page_opens_for_alice(site: Site) -> None:
    alice = site.browser("alice")
    home = alice.get("/portefeuille", headers={"Accept-Language": "fr"})
    assert home.status_code == 200
    assert 'id="balance">100,00' in home.text
    assert '<p id="offline"' in home.text and "hidden" in home.text
    for target in ("/portefeuille/envoyer", "/portefeuille/recharger", "/portefeuille/historique"):
        assert f'href="{target}"' in home.text
    for path, marker in (
        ("/portefeuille/historique", 'id="filters"'),
        ("/portefeuille/envoyer", 'id="send"'),
        ("/portefeuille/recharger", 'id="order"'),
        ("/portefeuille/adhesion", 'id="membership"'),
        ("/portefeuille/profil", 'id="passkeys"'),
    ):
        answer = alice.get(path)
        assert answer.status_code == 200, (path, answer.text)
        assert marker in answer.text, path
    assert "FR7630006000011234567890189" in alice.get("/portefeuille/recharger").text


def test_sending_confirms_the_recipient_then_moves_the_units_once(site: Site) -> None:
    alice = site.browser("alice")
    confirm, sent = _send(alice, "business:boulangerie", "12,50", memo="pain")
    assert "Boulangerie Etchegaray" in confirm.text
    assert 'id="confirm-amount">12,50' in confirm.text
    assert sent.status_code == 303 and sent.headers["location"] == "/portefeuille?ok=envoi"
    assert _balance(site, "alice", "member:alice") == 10_000 - 1_250
    assert _balance(site, "boulangerie", "business:boulangerie") == 1_250
    # The same form sent again (a double tap, a reload): the first transfer, once.
    key = _key(confirm.text)
    _, again = _send(alice, "business:boulangerie", "12,50", memo="pain", key=key)
    assert again.status_code == 303
    assert _balance(site, "alice", "member:alice") == 10_000 - 1_250
    home = alice.get("/portefeuille?ok=envoi")
    assert 'id="done"' in home.text and "Boulangerie Etchegaray" in home.text


@pytest.mark.parametrize(
    ("code", "amount", "status", "says"),
    [
        ("member:bob", "1000", 409, "insuffisant"),
        ("member:bob", "12,5x", 422, "12,5x"),
        ("member:bob", "-3", 422, "montant positif"),
        ("member:zed", "1", 404, "member:zed"),
        ("association:fees", "1", 403, "commerce"),
    ],
)
def test_a_refused_send_says_why_and_moves_nothing(
    site: Site, code: str, amount: str, status: int, says: str
) -> None:
    alice = site.browser("alice")
    alice.cookies.set("mlc_lang", "fr")
    before = snapshot(site.database)
    confirm, sent = _send(alice, code, amount)
    # The balance is the transfer's to check: the confirmation shows what would be sent.
    for answer in (sent,) if status == 409 else (confirm, sent):
        assert answer.status_code == status, answer.text
        assert 'role="alert"' in answer.text and says in answer.text
        # The form comes back with what was typed, to correct it.
        assert f'value="{amount}"' in answer.text
    assert snapshot(site.database) == before


def test_a_forged_send_without_its_token_moves_nothing(site: Site) -> None:
    alice = site.browser("alice")
    before = snapshot(site.database)
    answer = alice.post(
        "/portefeuille/envoyer",
        data={"code": "member:bob", "amount": "1", "step": "envoyer", "key": "k"},
    )
    assert answer.status_code == 403
    assert snapshot(site.database) == before


def test_a_member_cannot_read_another_s_statement(site: Site) -> None:
    # The wallet names no account: it reads the one its holder holds, whatever is asked.
    bob = site.browser("bob")
    _send(site.browser("alice"), "member:bob", "3")
    page = bob.get("/portefeuille/releve.csv?code=member:alice&account=member:alice")
    assert page.status_code == 200
    assert "member:alice" not in page.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(page.text), delimiter=";"))
    assert len(rows) == 3  # the header, bob's opening units, alice's 3 units
    # The statement's act itself refuses an account its actor does not hold.
    with pytest.raises(NotYourAccount):
        exports.write_statement_csv(
            _ctx(site, "bob"),
            "member:alice",
            io.StringIO(),
            start=None,
            end=None,
            delimiter=";",
            decimal_separator=",",
            zone=site.app.state.deployment.zone,
        )


def test_the_csv_statement_is_the_api_s(site: Site) -> None:
    alice = site.browser("alice")
    _send(alice, "member:bob", "12,50", memo="cinéma")
    page = alice.get("/portefeuille/releve.csv", headers={"Accept-Language": "fr"})
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/csv")
    assert (
        (page.headers["content-disposition"]) == 'attachment; filename="statement-member-alice.csv"'
    )
    api = TestClient(site.app)
    token = api.post("/v1/auth/login", json={"username": "alice", "password": "alice-demo-2026"})
    from_api = api.get(
        "/v1/accounts/member:alice/statement?format=csv",
        headers={"Authorization": f"Bearer {token.json()['token']}"},
    )
    assert from_api.status_code == 200
    assert page.text == from_api.text
    assert "cinéma" in page.text and "12,50" in page.text
    pdf = alice.get("/portefeuille/releve.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_the_history_filters_by_way_and_text_and_days(site: Site) -> None:
    alice = site.browser("alice")
    _send(alice, "member:bob", "1", memo="cafe")
    _send(alice, "business:boulangerie", "2", memo="pain")
    everything = alice.get("/portefeuille/historique").text
    assert "cafe" in everything and "pain" in everything
    only_bread = alice.get("/portefeuille/historique?texte=Etchegaray").text
    assert "pain" in only_bread and "cafe" not in only_bread
    money_in = alice.get("/portefeuille/historique?sens=entrees").text
    assert "cafe" not in money_in and "pain" not in money_in
    long_ago = alice.get("/portefeuille/historique?du=2000-01-01&au=2000-01-31").text
    assert "cafe" not in long_ago
    assert "releve.csv?du=2000-01-01&amp;au=2000-01-31" in long_ago
    refused = alice.get("/portefeuille/historique?du=hier")
    assert refused.status_code == 422


def test_a_top_up_order_gives_its_reference(site: Site) -> None:
    alice = site.browser("alice")
    page = alice.get("/portefeuille/recharger").text
    before = _balance(site, "alice", "member:alice")
    answer = alice.post(
        "/portefeuille/recharger",
        data={"csrf": csrf(alice), "key": _key(page), "amount": "20"},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    shown = alice.get(answer.headers["location"]).text
    reference = re.search(r'id="ordered-reference">([^<]+)<', shown)
    assert reference and reference.group(1) in shown.split('id="orders"')[1]
    # Nothing is issued until the euros are seen.
    assert _balance(site, "alice", "member:alice") == before
    refused = alice.post(
        "/portefeuille/recharger", data={"csrf": csrf(alice), "key": "k2", "amount": "vingt"}
    )
    assert refused.status_code == 422 and 'role="alert"' in refused.text


def test_changing_the_password_keeps_this_browser_signed_in(site: Site) -> None:
    alice = site.browser("alice")
    other = site.browser("alice")
    wrong = alice.post(
        "/portefeuille/profil",
        data={"csrf": csrf(alice), "current": "not it", "new": "a-new-password-2026"},
    )
    assert wrong.status_code == 403 and 'role="alert"' in wrong.text
    answer = alice.post(
        "/portefeuille/profil",
        data={"csrf": csrf(alice), "current": "alice-demo-2026", "new": "a-new-password-2026"},
    )
    assert answer.status_code == 200 and 'id="done"' in answer.text
    assert alice.get("/portefeuille").status_code == 200
    # Every other session ended with the change.
    assert other.get("/portefeuille").status_code == 401


def test_the_membership_page_shows_the_fee_or_that_none_is_owed(site: Site) -> None:
    page = site.browser("alice").get("/portefeuille/adhesion", headers={"Accept-Language": "en"})
    assert 'id="fee-none"' in page.text


def _till_request(site: Site, amount: str) -> str:
    """A payment request of the bakery's till, issued through the API: its token."""
    api = TestClient(site.app)
    login = api.post("/v1/auth/login", json={"username": "caisse", "password": "caisse-demo-2026"})
    issued = api.post(
        "/v1/checkout/requests",
        json={"account": "business:boulangerie", "amount": amount},
        headers={"Authorization": f"Bearer {login.json()['token']}", "Idempotency-Key": amount},
    )
    assert issued.status_code == 201, issued.text
    token: str = issued.json()["token"]
    return token


def test_a_signed_in_browser_pays_a_qr_with_a_plain_form_once(site: Site) -> None:
    token = _till_request(site, "7.30")
    visitor = site.browser().get(f"/R/{token}")
    assert 'id="pay-form"' not in visitor.text and "pay.js" in visitor.text
    alice = site.browser("alice")
    alice.cookies.set("mlc_lang", "fr")
    page = alice.get(f"/R/{token.lower()}")
    assert 'id="pay-form"' in page.text and "pay.js" not in page.text
    fields = {"csrf": csrf(alice), "key": _key(page.text)}
    paid = alice.post(f"/R/{token}/payer", data=fields)
    assert paid.status_code == 200, paid.text
    assert "Payé" in paid.text and "7,30" in paid.text and "Boulangerie Etchegaray" in paid.text
    again = alice.post(f"/R/{token}/payer", data=fields)
    assert again.status_code == 200 and "Payé" in again.text
    assert _balance(site, "alice", "member:alice") == 10_000 - 730
    assert _balance(site, "boulangerie", "business:boulangerie") == 730


def test_a_session_payment_refused_says_why_and_moves_nothing(site: Site) -> None:
    token = _till_request(site, "500")
    bob = site.browser("bob")
    bob.cookies.set("mlc_lang", "fr")
    page = bob.get(f"/R/{token}")
    before = snapshot(site.database)
    refused = bob.post(f"/R/{token}/payer", data={"csrf": csrf(bob), "key": _key(page.text)})
    assert refused.status_code == 409
    assert 'data-code="insufficient_funds"' in refused.text
    forged = bob.post(f"/R/{token}/payer", data={"key": "k"})
    assert forged.status_code == 403 and 'data-code="csrf_refused"' in forged.text
    assert snapshot(site.database) == before


def test_the_send_page_finds_a_business_in_the_directory_to_send_to(site: Site) -> None:
    alice = site.browser("alice")
    found = alice.get("/portefeuille/envoyer?recherche=bayonne").text
    listed = found.split('id="found"')[1].split("</ul>")[0]
    assert "Boulangerie Etchegaray" in listed and "Épicerie du marché" not in listed
    assert 'href="/portefeuille/envoyer?code=business%3Aboulangerie"' in listed
    chosen = alice.get("/portefeuille/envoyer?code=business:boulangerie").text
    assert 'id="code"' in chosen and 'value="business:boulangerie"' in chosen
    nothing = alice.get("/portefeuille/envoyer?recherche=introuvable").text
    assert 'id="found"' not in nothing and 'id="found-title"' in nothing


def test_the_top_up_page_lists_the_offices_places_and_hours(site: Site) -> None:
    offices = site.browser("alice").get("/portefeuille/recharger").text.split('id="offices"')[1]
    assert "Comptoir du centre" in offices and "Place de la Liberté, Bayonne" in offices
    assert "9h–12h" in offices
