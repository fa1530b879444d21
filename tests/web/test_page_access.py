"""Every page and every form against every role, signed in through a real session.

The matrix says who may open each page route: ``public``, or a mark per role column
(``x`` allowed, ``.`` refused). A refused role gets the API's refusal (403,
``role_forbidden``) on a page, and a refused form changes nothing; a visitor who is not
signed in is asked to sign in (401). A new page route fails the first test until its
row is written.
"""

from __future__ import annotations

import re

import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient

from api.web.rendering import PageRoute
from monnaie_locale.auth import Role
from tests.support import PUBLIC, read_matrix, snapshot
from tests.web.conftest import USER_OF_ROLE, Site, csrf

# method path                         mem own cas aut off ass aud adm
MATRIX = """
GET  /                                public
GET  /connexion                       public
POST /connexion                       public
POST /deconnexion                     x x x x x x x x
POST /deconnexion-partout             x x x x x x x x
GET  /langue/{language}               public
GET  /assets/web/{name}               public
GET  /sw.js                           public
GET  /manifest.webmanifest            public
GET  /annuaire                        public
POST /connexion/cle/options           public
POST /connexion/cle                   public
GET  /cles                            x x x x x x x x
POST /cles/options                    x x x x x x x x
POST /cles                            x x x x x x x x
POST /cles/{passkey_id}/retirer       x x x x x x x x
GET  /portefeuille                    x . . x . . . .
GET  /portefeuille/historique         x . . x . . . .
GET  /portefeuille/releve.csv         x . . x . . . .
GET  /portefeuille/releve.pdf         x . . x . . . .
GET  /portefeuille/envoyer            x . . x . . . .
POST /portefeuille/envoyer            x . . x . . . .
GET  /portefeuille/recharger          x . . x . . . .
POST /portefeuille/recharger          x . . x . . . .
GET  /portefeuille/adhesion           x . . x . . . .
GET  /portefeuille/profil             x . . x . . . .
POST /portefeuille/profil             x . . x . . . .
GET  /portefeuille/verification       x . . x . . . .
GET  /portefeuille/verification/preuve.json x . . x . . . .
GET  /portefeuille/verification/checkpoint.note x . . x . . . .
POST /R/{token}/payer                x x . x x x . x
GET  /commerce                        . x x . . . . .
GET  /commerce/paiements              . x x . . . . .
POST /commerce/paiements/{payment_id}/rembourser . x x . . . . .
GET  /commerce/qr                     . x . . . . . .
GET  /commerce/webhooks               . x . . . . . .
POST /commerce/webhooks               . x . . . . . .
GET  /commerce/webhooks/{endpoint_id} . x . . . . . .
POST /commerce/webhooks/{endpoint_id}/desactiver . x . . . . . .
GET  /commerce/reconversions          . x x . . . . .
POST /commerce/reconversions          . x . . . . . .
POST /commerce/reconversions/apercu   . x . . . . . .
GET  /commerce/caissiers              . x . . . . . .
GET  /commerce/profil                 . x . . . . . .
POST /commerce/profil                 . x . . . . . .
POST /commerce/caissiers              . x . . . . . .
POST /commerce/caissiers/{username}/desactiver . x . . . . . .
POST /commerce/caissiers/{username}/reactiver . x . . . . . .
POST /commerce/caissiers/{username}/mot-de-passe . x . . . . . .
POST /commerce/reconversions/{request_id}/annuler . x . . . . . .
GET  /commerce/releves                . x x . . . . .
GET  /commerce/releves.csv            . x x . . . . .
GET  /commerce/releves.pdf            . x x . . . . .
GET  /gestion                         . . . . . x x x
GET  /gestion/graphique/circulation.svg . . . . . x x x
GET  /gestion/graphique/conversions.svg . . . . . x x x
GET  /gestion/banque                  . . . . . x x x
POST /gestion/banque/releves          . . . . . x . x
GET  /gestion/banque/rapprochement    . . . . . x x x
POST /gestion/banque/lignes/{line_id:int}/rapprocher . . . . . x . x
POST /gestion/banque/lignes/{line_id:int}/defaire . . . . . x . x
GET  /gestion/conversions             . . . . . x x x
POST /gestion/conversions/{order_id:int}/crediter . . . . . x . x
POST /gestion/conversions/{order_id:int}/annuler . . . . . x . x
GET  /gestion/reconversions           . . . . . x x x
POST /gestion/reconversions/lots      . . . . . x . x
POST /gestion/reconversions/{request_id:int}/annuler . . . . . x . x
GET  /gestion/reconversions/lots/{batch_id:int} . . . . . x x x
GET  /gestion/reconversions/lots/{batch_id:int}/pain001.xml . . . . . x . x
POST /gestion/reconversions/lots/{batch_id:int}/payer . . . . . x . x
GET  /gestion/adhesions               . . . . . x x x
POST /gestion/adhesions/payer         . . . . . x . x
GET  /gestion/regles                  . . . . . x x x
POST /gestion/regles                  . . . . . x . x
GET  /gestion/billets                 . . . . . x x x
POST /gestion/billets/apercu          . . . . . x . x
POST /gestion/billets/confirmer       . . . . . x . x
GET  /gestion/comptes                . . . . x x x x
POST /gestion/comptes                . . . . . x . x
GET  /gestion/comptes/import         . . . . x x x x
POST /gestion/comptes/import         . . . . . x . x
POST /gestion/comptes/import/confirmer . . . . . x . x
GET  /gestion/comptes/{code}         . . . . x x x x
POST /gestion/comptes/{code}/geler   . . . . . x . x
POST /gestion/comptes/{code}/degeler . . . . . x . x
POST /gestion/comptes/{code}/cloturer . . . . . x . x
GET  /gestion/utilisateurs           . . . . . . . x
POST /gestion/utilisateurs           . . . . . . . x
POST /gestion/utilisateurs/{username}/desactiver . . . . . . . x
POST /gestion/utilisateurs/{username}/reactiver . . . . . . . x
POST /gestion/utilisateurs/{username}/deverrouiller . . . . . . . x
POST /gestion/utilisateurs/{username}/mot-de-passe . . . . . . . x
POST /gestion/utilisateurs/{username}/comptes . . . . . . . x
POST /gestion/utilisateurs/{username}/deconnecter . . . . . . . x
GET  /gestion/utilisateurs/cles-api  . . . . . x x x
POST /gestion/utilisateurs/cles-api  . . . . . x . x
POST /gestion/utilisateurs/cles-api/{key_id}/revoquer . . . . . x . x
GET  /guichet                         . . . . x x x x
GET  /guichet/vente                   . . . . x x x x
GET  /guichet/especes                 . . . . x x x x
GET  /guichet/carte                   . . . . x x x x
GET  /guichet/depot                   . . . . x x x x
GET  /guichet/comptage                . . . . x x x x
GET  /guichet/banque                  . . . . x x x x
POST /guichet/vente                   . . . . x x . x
POST /guichet/especes                 . . . . x x . x
POST /guichet/carte                   . . . . x x . x
POST /guichet/depot                   . . . . x x . x
POST /guichet/comptage                . . . . x x . x
POST /guichet/comptage/confirmer      . . . . x x . x
POST /guichet/banque                  . . . . x x . x
GET  /audit                           . . . . . x x x
GET  /audit/reserve                   . . . . . x x x
GET  /audit/journal                   . . . . . x x x
GET  /audit/exports                   . . . . . x x x
GET  /audit/exports/fec.txt           . . . . . x x x
GET  /audit/exports/journal.txt       . . . . . x x x
GET  /audit/exports/releve.csv        . . . . . x x x
GET  /audit/actes                     . . . . . x x x
GET  /regie                                             . . . x . x x x
GET  /regie/{code}/guichet                               . . . x . x x x
POST /regie/{code}/guichet                               . . . x . x . x
GET  /regie/{code}/guichet/{request_id}                  . . . x . x x x
GET  /regie/{code}/guichet/{request_id}/etat             . . . x . x x x
GET  /regie/{code}/quittances                            . . . x . x x x
GET  /regie/{code}/quittances/{year}/{number}            . . . x . x x x
GET  /regie/{code}/releves                               . . . x . x x x
GET  /regie/{code}/releves/{year}.csv                    . . . x . x x x
GET  /regie/{code}/releves/{year}.pdf                    . . . x . x x x
GET  /regie/{code}/versement                             . . . x . x x x
POST /regie/{code}/versement                             . . . x . x . x
GET  /regie/{code}/versements/{versement_id}/etat.csv    . . . x . x x x
GET  /regie/{code}/versements/{versement_id}/etat.pdf    . . . x . x x x
"""

