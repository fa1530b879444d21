"""Versements over HTTP and through ``mlc versement``: the régisseur sees it due, pays in
once per key, lists the versements and downloads the état; a mandataire may read but not
pay in, and a second versement with nothing collected is refused alike on every front;
the association's dashboard shows the régie whose versement is due."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from markupsafe import escape
from sqlalchemy import Connection

from api import i18n
from cli.errors import ExitCode
from monnaie_locale.auth import issue_token
from tests.authorities.pool import Counter
from tests.authorities.town import POOL, Town, set_up_town

if TYPE_CHECKING:
    # Imported by pytest, as a plugin, so that its assertions are rewritten.
    from tests.acts.edges import Fronts

pytest_plugins = ["tests.acts.edges"]

FULL = "Entrée piscine, plein tarif"
FRENCH = {key: str(escape(text)) for key, text in i18n.texts("fr").items()}


def _headers(fronts: Fronts, town: Town, who: str, key: str | None = None) -> dict[str, str]:
    def issue(conn: Connection) -> str:
        user = town.user_ids[who]
        return issue_token(conn, user, now=fronts.ops.clock(), ttl=timedelta(hours=1)).token

    headers = {"Authorization": f"Bearer {fronts.database.write(issue)}"}
    return headers if key is None else {**headers, "Idempotency-Key": key}


def _collected(fronts: Fronts) -> Town:
    town = set_up_town(fronts.database, fronts.ops.clock)
    fronts.ops.converted("alice", "50", key="alice-card")
    counter = Counter(fronts.database, fronts.ops.clock, town.pool)
    counter.sale(FULL, euros=150, key="s1")
    counter.transfer(450, object=FULL, key="t1")
    return town


def test_the_regisseur_pays_in_over_http_and_downloads_the_etat(fronts: Fronts) -> None:
    town = _collected(fronts)
    client, base = fronts.ops.client, f"/v1/regies/{POOL}"
    mandataire = _headers(fronts, town, "mandataire", key="m1")
    due = client.get(f"{base}/versement-due", headers=mandataire).json()
    assert (due["encaisse"], due["cap"], due["reason"]) == ("7.50", "500.00", None)
    refused = client.post(f"{base}/versements", headers=mandataire)
    assert refused.status_code == 403 and refused.json()["code"] == "not_your_regie"

    regisseur = _headers(fronts, town, "regisseur", key="v1")
    made = client.post(f"{base}/versements", headers=regisseur)
    assert made.status_code == 201, made.text
    body = made.json()
    assert (body["units"], body["fee"], body["euros"], body["quittances"]) == (
        "7.50", "0.00", "7.50", 2
    )  # fmt: skip
    assert (body["reason"], body["status"]) == ("asked", "requested")
    again = client.post(f"{base}/versements", headers=regisseur)
    assert again.json()["id"] == body["id"]
    empty = client.post(f"{base}/versements", headers=_headers(fronts, town, "regisseur", "v2"))
    assert empty.status_code == 409 and empty.json()["code"] == "nothing_to_pay_in"

    listed = client.get(f"{base}/versements", headers=mandataire).json()
    assert [v["id"] for v in listed] == [body["id"]]
    one = client.get(f"{base}/versements/{body['id']}", headers=mandataire).json()
    assert one == body
    csv = client.get(f"{base}/versements/{body['id']}/etat.csv", headers=mandataire)
    assert csv.headers["content-type"].startswith("text/csv")
    lines = csv.text.splitlines()
    assert lines[0] == "line,regie,versement,date,quittance,object,payer,units,euros"
    assert [line.split(",")[-2:] for line in lines[1:3]] == [["3.00", "1.50"], ["4.50", "0.00"]]
    assert lines[3].startswith("total,") and lines[3].endswith(",7.50,1.50")
    pdf = client.get(f"{base}/versements/{body['id']}/etat.pdf", headers=mandataire)
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    other = client.get(f"{base}/versements/{body['id'] + 1}", headers=mandataire)
    assert other.status_code == 404


def test_mlc_versement_pays_in_lists_and_writes_the_etat(fronts: Fronts, tmp_path: Path) -> None:
    _collected(fronts)
    refused = fronts.mlc("versement", "prepare", POOL, "--key", "c1", actor="mandataire")
    assert refused.exit_code == ExitCode.FORBIDDEN, refused.output
    assert "regisseur" in refused.output

    due = fronts.mlc("versement", "due", POOL, actor="regisseur")
    assert due.exit_code == 0 and "7.50" in due.output, due.output
    prepared = fronts.mlc("versement", "prepare", POOL, "--key", "c1", "--json", actor="regisseur")
    assert prepared.exit_code == 0, prepared.output
    made = json.loads(prepared.stdout)
    assert (made["units"], made["quittances"], made["regie"]) == (750, 2, POOL)
    again = fronts.mlc("versement", "prepare", POOL, "--key", "c2", actor="regisseur")
    assert again.exit_code != 0 and "nothing to pay in" in again.output.lower(), again.output

    listed = fronts.mlc("versement", "list", POOL, actor="comptable")
    assert listed.exit_code == 0 and made["year"] and "7.50" in listed.output, listed.output
    output = tmp_path / "etat.pdf"
    args = ("versement", "etat", POOL, str(made["id"]), "--format", "pdf", "--output")
    written = fronts.mlc(*args, str(output), actor="finances")
    assert written.exit_code == 0, written.output
    assert output.read_bytes().startswith(b"%PDF")
    twice = fronts.mlc(*args, str(output), actor="finances")
    assert twice.exit_code == ExitCode.BAD_INPUT, twice.output
    csv = tmp_path / "etat.csv"
    fronts.mlc("versement", "etat", POOL, str(made["id"]), "--output", str(csv), actor="finances")
    assert csv.read_text().count("\nquittance,") == 2


def test_the_dashboard_shows_a_regie_whose_versement_is_due(fronts: Fronts) -> None:
    _collected(fronts)
    fronts.ops.clock.advance(timedelta(days=30))
    browser = fronts.ops.client
    browser.get("/connexion")
    signed_in = browser.post(
        "/connexion",
        data={
            "username": "assoc",
            "password": "correct horse battery",
            "csrf": browser.cookies.get("mlc_csrf"),
        },
        follow_redirects=False,
    )
    assert signed_in.status_code == 303, signed_in.text
    page = browser.get("/gestion").text
    assert 'data-need="versement_due"' in page
    assert f'href="/regie">{FRENCH["dash_need_versement_due"]} ({POOL})' in page
    assert "7,50" in page
