"""The régisseur's web space over the demonstration's town, on each engine.

The régisseur picks a tariff at the counter, alice pays the QR from her wallet, and the
sale's page says "Payé" with the quittance; the day's quittances add it up; the
versement is prepared by the régisseur alone (the mandataire sees no button and is
refused the form), and its état downloads. A person without a duty at the régie is
refused its pages, and each lands on the page their duties give.
"""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from monnaie_locale.acting import Context
from monnaie_locale.acts import accounts, conversions
from monnaie_locale.acts.sessions import acting_as
from monnaie_locale.auth import Role
from tests.support import snapshot
from tests.web.conftest import BASE, PASSWORDS, USER_OF_ROLE, Site, csrf

# The demonstration's town: Bayonne's pool, its people (monnaie_locale.demo).
POOL = "bayonne-piscine"
POOL_ACCOUNT = "authority:regie-piscine"
COUNTER = f"/regie/{POOL}/guichet"
FULL_PRICE = "Entrée piscine, plein tarif"
TARIFFS = {FULL_PRICE: 450}
MANDATAIRE = "guichet-piscine"
NO_DUTY = "mairie"  # holds the town's own account, and no duty at a régie


def _signed_in(site: Site, username: str) -> TestClient:
    """A browser signed in as ``username`` through the sign-in page, in French."""
    client = TestClient(site.app, base_url=BASE)
    client.cookies.set("mlc_lang", "fr")
    client.get("/connexion")
    answer = client.post(
        "/connexion",
        data={"username": username, "password": PASSWORDS[username], "csrf": csrf(client)},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    return client


def _landing(site: Site, username: str) -> str:
    client = TestClient(site.app, base_url=BASE)
    client.get("/connexion")
    answer = client.post(
        "/connexion",
        data={"username": username, "password": PASSWORDS[username], "csrf": csrf(client)},
        follow_redirects=False,
    )
    return answer.headers["location"]


def _admin(site: Site) -> Context:
    return Context(
        database=site.database,
        actor=acting_as(site.database, USER_OF_ROLE[Role.ADMIN]),
        deployment=site.app.state.deployment,
        clock=site.app.state.clock,
    )


def _balance(site: Site, code: str) -> int:
    return accounts.get_account(_admin(site), code).balance


def _money(site: Site, amount: str) -> str:
    return f"{amount}\u00a0{site.app.state.settings.currency_symbol}"


def _field(page: str, pattern: str) -> str:
    found = re.search(pattern, page)
    assert found, page
    return found.group(1)


def _sell_full_price(regisseur: TestClient) -> tuple[str, str]:
    """The full-price tariff tapped at the counter: the sale's request id and pay token."""
    page = regisseur.get(COUNTER)
    assert page.status_code == 200, page.text
    tariff = _field(page.text, r'name="tariff" value="(\d+)" id="tariff-\d+">' + FULL_PRICE)
    key = _field(page.text, r'name="key" value="([^"]+-t)"')
    sale = regisseur.post(COUNTER, data={"csrf": csrf(regisseur), "key": key, "tariff": tariff})
    assert sale.status_code == 200, sale.text
    assert "<svg" in sale.text and "4,50" in sale.text
    request_id = _field(sale.text, r'data-state="/regie/[^/]+/guichet/([^/"]+)/etat"')
    token = _field(sale.text, r'id="qr-url">[^<]*/R/([A-Z0-9]+)<')
    # A double tap, or a reload of the QR's page, is the same sale.
    again = regisseur.post(COUNTER, data={"csrf": csrf(regisseur), "key": key, "tariff": tariff})
    assert _field(again.text, r'data-state="/regie/[^/]+/guichet/([^/"]+)/etat"') == request_id
    return request_id, token


def _alice_pays(site: Site, token: str) -> None:
    alice = site.browser("alice")
    page = alice.get(f"/R/{token}")
    fields = {"csrf": csrf(alice), "key": _field(page.text, r'name="key" value="([^"]+)"')}
    paid = alice.post(f"/R/{token}/payer", data=fields)
    assert paid.status_code == 200 and "Payé" in paid.text, paid.text


def test_a_tariff_sold_at_the_counter_is_paid_from_the_wallet_and_gets_its_quittance(
    site: Site,
) -> None:
    regisseur = _signed_in(site, "regisseur")
    alice_before = _balance(site, "member:alice")
    request_id, token = _sell_full_price(regisseur)
    state = f"{COUNTER}/{request_id}/etat"
    assert regisseur.get(state, headers={"Accept": "application/json"}).json() == {
        "paid": False,
        "status": "open",
    }
    waiting = regisseur.get(f"{COUNTER}/{request_id}").text
    assert 'id="status">Payé<' not in waiting and 'id="quittance"' not in waiting

    _alice_pays(site, token)

    assert regisseur.get(state, headers={"Accept": "application/json"}).json() == {
        "paid": True,
        "status": "paid",
    }
    page = regisseur.get(f"{COUNTER}/{request_id}")
    assert 'id="status">Payé<' in page.text
    year = site.app.state.deployment.today(site.app.state.clock()).year
    assert _field(page.text, r'id="quittance-number">([^<]+)<') == f"{year}-000001"
    assert _field(page.text, r'id="quittance-object">([^<]+)<') == FULL_PRICE
    assert _field(page.text, r'id="quittance-units">([^<]+)<') == _money(site, "4,50")
    assert _balance(site, POOL_ACCOUNT) == TARIFFS[FULL_PRICE]
    assert _balance(site, "member:alice") == alice_before - TARIFFS[FULL_PRICE]

    day = regisseur.get(f"/regie/{POOL}/quittances")
    assert day.status_code == 200
    assert _field(day.text, r'id="total-count">(\d+)<') == "1"
    assert _field(day.text, r'id="total-units">([^<]+)<') == _money(site, "4,50")
    reprint = regisseur.get(f"/regie/{POOL}/quittances/{year}/1")
    assert _field(reprint.text, r'id="quittance-number">([^<]+)<') == f"{year}-000001"


def test_an_amount_with_a_part_in_euros_says_both_parts_on_its_quittance(site: Site) -> None:
    mandataire = _signed_in(site, MANDATAIRE)
    key = _field(mandataire.get(COUNTER).text, r'name="key" value="([^"]+-a)"')
    fields = {
        "csrf": csrf(mandataire),
        "key": key,
        "amount": "6,00",
        "object": "Leçon de natation",
        "euros": "4,00",
        "euro_means": "card",
        "euro_reference": "TPE 000123",
    }
    sale = mandataire.post(COUNTER, data=fields)
    assert sale.status_code == 200, sale.text
    request_id = _field(sale.text, r'data-state="/regie/[^/]+/guichet/([^/"]+)/etat"')
    _alice_pays(site, _field(sale.text, r'id="qr-url">[^<]*/R/([A-Z0-9]+)<'))
    page = mandataire.get(f"{COUNTER}/{request_id}").text
    assert _field(page, r'id="quittance-object">([^<]+)<') == "Leçon de natation"
    assert _field(page, r'id="quittance-euros">([^<]+)<') == "4,00\u00a0€"
    assert _field(page, r'id="quittance-reference">([^<]+)<') == "TPE 000123"
    # The price is 6,00: 4,00 paid by card, the rest in units through the QR.
    assert _field(page, r'id="quittance-units">([^<]+)<') == _money(site, "2,00")
    assert _balance(site, POOL_ACCOUNT) == 200


def test_a_malformed_sale_is_refused_and_prepares_nothing(site: Site) -> None:
    regisseur = _signed_in(site, "regisseur")
    key = _field(regisseur.get(COUNTER).text, r'name="key" value="([^"]+-a)"')
    before = snapshot(site.database)
    for fields in (
        {"amount": "douze", "object": "Entrée"},
        {"tariff": "x1"},
        {"amount": "2,00", "object": "Entrée", "euros": "1,00", "euro_means": "cheque"},
    ):
        answer = regisseur.post(COUNTER, data={"csrf": csrf(regisseur), "key": key, **fields})
        assert answer.status_code in (400, 422), fields
    assert snapshot(site.database) == before


def test_only_the_regisseur_prepares_the_versement_and_its_etat_downloads(site: Site) -> None:
    regisseur = _signed_in(site, "regisseur")
    _request_id, token = _sell_full_price(regisseur)
    _alice_pays(site, token)
    page = f"/regie/{POOL}/versement"

    mandataire = _signed_in(site, MANDATAIRE)
    seen = mandataire.get(page)
    assert seen.status_code == 200
    assert 'id="versement-form"' not in seen.text and 'id="regisseur-only"' in seen.text
    before = snapshot(site.database)
    refused = mandataire.post(page, data={"csrf": csrf(mandataire), "key": "mandataire-try"})
    assert refused.status_code == 403 and 'data-code="not_your_regie"' in refused.text
    assert snapshot(site.database) == before

    form = regisseur.get(page).text
    assert 'id="versement-form"' in form
    key = _field(form, r'name="key" value="([^"]+)"')
    made = regisseur.post(page, data={"csrf": csrf(regisseur), "key": key}, follow_redirects=False)
    assert made.status_code == 303, made.text
    done = regisseur.get(made.headers["location"])
    assert 'id="done"' in done.text
    etat = _field(done.text, r'href="(/regie/[^"]+/etat\.csv)"')
    answer = regisseur.get(etat)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    assert FULL_PRICE in answer.text
    pdf = regisseur.get(etat.replace(".csv", ".pdf"))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    # What was collected is paid in: nothing is left to pay in, the versement lists it.
    assert _field(done.text, r'id="due-units">([^<]+)<') == _money(site, "0,00")
    row = _field(done.text, r'(?s)(<tr class="just-made" id="versement-\d+">.*?</tr>)')
    assert _money(site, "4,50") in row.replace("&nbsp;", "\u00a0")


def test_someone_without_a_duty_at_the_regie_is_refused_its_pages(site: Site) -> None:
    mairie = _signed_in(site, NO_DUTY)
    ordonnateur = _signed_in(site, "ordonnateur")
    for browser in (mairie, ordonnateur):
        for path in (COUNTER, f"/regie/{POOL}/quittances", f"/regie/{POOL}/versement"):
            answer = browser.get(path)
            assert answer.status_code == 403, (path, answer.status_code)
            assert 'data-code="not_your_regie"' in answer.text
    before = snapshot(site.database)
    refused = mairie.post(COUNTER, data={"csrf": csrf(mairie), "key": "k1", "amount": "1"})
    assert refused.status_code == 403
    assert snapshot(site.database) == before
    assert 'id="no-regie"' in mairie.get("/regie").text


def test_the_finance_officer_reads_every_regie_but_sells_nothing(site: Site) -> None:
    finances = _signed_in(site, "finances")
    home = finances.get("/regie").text
    assert 'id="regie-bayonne-piscine"' in home
    counter = finances.get(COUNTER)
    assert counter.status_code == 200 and 'id="reads-only"' in counter.text
    assert 'name="tariff"' not in counter.text


def test_each_lands_where_their_duties_say(site: Site) -> None:
    assert _landing(site, "regisseur") == "/regie"
    assert _landing(site, MANDATAIRE) == "/regie"
    assert _landing(site, "finances") == "/regie"
    assert _landing(site, "ordonnateur") == "/portefeuille"
    assert _landing(site, NO_DUTY) == "/portefeuille"


def test_the_home_warns_when_a_versement_is_due(site: Site) -> None:
    regisseur = _signed_in(site, "regisseur")
    home = regisseur.get("/regie").text
    assert "Piscine municipale" in home and f'id="due-{POOL}"' not in home
    # Sales up to the cap (1000.00) make a versement due; alice buys the units first.
    conversions.convert_by_card(
        _admin(site), "member:alice", 100_000, payment_reference="CB-REGIE-1", key="regie-top-up"
    )
    for _ in range(2):
        key = _field(regisseur.get(COUNTER).text, r'name="key" value="([^"]+-a)"')
        sale = regisseur.post(
            COUNTER,
            data={"csrf": csrf(regisseur), "key": key, "amount": "500", "object": "Abonnement"},
        )
        _alice_pays(site, _field(sale.text, r'id="qr-url">[^<]*/R/([A-Z0-9]+)<'))
    home = regisseur.get("/regie").text
    assert f'id="due-{POOL}"' in home and "Versement à faire" in home


def test_the_yearly_statement_downloads_for_the_regisseur_not_the_mandataire(
    site: Site,
) -> None:
    regisseur = _signed_in(site, "regisseur")
    _request_id, token = _sell_full_price(regisseur)
    _alice_pays(site, token)
    year = site.app.state.deployment.today(site.app.state.clock()).year
    page = regisseur.get(f"/regie/{POOL}/releves")
    assert page.status_code == 200 and f'id="csv-{year}"' in page.text
    csv_file = regisseur.get(f"/regie/{POOL}/releves/{year}.csv")
    assert csv_file.status_code == 200, csv_file.text
    assert csv_file.headers["content-type"].startswith("text/csv")
    assert FULL_PRICE in csv_file.text
    pdf = regisseur.get(f"/regie/{POOL}/releves/{year}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    mandataire = _signed_in(site, MANDATAIRE)
    refused = mandataire.get(f"/regie/{POOL}/releves/{year}.csv")
    assert refused.status_code == 403 and 'data-code="not_your_regie"' in refused.text