PATH_VALUES = {"language": "en", "name": "web.css", "username": "nobody"}


POLICY = read_matrix(MATRIX)


def _page_routes(site: Site) -> set[tuple[str, str]]:
    return {
        (method, context.path)
        for context in iter_route_contexts(site.app.routes)
        if isinstance(context.original_route, PageRoute)
        for method in context.methods or ()
        if method != "HEAD"
    }


def _url(path: str) -> str:
    # A path's parameter, with or without its converter ({batch_id:int}).
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda found: PATH_VALUES.get(found.group(1), "1"), path)


def _header(browser: TestClient) -> dict[str, str]:
    """The CSRF token as the pages' scripts send it (forms send it as a field)."""
    return {"X-CSRF-Token": csrf(browser)}


def _code(body: str) -> str | None:
    found = re.search(r'data-code="([a-z_]+)"', body)
    return found.group(1) if found else None


def test_the_matrix_names_every_page_route(site: Site) -> None:
    assert _page_routes(site) == set(POLICY)


def test_every_page_answers_a_visitor_as_the_matrix_says(site: Site) -> None:
    mismatches = []
    anonymous = site.browser()
    for method, path in sorted(_page_routes(site)):
        form = {"csrf": csrf(anonymous)}
        answer = anonymous.request(
            method, _url(path), data=form, headers=_header(anonymous), follow_redirects=False
        )
        if POLICY[(method, path)] == PUBLIC:
            # (A sign-in without a password is refused as such: that is no role's refusal.)
            if answer.status_code == 403 or (method == "GET" and answer.status_code == 401):
                mismatches.append(f"{method} {path}: public page refused a visitor")
        elif answer.status_code != 401:
            mismatches.append(f"{method} {path}: a visitor got {answer.status_code}")
    assert mismatches == []


# One test per role, each on a site of its own: the roles run side by side, and what one
# role's allowed forms change cannot decide what another's meet.
@pytest.mark.parametrize("role", list(Role))
def test_every_page_answers_every_role_as_the_matrix_says(site: Site, role: Role) -> None:
    mismatches = []
    signed_in = site.as_role(role)
    for method, path in sorted(_page_routes(site)):
        allowed = POLICY[(method, path)]
        if allowed == PUBLIC:
            continue
        # A fresh session for each form: a form may sign its sender out.
        browser = signed_in if method == "GET" else site.as_role(role)
        before = None if role in allowed else snapshot(site.database)
        answer = browser.request(
            method,
            _url(path),
            data={"csrf": csrf(browser)},
            headers=_header(browser),
            follow_redirects=False,
        )
        refused = (answer.status_code, _code(answer.text)) == (403, "role_forbidden")
        if role in allowed and (refused or answer.status_code == 401):
            mismatches.append(f"{method} {path}: {role} refused ({answer.status_code})")
        if role not in allowed and not refused:
            mismatches.append(f"{method} {path}: {role} let through ({answer.status_code})")
        if before is not None and snapshot(site.database) != before:
            mismatches.append(f"{method} {path}: {role} refused, but the books moved")
    assert mismatches == []


@pytest.mark.parametrize("method_path", sorted(k for k, v in POLICY.items() if k[0] == "POST"))
def test_a_form_without_its_token_or_from_another_site_changes_nothing(
    site: Site, method_path: tuple[str, str]
) -> None:
    method, path = method_path
    browser = site.as_role(Role.MEMBER)
    before = snapshot(site.database)
    for headers, form in (
        ({}, {}),
        ({}, {"csrf": "x" * 43}),
        ({"Origin": "https://attacker.example"}, {"csrf": csrf(browser)}),
        ({"Sec-Fetch-Site": "cross-site"}, {"csrf": csrf(browser)}),
    ):
        answer = browser.request(
            method, _url(path), data=form, headers=headers, follow_redirects=False
        )
        assert (answer.status_code, _code(answer.text)) == (403, "csrf_refused"), headers
    assert snapshot(site.database) == before
    # The session survived every forged sign-out: the member is still signed in.
    assert USER_OF_ROLE[Role.MEMBER] in browser.get("/").text
